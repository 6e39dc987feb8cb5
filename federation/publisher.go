package federation

import (
	"context"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/deliver"
	"github.com/metropolis/agora/federation/publish"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

// What the publisher (package publish) is given by the federation side:
// the documents (the same serve answers with), the activities of reports
// and good practices, and its transaction.

// Publisher is the node's event publisher (tests drive it by hand).
func (f *Federation) Publisher() *publish.Publisher { return f.pub }

// publishDocs is the document builder, as publish.Documents.
type publishDocs struct{ f *Federation }

func (d publishDocs) Post(ctx context.Context, id forum.ID) (*publish.Post, error) {
	return d.f.loadPost(ctx, id)
}
func (d publishDocs) Object(pc *publish.Post) *ap.Object            { return d.f.object(pc) }
func (d publishDocs) MemberURI(m *forum.Member) string              { return d.f.memberURI(m) }
func (d publishDocs) ForumURI(fo *forum.Forum) string               { return d.f.forumURI(fo) }
func (d publishDocs) ThreadURI(t *forum.Thread) string              { return d.f.threadURI(t) }
func (d publishDocs) PostURI(p *forum.Post, t *forum.Thread) string { return d.f.postURI(p, t) }
func (d publishDocs) LearnMentions(ctx context.Context, src string) error {
	return d.f.learnMentions(ctx, src)
}
func (d publishDocs) Written(ctx context.Context, src string) (*publish.Written, error) {
	return d.f.writtenTags(ctx, src)
}
func (d publishDocs) MemberActor(ctx context.Context, m *forum.Member) (*ap.Actor, error) {
	return d.f.memberActor(ctx, m)
}
func (d publishDocs) ForumActor(ctx context.Context, fo *forum.Forum) (*ap.Actor, error) {
	return d.f.forumActor(ctx, fo)
}

// moreActivities builds the activities of the events package publish
// leaves to this side: reports of posts (Flag), good-practice marks and
// published forum reports (Article); nothing for
// the others.
type moreActivities struct{ f *Federation }

func (m moreActivities) ActivitiesFor(ctx context.Context, e *forum.Event) ([]*deliver.Outgoing, error) {
	var acts []*outgoing
	var err error
	switch e.Kind {
	case forum.EventPostReported:
		acts, err = m.f.flagActivities(ctx, e)
	case forum.EventGoodPracticeMarked, forum.EventGoodPracticeUnmarked:
		acts, err = m.f.goodPracticeActivities(ctx, e)
	case report.EventPublished, report.EventCorrected:
		acts, err = m.f.reportActivities(ctx, e)
	}
	if err != nil {
		return nil, err
	}
	return toDeliver(acts), nil
}

// publishAtomic runs the publisher's transaction.
func (f *Federation) publishAtomic(ctx context.Context, fn func(ctx context.Context, tx publish.Tx) error) error {
	return f.store.FederationAtomic(ctx, func(ctx context.Context, tx Store) error { return fn(ctx, tx) })
}
