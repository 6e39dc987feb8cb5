package search

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/forum"
)

// Sort orders found posts.
type Sort string

// Orders.
const (
	// Relevance: a post whose title is the query first, then posts in the
	// reader's language, then the database's rank, then newest.
	Relevance Sort = "relevance"
	// Newest: newest post first.
	Newest Sort = "newest"
)

// PostQuery is what an Index is asked for posts. Only posts anyone may
// read are found: not deleted, in a thread that is not, by an author and
// in a forum of no blocked instance.
type PostQuery struct {
	Parsed       Parsed
	ForumID      forum.ID
	AuthorID     forum.ID
	Organisation string // the author's organisation or city, exactly
	Language     string // the post's language
	GoodPractice bool   // only posts marked as good practices
	Questions    bool   // only questions
	Since, Until time.Time
	Sort         Sort
	// RankLanguage ranks posts in this language first (Relevance).
	RankLanguage string
	// Offset skips the first results (Relevance); Before keeps posts with
	// a smaller ID (Newest).
	Offset int
	Before forum.ID
	Limit  int
}

// PostHit is a post found, with what a result shows of it.
type PostHit struct {
	PostID, ThreadID, ForumID, AuthorID forum.ID
	Title                               string // the thread's
	Language                            string // the post's
	HTML                                string
	Question                            bool
	GoodPractice                        bool
	CreatedAt                           time.Time
}

// TagCount is a tag and how many posts that stand carry it.
type TagCount struct {
	Tag   string
	Count int
}

// Index is what a database answers. storage.Store implements it.
type Index interface {
	FindPosts(ctx context.Context, q PostQuery) ([]PostHit, error)
	// FindMembers finds members (local and known remote ones, none of a
	// blocked instance) whose username, name or organisation contains
	// text, ignoring ASCII case.
	FindMembers(ctx context.Context, text string, limit int) ([]*forum.Member, error)
	// FindForums finds forums whose slug or a title contains text.
	FindForums(ctx context.Context, text string, limit int) ([]*forum.Forum, error)
	// FindTags lists tags starting with prefix (all tags for ""), by tag,
	// after the tag after, with how many posts carry them.
	FindTags(ctx context.Context, prefix, after string, limit int) ([]TagCount, error)
}

// Request is a search as a reader asked it.
type Request struct {
	Text         string
	ForumID      forum.ID
	AuthorID     forum.ID
	Organisation string
	Language     string
	GoodPractice bool
	Questions    bool
	Since, Until time.Time
	Sort         Sort
	// ReaderLanguage is the reader's interface language: posts in it rank
	// higher (unless Language filters).
	ReaderLanguage string
	Cursor         string
	Limit          int
}

// Result is one post found.
type Result struct {
	PostHit
	Snippet []Segment
	// TitleMarks is the thread's title with the query's words marked: in
	// the reader's language when its question has a version in it.
	TitleMarks []Segment
	// TitleLang is the language of TitleMarks.
	TitleLang string
	Author    *forum.Member
	Forum     *forum.Forum
}

// Results answer a Request.
type Results struct {
	Parsed  Parsed
	Posts   []Result
	Members []*forum.Member // on the first page only
	Forums  []*forum.Forum
	Tags    []TagCount
	// Next is the cursor of the next page, "" on the last.
	Next string
}

// Lookup loads what results show beside their posts.
type Lookup interface {
	MembersByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Member, error)
	ForumsByIDs(ctx context.Context, ids []forum.ID) (map[forum.ID]*forum.Forum, error)
	// QuestionTitles gives the titles the threads' questions have in
	// lang, for those that have one.
	QuestionTitles(ctx context.Context, threadIDs []forum.ID, lang string) (map[forum.ID]string, error)
}

// Service answers searches.
type Service struct {
	idx    Index
	lookup Lookup
}

// NewService returns a Service over an index.
func NewService(idx Index, lookup Lookup) *Service { return &Service{idx: idx, lookup: lookup} }

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 50
	// maxOffset bounds how deep relevance paging goes: past it a reader
	// refines the query (each page would rank every match again).
	maxOffset = 1000
	sideLimit = 5 // members, forums, tags shown beside the posts
)

