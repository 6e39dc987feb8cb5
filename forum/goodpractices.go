package forum

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Good practices: a forum's moderators mark answers that others can learn
// from. The mark belongs to the forum, so only the moderators of the node
// that hosts the forum make it; other nodes hold the forum's word for it
// (federation brings the forum's Add and Remove). Reports box them.

// Events of the good-practice mark. Federation publishes them as the
// forum's Add (Remove) of the answer to its good-practices collection.
const (
	EventGoodPracticeMarked   EventKind = "goodpractice.marked"
	EventGoodPracticeUnmarked EventKind = "goodpractice.unmarked"
)

// GoodPracticeScan bounds how many marked answers one page reads: a forum
// marks dozens, a node hundreds; filters are applied to what was read.
const GoodPracticeScan = 1000

// SetGoodPractice marks (on) or unmarks an answer as a good practice. Only
// a moderator of this node, and only in a forum this node hosts: a joined
// forum's marks are its own node's. Marking twice changes nothing.
func (s *Service) SetGoodPractice(ctx context.Context, actor *Member, postID ID, on bool) (*Post, error) {
	if err := CanModerate(actor); err != nil {
		return nil, err
	}
	var p *Post
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		var err error
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if p.IsQuestion() || p.Deleted() {
			return invalid("post", "error.not_an_answer", "only answers can be good practices")
		}
		f, err := tx.ForumByID(ctx, t.ForumID)
		if err != nil {
			return err
		}
		if !f.Local() {
			return invalid("post", "error.good_practice_remote_forum",
				"good practices of a joined forum are marked by its own node's moderators")
		}
		if (p.GoodPracticeAt != nil) == on {
			return nil
		}
		kind := EventGoodPracticeUnmarked
		if on {
			now := s.clock.Now()
			p.GoodPracticeAt, p.GoodPracticeBy = &now, actor.ID
			kind = EventGoodPracticeMarked
		} else {
			p.GoodPracticeAt, p.GoodPracticeBy = nil, ""
		}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ReceiveGoodPractice applies a joined forum's mark (or unmark) of one of
// the answers in its threads. f is the forum whose own actor sent it: the
// answer must be in one of f's threads, and f must be another node's (our
// forums' marks are made here only). at is when the forum marked it.
func (s *Service) ReceiveGoodPractice(ctx context.Context, f *Forum, post *Post, on bool, at time.Time) error {
	if f.Local() {
		return ErrForbidden
	}
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, t, err := s.postAndThread(ctx, tx, post.ID)
		if err != nil {
			return err
		}
		if t.ForumID != f.ID {
			return ErrForbidden
		}
		if p.IsQuestion() || p.Deleted() {
			return invalid("post", "error.not_an_answer", "only answers can be good practices")
		}
		if (p.GoodPracticeAt != nil) == on {
			return nil
		}
		if on {
			if at.IsZero() {
				at = s.clock.Now()
			}
			at = at.UTC()
			p.GoodPracticeAt = &at
		} else {
			p.GoodPracticeAt = nil
		}
		// The forum marked it, not a member of ours.
		p.GoodPracticeBy = ""
		return tx.UpdatePost(ctx, p)
	})
}

// GoodPracticeFilter narrows a good-practice page. Empty fields match all.
type GoodPracticeFilter struct {
	ForumID  ID // "" for the whole node
	ThreadID ID // a question
	Language string
	City     string
	Tag      string
}

// GoodPractice is a marked answer with what its listing shows.
type GoodPractice struct {
	Post   *Post
	Thread *Thread
	Forum  *Forum
	Author *Member
	Tags   []string
}

// City is where the answer comes from: its author's organisation or city.
func (g *GoodPractice) City() string {
	if g.Author == nil {
		return ""
	}
	return g.Author.Organisation
}

// GoodPractices is a good-practice page: the marked answers that pass the
// filter, newest mark first, and the choices each filter offers (taken
// from every marked answer in scope, so a filter never empties its own
// menu).
type GoodPractices struct {
	Forum     *Forum // nil for the node's page
	Filter    GoodPracticeFilter
	Items     []*GoodPractice
	Total     int // marked answers in scope, before filtering
	Threads   []*Thread
	Cities    []string
	Languages []string
	Tags      []string
}

