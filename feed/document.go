package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/forum"
)

// Document is a feed before it is written in a format.
type Document struct {
	// ID is the feed's permanent id (its Atom URL).
	ID    string
	Title string
	// Language is the feed's: its title's, and the entries' default.
	Language string
	// Page is the HTML page the feed follows; Atom and RSS are the feed's
	// own URLs in each format.
	Page, Atom, RSS string
	// Updated is the newest entry's time (since when nothing changed).
	Updated time.Time
	Entries []Entry
}

// Entry is one post of a feed.
type Entry struct {
	ID, Link string // the post's permanent URL, and where it is read
	Title    string
	// TitleLanguage is the title's language (a thread's), Language the
	// post's: an answer in Spanish to an English question carries both.
	TitleLanguage, Language string
	AuthorName, AuthorURL   string
	HTML                    string
	Published, Updated      time.Time
}

// Links builds the URLs an entry needs from a post.
type Links interface {
	// Post is the post's permanent URL; Read where it is read (the
	// thread, at the post).
	Post(p Post) (id, read string)
	// Author is where its author is presented.
	Author(m *forum.Member) string
}

// Build selects q's posts from store and makes them a document's entries;
// head gives the feed's title, id, language and URLs. An answer's title is
// "Re: " and its thread's title, as mail does: no sentence to translate
// into the post's language.
func Build(ctx context.Context, store Store, links Links, head Document, q Query) (*Document, error) {
	if q.Limit <= 0 || q.Limit > Size {
		q.Limit = Size
	}
	posts, err := store.FeedPosts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("feed posts: %w", err)
	}
	ids := make([]forum.ID, 0, len(posts))
	for _, p := range posts {
		ids = append(ids, p.AuthorID)
	}
	authors, err := store.MembersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("feed authors: %w", err)
	}
	d := head
	d.Entries = make([]Entry, 0, len(posts))
	for _, p := range posts {
		id, read := links.Post(p)
		e := Entry{ID: id, Link: read, Title: p.Title, TitleLanguage: p.ThreadLanguage, Language: p.Language,
			HTML: p.HTML, Published: p.CreatedAt.UTC(), Updated: p.Updated().UTC()}
		if !p.Question {
			e.Title = "Re: " + p.Title
		}
		if m := authors[p.AuthorID]; m != nil {
			e.AuthorName, e.AuthorURL = m.DisplayName, links.Author(m)
			if e.AuthorName == "" {
				e.AuthorName = m.Username
			}
		}
		if e.Updated.After(d.Updated) {
			d.Updated = e.Updated
		}
		d.Entries = append(d.Entries, e)
	}
	return &d, nil
}
