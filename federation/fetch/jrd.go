package fetch

import (
	"context"
	"mime"
)

// GetJRD fetches a WebFinger document (RFC 7033): the same address rules,
// redirects, caps and depth check as GetObject, but a JRD content type
// (application/jrd+json or application/json) and no id check.
func (c *Client) GetJRD(ctx context.Context, rawURL string) ([]byte, error) {
	body, _, _, err := c.getJSON(ctx, rawURL, "application/jrd+json, application/json", isJRDType)
	return body, err
}

func isJRDType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/jrd+json" || mt == "application/json")
}
