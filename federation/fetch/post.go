package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxSnippet is how much of a Post response body is read (and kept for the
// log); the rest is never read.
const MaxSnippet = 4 << 10

// Response is the outcome of a Post that reached the peer.
type Response struct {
	Status     int
	RetryAfter time.Duration // from the Retry-After header; 0 if absent
	Body       []byte        // at most MaxSnippet bytes of the response, for logs
}

// Post sends body to inboxURL with the given content type. Any HTTP status
// is returned in Response, with a nil error: the delivery queue decides what
// to retry. Errors are for requests that were refused or failed in transit.
// Redirects are not followed (the 3xx is the status). A body over
// Config.MaxBody is refused with ErrTooLarge before any network I/O.
func (c *Client) Post(ctx context.Context, inboxURL, contentType string, body []byte) (*Response, error) {
	if int64(len(body)) > c.cfg.MaxBody {
		return nil, fmt.Errorf("%w: request body %d > %d", ErrTooLarge, len(body), c.cfg.MaxBody)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodPost, inboxURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.post.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	snippet, err := io.ReadAll(io.LimitReader(resp.Body, MaxSnippet))
	if err != nil {
		snippet = nil // the status arrived; a broken body does not change it
	}
	return &Response{
		Status:     resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Body:       snippet,
	}, nil
}

// bytesReader returns a reader for b, or a nil io.Reader for a nil b (so
// that http.NewRequest sees no body rather than a typed nil).
func bytesReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}
