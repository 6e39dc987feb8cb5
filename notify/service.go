package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/forum"
)

// Service is what pages ask of notifications: a member's list, grouped,
// the unread count, marking read, watching and read positions.
type Service struct {
	Store Store
	Now   func() time.Time
}

// PageSize is how many notifications one page of the list holds.
const PageSize = 50

// Group is notifications of one kind about one thing ("3 new answers in
// …"), newest first.
type Group struct {
	Kind     Kind
	Newest   *Notification
	Count    int
	Unread   int
	IDs      []forum.ID
	ActorIDs []forum.ID // distinct, newest first
}

// Page is one page of a member's notifications, grouped.
type Page struct {
	Groups []*Group
	// Next is the cursor of the next (older) page; "" when none.
	Next string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// List returns the page of memberID's notifications before cursor ("" for
// the newest), grouped by kind and subject in the order of each group's
// newest.
func (s *Service) List(ctx context.Context, memberID forum.ID, cursor string) (*Page, error) {
	if cursor != "" && !forum.ValidID(cursor) {
		cursor = ""
	}
	ns, err := s.Store.ListNotifications(ctx, memberID, cursor, PageSize+1)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	p := &Page{}
	if len(ns) > PageSize {
		ns = ns[:PageSize]
		p.Next = ns[len(ns)-1].ID
	}
	p.Groups = GroupNotifications(ns)
	return p, nil
}

// subject is what a group is about: a thread, a forum, or nothing more
// than the kind (invitations).
func subject(n *Notification) string {
	switch n.Kind {
	case KindQuestion, KindFollowRequest, KindForumGoodPractice:
		return "f:" + n.ForumID
	case KindInvitationUsed, KindFollow:
		return ""
	case KindHelpful, KindGoodPractice, KindReport:
		return "p:" + n.PostID
	}
	return "t:" + n.ThreadID
}

// GroupNotifications groups notifications (newest first) by kind and
// subject, in the order of each group's newest.
func GroupNotifications(ns []*Notification) []*Group {
	var out []*Group
	by := map[string]*Group{}
	for _, n := range ns {
		key := string(n.Kind) + "|" + subject(n)
		g := by[key]
		if g == nil {
			g = &Group{Kind: n.Kind, Newest: n}
			by[key] = g
			out = append(out, g)
		}
		g.Count++
		g.IDs = append(g.IDs, n.ID)
		if n.ReadAt == nil {
			g.Unread++
		}
		if n.ActorID != "" && !contains(g.ActorIDs, n.ActorID) {
			g.ActorIDs = append(g.ActorIDs, n.ActorID)
		}
	}
	return out
}

func contains(ids []forum.ID, id forum.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Unread counts memberID's unread notifications.
func (s *Service) Unread(ctx context.Context, memberID forum.ID) (int, error) {
	return s.Store.CountUnread(ctx, memberID)
}

// MarkRead marks notifications ids of memberID read; all of them when ids
// is empty. Others' notifications are left alone.
func (s *Service) MarkRead(ctx context.Context, memberID forum.ID, ids []forum.ID) error {
	for _, id := range ids {
		if !forum.ValidID(id) {
			return fmt.Errorf("notification %q: %w", id, forum.ErrNotFound)
		}
	}
	return s.Store.MarkRead(ctx, memberID, ids, s.now())
}

// SetWatch is a member's choice to watch (or not) a thread or a forum.
func (s *Service) SetWatch(ctx context.Context, memberID forum.ID, t Target, id forum.ID, watching bool) error {
	return s.Store.SetWatch(ctx, memberID, t, id, watching, false, s.now())
}

// Watching reports whether the member watches the target.
func (s *Service) Watching(ctx context.Context, memberID forum.ID, t Target, id forum.ID) (bool, error) {
	return s.Store.Watching(ctx, memberID, t, id)
}

// ThreadMarks are memberID's watch, read position and helpful marks on
// the page of threadID that shows postIDs, read together (a member's
// thread page asks on every request).
func (s *Service) ThreadMarks(ctx context.Context, memberID, threadID forum.ID, postIDs []forum.ID) (ThreadMarks, error) {
	m, err := s.Store.ThreadMarks(ctx, memberID, threadID, postIDs)
	if err != nil {
		return ThreadMarks{}, fmt.Errorf("thread marks: %w", err)
	}
	return m, nil
}

// Prefs returns a member's settings.
func (s *Service) Prefs(ctx context.Context, memberID forum.ID) (Prefs, error) {
	return s.Store.NotifyPrefs(ctx, memberID)
}

// SavePrefs stores a member's settings; unknown kinds or modes are refused.
func (s *Service) SavePrefs(ctx context.Context, memberID forum.ID, p Prefs) error {
	for k, m := range p.Mail {
		if !contains(kindIDs(), string(k)) || !m.Valid() {
			return fmt.Errorf("mail setting %s=%s: %w", k, m, forum.ErrNotFound)
		}
	}
	return s.Store.SaveNotifyPrefs(ctx, memberID, p)
}

func kindIDs() []forum.ID {
	out := make([]forum.ID, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
}

// Read records that memberID has read thread up to postID.
func (s *Service) Read(ctx context.Context, memberID, threadID, postID forum.ID) error {
	return s.Store.SetReadPosition(ctx, memberID, threadID, postID, s.now())
}

// Unseen reports which of threads have posts memberID has not read: a
// thread opened before with newer posts since, or one never opened whose
// last post came after the member joined.
func (s *Service) Unseen(ctx context.Context, member *forum.Member, threads []*forum.Thread) (map[forum.ID]bool, error) {
	ids := make([]forum.ID, len(threads))
	for i, t := range threads {
		ids[i] = t.ID
	}
	pos, err := s.Store.ReadPositions(ctx, member.ID, ids)
	if err != nil {
		return nil, err
	}
	out := map[forum.ID]bool{}
	for _, t := range threads {
		if p, ok := pos[t.ID]; ok {
			out[t.ID] = t.LastPostID > p
		} else {
			out[t.ID] = t.LastPostAt.After(member.CreatedAt)
		}
	}
	return out, nil
}

// Position is memberID's read position in a thread ("" if never opened).
func (s *Service) Position(ctx context.Context, memberID, threadID forum.ID) (forum.ID, error) {
	pos, err := s.Store.ReadPositions(ctx, memberID, []forum.ID{threadID})
	if err != nil {
		return "", err
	}
	return pos[threadID], nil
}