// GoodPractices lists the marked answers of a forum (or of every forum of
// the node), narrowed by the filter.
func (s *Service) GoodPractices(ctx context.Context, filter GoodPracticeFilter) (*GoodPractices, error) {
	out := &GoodPractices{Filter: filter}
	if filter.ForumID != "" {
		f, err := s.store.ForumByID(ctx, filter.ForumID)
		if err != nil {
			return nil, err
		}
		out.Forum = f
	}
	if filter.Tag != "" {
		if tag, ok := NormalizeTag(strings.TrimPrefix(filter.Tag, "#")); ok {
			out.Filter.Tag = tag
		}
	}
	posts, err := s.store.ListGoodPractices(ctx, filter.ForumID, GoodPracticeScan)
	if err != nil {
		return nil, err
	}
	all, err := s.goodPracticeItems(ctx, posts)
	if err != nil {
		return nil, err
	}
	out.Total = len(all)
	threads, cities, langs, tags := map[ID]*Thread{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, g := range all {
		threads[g.Thread.ID] = g.Thread
		if c := g.City(); c != "" {
			cities[c] = true
		}
		langs[g.Post.Language] = true
		for _, t := range g.Tags {
			tags[t] = true
		}
		if out.Filter.matches(g) {
			out.Items = append(out.Items, g)
		}
	}
	for _, t := range threads {
		out.Threads = append(out.Threads, t)
	}
	sort.Slice(out.Threads, func(i, j int) bool { return out.Threads[i].ID < out.Threads[j].ID })
	out.Cities, out.Languages, out.Tags = sortedKeys(cities), sortedKeys(langs), sortedKeys(tags)
	return out, nil
}

func (f GoodPracticeFilter) matches(g *GoodPractice) bool {
	if f.ThreadID != "" && g.Thread.ID != f.ThreadID {
		return false
	}
	if f.Language != "" && g.Post.Language != f.Language {
		return false
	}
	if f.City != "" && g.City() != f.City {
		return false
	}
	if f.Tag != "" {
		for _, t := range g.Tags {
			if t == f.Tag {
				return true
			}
		}
		return false
	}
	return true
}

// goodPracticeItems loads what the listing shows of each marked post: its
// thread, forum and author, and its themes (the hashtags of the answer and
// of its question).
func (s *Service) goodPracticeItems(ctx context.Context, posts []*Post) ([]*GoodPractice, error) {
	threads := map[ID]*Thread{}
	questions := map[ID]*Post{}
	var authorIDs, forumIDs []ID
	for _, p := range posts {
		authorIDs = append(authorIDs, p.AuthorID)
		if threads[p.ThreadID] != nil {
			continue
		}
		t, err := s.store.ThreadByID(ctx, p.ThreadID)
		if err != nil {
			return nil, err
		}
		threads[t.ID] = t
		forumIDs = append(forumIDs, t.ForumID)
		q, err := s.store.PostByID(ctx, t.RootPostID)
		if err != nil {
			return nil, err
		}
		questions[t.ID] = q
	}
	authors, err := s.store.MembersByIDs(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	forums, err := s.store.ForumsByIDs(ctx, forumIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*GoodPractice, 0, len(posts))
	for _, p := range posts {
		t := threads[p.ThreadID]
		out = append(out, &GoodPractice{Post: p, Thread: t, Forum: forums[t.ForumID], Author: authors[p.AuthorID],
			Tags: hashtagsOf(p.HTML, questions[t.ID].HTML)})
	}
	return out, nil
}

// GoodPracticeCounts tells, for each of threadIDs, how many of its answers
// are marked good practices (threads with none are left out).
func (s *Service) GoodPracticeCounts(ctx context.Context, threadIDs []ID) (map[ID]int, error) {
	if len(threadIDs) == 0 {
		return map[ID]int{}, nil
	}
	return s.store.CountGoodPractices(ctx, threadIDs)
}

// hashtagRE finds the hashtags a post's HTML carries (see hashtags.go).
var hashtagRE = regexp.MustCompile(`#<span>([^<]{1,400})</span>`)

// hashtagsOf lists the distinct hashtags of the given HTML, lower-cased,
// sorted.
func hashtagsOf(htmls ...string) []string {
	seen := map[string]bool{}
	for _, h := range htmls {
		for _, m := range hashtagRE.FindAllStringSubmatch(h, -1) {
			if tag, ok := NormalizeTag(m[1]); ok {
				seen[tag] = true
			}
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
