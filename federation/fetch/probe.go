package fetch

import (
	"context"
	"fmt"
	"net/http"
)

// Probe asks whether a page exists: a GET, without following redirects,
// under the client's address rules and timeouts, whose body is not read.
// It returns the status code (a redirect counts as an answer: Mastodon
// sends visitors who are not signed in on to its sign-in page).
func (c *Client) Probe(ctx context.Context, rawURL string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.post.Do(req) // the client that never follows redirects
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
