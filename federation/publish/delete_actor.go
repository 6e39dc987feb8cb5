package publish

import (
	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// deleteActor is who a post's Delete comes from. Mastodon and GoToSocial
// apply a Delete only from the post's author, so a moderator's removal of
// a post written here is sent as its author's, signed with the author's
// key: this node is the post's origin and speaks for it (Mastodon does the
// same when its moderators remove a status). A copy of another node's post
// can only be deleted in the moderator's name; the forum's Announce of
// that Delete (FEP-1b12) is what forum software applies.
func deleteActor(typ string, pc *Post, actor *forum.Member) *forum.Member {
	if typ == ap.TypeDelete && pc.Post.URI == "" && pc.Author != nil && pc.Author.Local() {
		return pc.Author
	}
	return actor
}
