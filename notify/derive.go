package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/uris"
)

// rank orders kinds about one post: a member told several things by one
// event is told the most specific.
var rank = map[Kind]int{KindMention: 3, KindReply: 2, KindAnswer: 1, KindQuestion: 1,
	KindGoodPractice: 2, KindForumGoodPractice: 1}

// deriving collects one event's notifications, one per member.
type deriving struct {
	e   *forum.Event
	ids forum.IDs
	out map[forum.ID]*Notification
}

func (d *deriving) add(member forum.ID, k Kind) {
	if member == "" || member == d.e.ActorID {
		return // nobody is told what they did themselves
	}
	if n, ok := d.out[member]; ok && rank[n.Kind] >= rank[k] {
		return
	}
	d.out[member] = &Notification{ID: d.ids.New(), MemberID: member, Kind: k, EventID: d.e.ID, ActorID: d.e.ActorID,
		ForumID: d.e.ForumID, ThreadID: d.e.ThreadID, PostID: d.e.PostID, CreatedAt: d.e.CreatedAt}
}

// Derive turns one event into the notifications it makes, and watches the
// thread for a local member who asked or answered in it (unless they
// turned that off). Only members of this node are told. Events about
// content that is gone make none.
func (r *Deriver) Derive(ctx context.Context, e *forum.Event) ([]*Notification, error) {
	d := &deriving{e: e, ids: r.IDs, out: map[forum.ID]*Notification{}}
	var err error
	switch e.Kind {
	case forum.EventThreadCreated, forum.EventPostCreated, forum.EventPostReceived:
		err = r.newPost(ctx, d)
	case forum.EventHelpfulAdded, forum.EventHelpfulReceived:
		err = r.helpful(ctx, d)
	case forum.EventGoodPracticeMarked:
		if err = r.toAuthor(ctx, d, KindGoodPractice); err == nil {
			err = r.toForumWatchers(ctx, d, KindForumGoodPractice)
		}
	case forum.EventWebinarChanged:
		err = r.toAttendees(ctx, d, KindEventChanged)
	case forum.EventWebinarCancelled:
		err = r.toAttendees(ctx, d, KindEventCancelled)
	case forum.EventPostReported, forum.EventReportReceived:
		err = r.toStaff(ctx, d, forum.RoleModerator, KindReport)
	case forum.EventFollowRequested:
		err = r.toStaff(ctx, d, forum.RoleAdmin, KindFollowRequest)
	case forum.EventMemberFollowed:
		d.add(e.MemberID, KindFollow)
	case forum.EventInvitationAccepted:
		err = r.toStaff(ctx, d, forum.RoleAdmin, KindInvitationUsed)
	}
	if err != nil {
		return nil, fmt.Errorf("derive %s %s: %w", e.Kind, e.ID, err)
	}
	return r.localOnly(ctx, d.out)
}

