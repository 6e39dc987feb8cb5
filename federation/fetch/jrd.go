package fetch

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"time"
)

// GetJRD fetches a WebFinger document (RFC 7033): the same address rules,
// redirects, caps and depth check as GetObject, but a JRD content type
// (application/jrd+json or application/json) and no id check.
func (c *Client) GetJRD(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jrd+json, application/json")
	resp, err := c.get.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("GET %s: %w", final, &StatusError{
			Code:       resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		})
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/jrd+json" && mt != "application/json") {
		return nil, fmt.Errorf("GET %s: %w: %q", final, ErrContentType, ct)
	}
	body, err := readCapped(resp, c.cfg.MaxBody)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", final, err)
	}
	if err := CheckJSONDepth(body, c.cfg.MaxJSONDepth); err != nil {
		return nil, fmt.Errorf("GET %s: %w", final, err)
	}
	return body, nil
}
