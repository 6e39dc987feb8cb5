package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/metropolis/agora/forum"
)

// ResolveMember finds the remote person behind a handle (user@host, with
// or without a leading @) or an actor URL, fetching them through
// WebFinger and the fetcher's rules when the node does not know them yet.
// The Mastodon API's search (resolve=true) uses it.
func (f *Federation) ResolveMember(ctx context.Context, query string) (*forum.Member, error) {
	q := strings.TrimPrefix(strings.TrimSpace(query), "@")
	if q == "" || f.urls.IsLocal(q) {
		return nil, forum.ErrNotFound
	}
	uri := q
	if !strings.HasPrefix(q, "https://") && !strings.HasPrefix(q, "http://") {
		if !strings.Contains(q, "@") {
			return nil, forum.ErrNotFound
		}
		var err error
		if uri, err = f.resolveTarget(ctx, q); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", q, err)
		}
	}
	m, err := f.applier.RemoteMember(ctx, uri)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("remote member %s: %w", uri, err)
	}
	return m, nil
}