// post loads an event's post and thread; nil when either is gone.
func (r *Deriver) post(ctx context.Context, id forum.ID) (*forum.Post, *forum.Thread, error) {
	p, err := r.Forum.Post(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if p.Deleted() {
		return nil, nil, nil
	}
	t, err := r.Forum.Thread(ctx, p.ThreadID)
	if errors.Is(err, forum.ErrNotFound) || errors.Is(err, forum.ErrGone) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

func (r *Deriver) newPost(ctx context.Context, d *deriving) error {
	p, t, err := r.post(ctx, d.e.PostID)
	if p == nil {
		return err
	}
	if p.IsQuestion() {
		ws, err := r.Store.Watchers(ctx, TargetForum, t.ForumID)
		if err != nil {
			return err
		}
		for _, m := range ws {
			d.add(m, KindQuestion)
		}
	} else {
		ws, err := r.Store.Watchers(ctx, TargetThread, t.ID)
		if err != nil {
			return err
		}
		for _, m := range ws {
			d.add(m, KindAnswer)
		}
		parent, err := r.Forum.Post(ctx, p.ParentID)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return err
		}
		if parent != nil && !parent.Deleted() {
			d.add(parent.AuthorID, KindReply)
		}
	}
	mentioned, err := r.mentions(ctx, p)
	if err != nil {
		return err
	}
	for _, m := range mentioned {
		d.add(m, KindMention)
	}
	return r.autoWatch(ctx, d.e.ActorID, t.ID)
}

// autoWatch watches a thread for the local member who wrote in it, unless
// their settings say not to or they chose about this thread before.
func (r *Deriver) autoWatch(ctx context.Context, memberID, threadID forum.ID) error {
	ms, err := r.Forum.Members(ctx, []forum.ID{memberID})
	if err != nil {
		return err
	}
	if m := ms[memberID]; m == nil || !m.Local() {
		return nil
	}
	prefs, err := r.Store.NotifyPrefs(ctx, memberID)
	if err != nil || !prefs.AutoWatch {
		return err
	}
	return r.Store.SetWatch(ctx, memberID, TargetThread, threadID, true, true, r.now())
}

// memberLink finds links to this node's members in a received post's
// HTML: that is how other servers write a mention (Mastodon's
// `<a href="…/u/name" class="u-url mention">`). The HTML was sanitized
// when stored, so attributes are double-quoted.
var memberLink = regexp.MustCompile(`href="([^"]+)"`)

// mentions are the local members a post mentions: @name or @name@thishost
// in a local post's markdown, links to their profiles in another node's
// post.
func (r *Deriver) mentions(ctx context.Context, p *forum.Post) ([]forum.ID, error) {
	var names []string
	if p.URI == "" {
		handles, _ := r.Markup.Tags(p.Source)
		for _, h := range handles {
			if h.Host == "" || h.Host == r.URLs.Host() {
				names = append(names, h.Name)
			}
		}
	} else {
		for _, m := range memberLink.FindAllStringSubmatch(p.HTML, markup.MaxMentions*4) {
			if kind, name := r.URLs.Parse(m[1]); kind == uris.KindMember {
				names = append(names, name)
			}
		}
	}
	var out []forum.ID
	for _, n := range names {
		m, err := r.Forum.MemberByUsername(ctx, n)
		if errors.Is(err, forum.ErrNotFound) || forum.IsValidation(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		if !slices.Contains(out, m.ID) {
			out = append(out, m.ID)
		}
	}
	return out, nil
}

func (r *Deriver) helpful(ctx context.Context, d *deriving) error {
	if d.e.Kind == forum.EventHelpfulReceived {
		// The event records a mark or its removal: tell only of a mark
		// that stands.
		ms, err := r.Forum.Members(ctx, []forum.ID{d.e.ActorID})
		if err != nil {
			return err
		}
		by := ms[d.e.ActorID]
		if by == nil {
			return nil
		}
		marks, err := r.Forum.HelpfulMarks(ctx, by, []forum.ID{d.e.PostID})
		if err != nil || !marks[d.e.PostID] {
			return err
		}
	}
	return r.toAuthor(ctx, d, KindHelpful)
}

// toAuthor tells the author of the event's post.
func (r *Deriver) toAuthor(ctx context.Context, d *deriving, k Kind) error {
	p, _, err := r.post(ctx, d.e.PostID)
	if p == nil {
		return err
	}
	d.add(p.AuthorID, k)
	return nil
}

// toAttendees tells the members who said they come to the event the
// thread of the event's post discusses.
func (r *Deriver) toAttendees(ctx context.Context, d *deriving, k Kind) error {
	w, err := r.Forum.WebinarOfThread(ctx, d.e.ThreadID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	going, _, err := r.Forum.Attendees(ctx, w.ID, nil)
	if err != nil {
		return err
	}
	for _, m := range going {
		d.add(m.ID, k)
	}
	return nil
}

// toForumWatchers tells the members watching the forum of the event's
// post (while the post stands).
func (r *Deriver) toForumWatchers(ctx context.Context, d *deriving, k Kind) error {
	p, t, err := r.post(ctx, d.e.PostID)
	if p == nil {
		return err
	}
	ws, err := r.Store.Watchers(ctx, TargetForum, t.ForumID)
	if err != nil {
		return err
	}
	for _, m := range ws {
		d.add(m, k)
	}
	return nil
}

// toStaff tells every local member with at least role.
func (r *Deriver) toStaff(ctx context.Context, d *deriving, role forum.Role, k Kind) error {
	cursor := ""
	for {
		page, err := r.Forum.ListMembers(ctx, cursor)
		if err != nil {
			return err
		}
		for _, m := range page.Items {
			if m.Role.AtLeast(role) {
				d.add(m.ID, k)
			}
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}

// localOnly keeps the notifications of this node's members.
func (r *Deriver) localOnly(ctx context.Context, byMember map[forum.ID]*Notification) ([]*Notification, error) {
	if len(byMember) == 0 {
		return nil, nil
	}
	ids := make([]forum.ID, 0, len(byMember))
	for id := range byMember {
		ids = append(ids, id)
	}
	ms, err := r.Forum.Members(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []*Notification
	for _, id := range ids {
		if m := ms[id]; m != nil && m.Local() {
			out = append(out, byMember[id])
		}
	}
	slices.SortFunc(out, func(a, b *Notification) int { return cmpID(a.MemberID, b.MemberID) })
	return out, nil
}

func cmpID(a, b forum.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
