package forum

import (
	"context"
	"errors"
)

// LinkMentions stores a local post's HTML rendered again once the actors
// it mentions are known: federation resolves @name@host after the post is
// written (it takes the network), and the node's own page should then link
// them as every copy elsewhere does. It changes nothing when the post was
// edited or deleted since source was read, and records neither a revision
// nor an event: the text is the same.
func (s *Service) LinkMentions(ctx context.Context, postID ID, source, html string) error {
	html = s.render.Sanitize(html)
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, _, err := s.postAndThread(ctx, tx, postID)
		if errors.Is(err, ErrGone) {
			return nil // the thread was deleted: no page shows the post
		} else if err != nil {
			return err
		}
		if p.URI != "" || p.Deleted() || p.Source != source || p.HTML == html {
			return nil
		}
		p.HTML = html
		return tx.UpdatePost(ctx, p)
	})
}