// Search finds posts (and, on the first page, members, forums and tags)
// for r. An empty query finds nothing; a malformed cursor starts over.
func (s *Service) Search(ctx context.Context, r Request) (*Results, error) {
	p := Parse(r.Text)
	res := &Results{Parsed: p}
	if p.Empty() {
		return res, nil
	}
	limit := r.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	q := PostQuery{Parsed: p, ForumID: r.ForumID, AuthorID: r.AuthorID, Organisation: r.Organisation,
		Language: r.Language, GoodPractice: r.GoodPractice, Questions: r.Questions,
		Since: r.Since, Until: r.Until, Sort: r.Sort, RankLanguage: baseLang(r.ReaderLanguage), Limit: limit + 1}
	if q.Sort != Newest {
		q.Sort = Relevance
	}
	if r.Language != "" {
		q.RankLanguage = r.Language
	}
	first := applyCursor(&q, r.Cursor)
	hits, err := s.idx.FindPosts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	if len(hits) > limit {
		hits = hits[:limit]
		if q.Sort == Newest {
			res.Next = encodeCursor("n" + hits[len(hits)-1].PostID)
		} else if q.Offset+limit < maxOffset {
			res.Next = encodeCursor("r" + strconv.Itoa(q.Offset+limit))
		}
	}
	if err := s.describe(ctx, res, hits, baseLang(r.ReaderLanguage)); err != nil {
		return nil, err
	}
	if first {
		text := strings.Join(p.Words, " ")
		if res.Members, err = s.idx.FindMembers(ctx, text, sideLimit); err != nil {
			return nil, fmt.Errorf("search members: %w", err)
		}
		if res.Forums, err = s.idx.FindForums(ctx, text, sideLimit); err != nil {
			return nil, fmt.Errorf("search forums: %w", err)
		}
		if len(p.Words) == 1 {
			if res.Tags, err = s.idx.FindTags(ctx, p.Words[0], "", sideLimit); err != nil {
				return nil, fmt.Errorf("search tags: %w", err)
			}
		}
	}
	return res, nil
}

// describe adds snippets, authors, forums and titles in the reader's
// language (lang, "" for none) to hits.
func (s *Service) describe(ctx context.Context, res *Results, hits []PostHit, lang string) error {
	var authors, forums, threads []forum.ID
	for _, h := range hits {
		authors = append(authors, h.AuthorID)
		forums = append(forums, h.ForumID)
		// An answer's result shows its thread's title, which may be in
		// another language than the answer: every thread is looked up.
		threads = append(threads, h.ThreadID)
	}
	titles, err := s.lookup.QuestionTitles(ctx, threads, lang)
	if err != nil {
		return fmt.Errorf("search results' titles in %s: %w", lang, err)
	}
	ms, err := s.lookup.MembersByIDs(ctx, authors)
	if err != nil {
		return fmt.Errorf("search results' authors: %w", err)
	}
	fs, err := s.lookup.ForumsByIDs(ctx, forums)
	if err != nil {
		return fmt.Errorf("search results' forums: %w", err)
	}
	for _, h := range hits {
		title, titleLang := h.Title, h.Language
		if tr, ok := titles[h.ThreadID]; ok {
			title, titleLang = tr, lang
		}
		res.Posts = append(res.Posts, Result{PostHit: h, Snippet: Snippet(h.Language, PlainText(h.HTML), res.Parsed),
			TitleMarks: Snippet(titleLang, title, res.Parsed), TitleLang: titleLang, Author: ms[h.AuthorID], Forum: fs[h.ForumID]})
	}
	return nil
}

// Similar lists questions like title, for the ask form: "was this asked
// before?". Any of the title's words but its function words (for, de,
// la…) may match; titles that share more rank first (the index's rank).
func (s *Service) Similar(ctx context.Context, title string, limit int) ([]Result, error) {
	p := Parse(title)
	if p.Empty() {
		return nil, nil
	}
	hits, err := s.idx.FindPosts(ctx, PostQuery{Parsed: anyWord(withoutFunctionWords(p)), Questions: true, Sort: Relevance, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("similar questions: %w", err)
	}
	res := &Results{Parsed: p}
	if err := s.describe(ctx, res, hits, ""); err != nil {
		return nil, err
	}
	return res.Posts, nil
}

// anyWord turns a query into one that any of its words satisfies.
func anyWord(p Parsed) Parsed {
	var all []string
	for _, g := range p.Groups {
		all = append(all, g...)
	}
	return Parsed{Groups: [][]string{dedupe(all)}, Key: p.Key, Words: p.Words}
}

// applyCursor positions q after the cursor and reports whether it is the
// first page. A cursor that does not decode is the first page.
func applyCursor(q *PostQuery, cursor string) (first bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if cursor == "" || err != nil || len(raw) < 2 {
		return true
	}
	c := string(raw)
	switch {
	case c[0] == 'n' && q.Sort == Newest:
		if forum.ValidID(c[1:]) {
			q.Before = c[1:]
			return false
		}
	case c[0] == 'r' && q.Sort == Relevance:
		if n, err := strconv.Atoi(c[1:]); err == nil && n > 0 && n < maxOffset {
			q.Offset = n
			return false
		}
	}
	return true
}

func encodeCursor(c string) string { return base64.RawURLEncoding.EncodeToString([]byte(c)) }

// TagsPageSize is how many tags /tags lists a page.
const TagsPageSize = 100

// Tags lists the tags that posts standing carry, by name, after the tag
// after, with their counts; next is the cursor of the next page ("" on
// the last).
func (s *Service) Tags(ctx context.Context, after string) (tags []TagCount, next string, err error) {
	tags, err = s.idx.FindTags(ctx, "", after, TagsPageSize+1)
	if err != nil {
		return nil, "", fmt.Errorf("list tags: %w", err)
	}
	if len(tags) > TagsPageSize {
		tags = tags[:TagsPageSize]
		next = tags[len(tags)-1].Tag
	}
	return tags, next, nil
}
