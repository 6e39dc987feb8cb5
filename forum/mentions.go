package forum

import "context"

// LinkMentions stores a local post's HTML rendered again once the actors
// it mentions are known: federation resolves @name@host after the post is
// written (it takes the network), and the node's own page should then link
// them as every copy elsewhere does. It changes nothing when the post was
// edited or deleted since source was read, and records neither a revision
// nor an event: the text is the same.
func (s *Service) LinkMentions(ctx context.Context, postID ID, source, html string) error {
	html = s.render.Sanitize(html)
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, err := tx.PostByID(ctx, postID)
		if err != nil {
			return err
		}
		if p.URI != "" || p.Deleted() || p.Source != source || p.HTML == html {
			return nil
		}
		p.HTML = html
		return tx.UpdatePost(ctx, p)
	})
}
