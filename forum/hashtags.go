package forum

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hashtags: a post's #word links to the node's page of that tag, which
// lists the threads whose posts carry it. A post carries a tag when its
// HTML links it the way our renderer and Mastodon both write hashtags,
// #<span>word</span> inside the link (so never in code, nor in a longer
// tag). Posts are found by a text search: good for a forum's size, not a
// full-text index.

// MaxTagLen bounds a hashtag, in runes.
const MaxTagLen = 100

// TaggedThreadsLimit is how many threads a tag's page lists, newest post
// first.
const TaggedThreadsLimit = 50

// taggedPostsScan bounds how many matching posts are read for one page.
const taggedPostsScan = 500

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

// TaggedThreads is a tag's page.
type TaggedThreads struct {
	Tag     string
	Threads []*Thread
	Authors map[ID]*Member
}

// TaggedThreads lists the threads (not deleted) with a post (not deleted)
// that carries #tag, the most recent post first.
func (s *Service) TaggedThreads(ctx context.Context, tag string) (*TaggedThreads, error) {
	tag, ok := NormalizeTag(tag)
	if !ok {
		return nil, ErrNotFound // no such tag can be written
	}
	posts, err := s.store.SearchPosts(ctx, []string{"#<span>" + tag + "</span>"}, taggedPostsScan)
	if err != nil {
		return nil, err
	}
	// The store ignores ASCII case only: check again, ignoring all case.
	carries := regexp.MustCompile(`(?i)#<span>` + regexp.QuoteMeta(tag) + `</span>`)
	out := &TaggedThreads{Tag: tag}
	seen := map[ID]bool{}
	var authors []ID
	for _, p := range posts {
		if seen[p.ThreadID] || len(out.Threads) >= TaggedThreadsLimit || !carries.MatchString(p.HTML) {
			continue
		}
		seen[p.ThreadID] = true
		t, err := s.store.ThreadByID(ctx, p.ThreadID)
		if err != nil {
			return nil, err
		}
		if t.DeletedAt != nil {
			continue
		}
		out.Threads = append(out.Threads, t)
		authors = append(authors, t.AuthorID)
	}
	if out.Authors, err = s.store.MembersByIDs(ctx, authors); err != nil {
		return nil, err
	}
	return out, nil
}
