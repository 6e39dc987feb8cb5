package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Accept is the Accept header GetObject sends.
const Accept = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

const asProfile = "https://www.w3.org/ns/activitystreams"

// Document is a fetched ActivityPub document.
type Document struct {
	Body        []byte // the JSON, at most Config.MaxBody bytes, depth-checked
	URL         string // final URL after redirects, equal to the document's id
	ContentType string // as sent by the peer
}

// GetObject fetches the ActivityPub document at rawURL, following at most
// Config.MaxRedirects redirects, each checked like the first request. A
// non-2xx answer gives *StatusError; see the package documentation for the
// other checks and their errors.
func (c *Client) GetObject(ctx context.Context, rawURL string) (*Document, error) {
	body, final, ct, err := c.getJSON(ctx, rawURL, Accept, IsActivityPubType)
	if err != nil {
		return nil, err
	}
	var top struct {
		ID *string `json:"id"`
	}
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return nil, fmt.Errorf("GET %s: %w: not a JSON object", final, ErrMalformedJSON)
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("GET %s: %w: %v", final, ErrMalformedJSON, err)
	}
	switch {
	case top.ID == nil:
		return nil, &IDMismatchError{URL: final}
	case *top.ID != final:
		return nil, &IDMismatchError{URL: final, ID: *top.ID}
	}
	return &Document{Body: body, URL: final, ContentType: ct}, nil
}

// getJSON is the GET that GetObject and GetJRD share: the address rules and
// redirects of the client, a 2xx answer of a content type typeOK accepts,
// the body cap and the depth check. It returns the body, the final URL
// after redirects and the content type.
func (c *Client) getJSON(ctx context.Context, rawURL, accept string, typeOK func(string) bool) (body []byte, final, ct string, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", "", err
	}
	req.Header.Set("Accept", accept)
	resp, err := c.get.Do(req)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	final = resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", "", fmt.Errorf("GET %s: %w", final, &StatusError{
			Code:       resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		})
	}
	ct = resp.Header.Get("Content-Type")
	if !typeOK(ct) {
		return nil, "", "", fmt.Errorf("GET %s: %w: %q", final, ErrContentType, ct)
	}
	body, err = readCapped(resp, c.cfg.MaxBody)
	if err != nil {
		return nil, "", "", fmt.Errorf("GET %s: %w", final, err)
	}
	if err := CheckJSONDepth(body, c.cfg.MaxJSONDepth); err != nil {
		return nil, "", "", fmt.Errorf("GET %s: %w", final, err)
	}
	return body, final, ct, nil
}

// IsActivityPubType accepts application/activity+json (any parameters) and
// application/ld+json whose profile lists the ActivityStreams URI.
func IsActivityPubType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return slices.Contains(strings.Fields(params["profile"]), asProfile)
	}
	return false
}

// readCapped reads the body, refusing more than max bytes: it never holds
// more than max+1 bytes.
func readCapped(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d > %d", ErrTooLarge, resp.ContentLength, max)
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return buf.Bytes(), nil
}
