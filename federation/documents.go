package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// documents is the document builder as serve sees it: the ActivityPub
// documents of our actors and posts, built by the same code the publisher
// sends them with (actordocs.go, objects.go).
type documents struct{ f *Federation }

func (d documents) MemberActor(ctx context.Context, m *forum.Member) (*ap.Actor, error) {
	return d.f.memberActor(ctx, m)
}

func (d documents) ForumActor(ctx context.Context, fo *forum.Forum) (*ap.Actor, error) {
	return d.f.forumActor(ctx, fo)
}

func (d documents) ThreadActor(ctx context.Context, t *forum.Thread) (*ap.Actor, error) {
	return d.f.threadActor(ctx, t)
}

func (d documents) InstanceActor(ctx context.Context) (*ap.Actor, error) {
	return d.f.instanceActor(ctx)
}

// Post is a post's object, or the id of the original when we hold a copy
// of another node's post.
func (d documents) Post(ctx context.Context, id forum.ID) (*ap.Object, string, error) {
	pc, err := d.f.loadPost(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if pc.Post.URI != "" {
		return nil, pc.Post.URI, nil
	}
	return d.f.object(pc), "", nil
}
