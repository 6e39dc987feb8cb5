package forum

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hashtags: a post's #word links to the node's page of that tag, which
// lists the threads whose posts carry it. A post carries a tag when its
// HTML links it the way our renderer and Mastodon both write hashtags,
// #<span>word</span> inside the link (so never in code, nor in a longer
// tag); the store keeps each post's tags (search.Tags) as it writes the
// post, so a tag's page is read from them, paged.

// MaxTagLen bounds a hashtag, in runes.
const MaxTagLen = 100

// TaggedThreadsLimit is how many threads a page of a tag lists, newest
// post first.
const TaggedThreadsLimit = 50

// NormalizeTag checks a hashtag (without '#'): letters, digits and '_',
// at least one letter. It returns it lower-cased; ok is false for
// anything else.
func NormalizeTag(tag string) (norm string, ok bool) {
	letters := 0
	for _, r := range tag {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.Mn, r):
		default:
			return "", false
		}
	}
	if letters == 0 || utf8.RuneCountInString(tag) > MaxTagLen {
		return "", false
	}
	return strings.ToLower(tag), true
}

// TaggedThread is a thread that carries a tag, with the newest of its
// posts that carry it: the tag's page is in that post's order, and the
// next page starts after it.
type TaggedThread struct {
	Thread *Thread
	PostID ID
}

// TaggedThreads is a page of a tag.
type TaggedThreads struct {
	Tag     string
	Threads []*Thread
	Authors map[ID]*Member
	// Before is the cursor this page was read after ("" on the first);
	// Next is the next page's ("" on the last).
	Before, Next string
}

// TaggedThreads lists the threads with a post that carries #tag and that
// anyone may read (as search decides: not deleted, in a thread that is
// not, by an author and in a forum of no blocked instance), the one with
// the most recent such post first, a page at a time: cursor is the Next of
// the page before ("" for the first); one that no page gave is refused
// (error.cursor), as on every paged list.
func (s *Service) TaggedThreads(ctx context.Context, tag, cursor string) (*TaggedThreads, error) {
	tag, ok := NormalizeTag(tag)
	if !ok {
		return nil, ErrNotFound // no such tag can be written
	}
	before, err := decodeIDCursor(cursor)
	if err != nil {
		return nil, err
	}
	items, err := s.store.ListTaggedThreads(ctx, tag, before, TaggedThreadsLimit+1)
	page, err := pageOf(items, err, TaggedThreadsLimit, func(t TaggedThread) string { return t.PostID })
	if err != nil {
		return nil, err
	}
	out := &TaggedThreads{Tag: tag, Before: before, Next: page.Next}
	authors := make([]ID, 0, len(page.Items))
	for _, t := range page.Items {
		out.Threads = append(out.Threads, t.Thread)
		authors = append(authors, t.Thread.AuthorID)
	}
	if out.Authors, err = s.store.MembersByIDs(ctx, authors); err != nil {
		return nil, err
	}
	return out, nil
}
