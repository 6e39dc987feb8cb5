package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/metropolis/agora/forum"
)

// Document is a report ready to render in one language: the moderators'
// texts in that language where they exist (else in the original, marked),
// each question with its highlights and boxed good practices grouped by
// city, and the numbers of the discussion.
type Document struct {
	Report *Report
	Forum  *forum.Forum
	// Lang is the language asked for; parts not in it say so (Localized).
	Lang         string
	Title        Localized
	ForumTitle   Localized
	Introduction Localized // markdown
	Conclusion   Localized // markdown
	Sections     []*Section
	Stats        Stats
	// Missing counts boxed answers that are gone (deleted since the report
	// was saved): moderators are told, readers see the rest.
	Missing int
}

// Localized is a text in the language it could be found in. Original is
// set when that is not the language asked for: renderers add a notice.
type Localized struct {
	Text     string
	Lang     string
	Original bool
	// HTML is Text rendered, for the moderators' markdown (introduction,
	// conclusion, highlights); empty otherwise.
	HTML string
}

// Section is one debate question of the report.
type Section struct {
	Number     int
	Thread     *forum.Thread
	Title      Localized
	Highlights Localized // markdown
	Answers    int       // answers that still stand
	Cities     []*CityBox
}

// CityBox is the good practices of one city under a question.
type CityBox struct {
	City      string
	Practices []*Practice
}

// Practice is a boxed answer: its text in the language asked for when a
// translation exists (HTML), with its author.
type Practice struct {
	Post   *forum.Post
	Author *forum.Member
	City   string
	HTML   Localized
	// Source is the answer's markdown when the original is shown (the
	// Markdown export keeps it as written).
	Source string
}

// Count is one bar of a chart: a label and its number.
type Count struct {
	Label string
	N     int
}

// Stats are the numbers of the discussion behind a report, counted over
// the report's questions: posts that still stand, their authors and the
// authors' cities (a member's organisation or city; "" when unknown).
type Stats struct {
	Questions int
	Answers   int
	Members   int
	// Cities counts answers per city, most first; members with no city
	// are counted under "".
	Cities []Count
	// CityMembers counts the members who took part per city.
	CityMembers map[string]int
	// Languages counts answers per language, most first.
	Languages []Count
	// Timeline counts answers per day (UTC) from the first to the last,
	// days without answers included; per week (Monday) when the
	// discussion spans more than 62 days.
	Timeline []Count
	Weekly   bool
	First    time.Time
	Last     time.Time
	// GoodPractices counts the boxed answers shown.
	GoodPractices int
}

// UnknownCity is the key of answers whose author names no city.
const UnknownCity = ""

// Build fills the report in from the discussion, for lang.
func (s *Service) Build(ctx context.Context, r *Report, lang string) (*Document, error) {
	f, err := s.disc.ForumByID(ctx, r.ForumID)
	if err != nil {
		return nil, fmt.Errorf("report %s: forum: %w", r.ID, err)
	}
	d := &Document{Report: r, Forum: f, Lang: lang}
	d.Title = pick(lang, r.Language, func(l string) string { return r.Texts[l].Title }, r.Languages())
	ft, fl := f.Text(lang)
	d.ForumTitle = Localized{Text: ft.Title, Lang: fl, Original: fl != lang}
	d.Introduction = pick(lang, r.Language, func(l string) string { return r.Texts[l].Introduction }, r.Languages())
	d.Conclusion = pick(lang, r.Language, func(l string) string { return r.Texts[l].Conclusion }, r.Languages())
	for _, l := range []*Localized{&d.Introduction, &d.Conclusion} {
		if err := s.renderHTML(l); err != nil {
			return nil, err
		}
	}

	acc := newTally()
	for _, q := range r.Questions {
		sec, err := s.section(ctx, q, lang, r, acc)
		if errors.Is(err, forum.ErrNotFound) {
			d.Missing++ // the thread is gone: its section goes
			continue
		} else if err != nil {
			return nil, err
		}
		sec.Number = len(d.Sections) + 1
		d.Sections = append(d.Sections, sec)
	}
	members, err := s.disc.MembersByIDs(ctx, acc.memberIDs())
	if err != nil {
		return nil, fmt.Errorf("report %s: members: %w", r.ID, err)
	}
	d.Stats = acc.stats(members)
	d.Stats.Questions = len(d.Sections)
	for _, sec := range d.Sections {
		if err := s.boxes(ctx, sec, r, lang, members, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// section reads one question's thread and counts its posts.
func (s *Service) section(ctx context.Context, q Question, lang string, r *Report, acc *tally) (*Section, error) {
	t, err := s.disc.ThreadByID(ctx, q.ThreadID)
	if err != nil {
		return nil, err
	}
	if t.DeletedAt != nil || t.ForumID != r.ForumID {
		return nil, forum.ErrNotFound
	}
	root, err := s.disc.PostByID(ctx, t.RootPostID)
	if err != nil {
		return nil, fmt.Errorf("question %s: %w", t.ID, err)
	}
	sec := &Section{Thread: t, Title: Localized{Text: t.Title, Lang: t.Language, Original: t.Language != lang}}
	if tr, ok := root.Translations[lang]; ok && tr.Title != "" && t.Language != lang {
		sec.Title = Localized{Text: tr.Title, Lang: lang}
	}
	langs := sortedKeys(q.Highlights)
	sec.Highlights = pick(lang, r.Language, func(l string) string { return q.Highlights[l] }, langs)
	if err := s.renderHTML(&sec.Highlights); err != nil {
		return nil, err
	}
	var after forum.PostCursor
	scanned := 0
	for scanned < MaxPostsScanned {
		posts, err := s.disc.ListPosts(ctx, t.ID, after, 500)
		if err != nil {
			return nil, fmt.Errorf("question %s: posts: %w", t.ID, err)
		}
		for _, p := range posts {
			if !p.Deleted() {
				acc.add(p)
				if !p.IsQuestion() {
					sec.Answers++
				}
			}
		}
		scanned += len(posts)
		if len(posts) < 500 {
			break
		}
		last := posts[len(posts)-1]
		after = forum.PostCursor{BranchID: last.BranchID, ID: last.ID}
	}
	return sec, nil
}

// boxes loads a section's boxed answers, grouped by city in the order of
// each city's first box. Answers deleted since are left out and counted.
func (s *Service) boxes(ctx context.Context, sec *Section, r *Report, lang string, members map[forum.ID]*forum.Member, d *Document) error {
	var q Question
	for _, rq := range r.Questions {
		if rq.ThreadID == sec.Thread.ID {
			q = rq
		}
	}
	byCity := map[string]*CityBox{}
	for _, id := range q.Boxes {
		p, err := s.disc.PostByID(ctx, id)
		if errors.Is(err, forum.ErrNotFound) {
			d.Missing++
			continue
		} else if err != nil {
			return fmt.Errorf("boxed answer %s: %w", id, err)
		}
		if p.Deleted() || p.ThreadID != sec.Thread.ID || p.IsQuestion() {
			d.Missing++
			continue
		}
		author := members[p.AuthorID]
		if author == nil {
			ms, err := s.disc.MembersByIDs(ctx, []forum.ID{p.AuthorID})
			if err != nil {
				return err
			}
			author = ms[p.AuthorID]
		}
		city := cityOf(author)
		pr := &Practice{Post: p, Author: author, City: city,
			HTML: Localized{Text: p.HTML, Lang: p.Language, Original: p.Language != lang}, Source: p.Source}
		if tr, ok := p.Translations[lang]; ok && tr.HTML != "" && p.Language != lang {
			pr.HTML, pr.Source = Localized{Text: tr.HTML, Lang: lang}, ""
		}
		box := byCity[city]
		if box == nil {
			box = &CityBox{City: city}
			byCity[city] = box
			sec.Cities = append(sec.Cities, box)
		}
		box.Practices = append(box.Practices, pr)
		d.Stats.GoodPractices++
	}
	return nil
}

// renderHTML renders a moderators' markdown text.
func (s *Service) renderHTML(l *Localized) error {
	if l.Text == "" {
		return nil
	}
	h, err := s.render.Render(l.Text)
	if err != nil {
		return fmt.Errorf("render report text: %w", err)
	}
	l.HTML = h
	return nil
}

// pick finds a text in lang, else in the original language, else in the
// first other language that has it.
func pick(lang, original string, get func(string) string, others []string) Localized {
	if t := get(lang); t != "" {
		return Localized{Text: t, Lang: lang}
	}
	for _, l := range append([]string{original}, others...) {
		if t := get(l); t != "" {
			return Localized{Text: t, Lang: l, Original: true}
		}
	}
	return Localized{Lang: lang}
}

func cityOf(m *forum.Member) string {
	if m == nil {
		return UnknownCity
	}
	return m.Organisation
}

// tally counts posts as the sections read them.
type tally struct {
	answers    int
	authors    map[forum.ID]bool
	byAuthor   map[forum.ID]int // answers per author, for the city counts
	languages  map[string]int
	days       map[time.Time]int
	first, end time.Time
}

func newTally() *tally {
	return &tally{authors: map[forum.ID]bool{}, byAuthor: map[forum.ID]int{}, languages: map[string]int{},
		days: map[time.Time]int{}}
}

// add counts a post that still stands: its author takes part; an answer
// counts in the answers, languages and timeline.
func (t *tally) add(p *forum.Post) {
	t.authors[p.AuthorID] = true
	if p.IsQuestion() {
		return
	}
	t.answers++
	t.byAuthor[p.AuthorID]++
	t.languages[p.Language]++
	at := p.CreatedAt.UTC()
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	t.days[day]++
	if t.first.IsZero() || at.Before(t.first) {
		t.first = at
	}
	if at.After(t.end) {
		t.end = at
	}
}

func (t *tally) memberIDs() []forum.ID {
	ids := make([]forum.ID, 0, len(t.authors))
	for id := range t.authors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (t *tally) stats(members map[forum.ID]*forum.Member) Stats {
	st := Stats{Answers: t.answers, Members: len(t.authors), First: t.first, Last: t.end,
		CityMembers: map[string]int{}}
	cities := map[string]int{}
	for id := range t.authors {
		c := cityOf(members[id])
		st.CityMembers[c]++
		if n := t.byAuthor[id]; n > 0 {
			cities[c] += n
		} else if _, ok := cities[c]; !ok {
			cities[c] = 0 // asked but did not answer: the city took part
		}
	}
	st.Cities = ranked(cities)
	st.Languages = ranked(t.languages)
	st.Timeline, st.Weekly = timeline(t.days, t.first, t.end)
	return st
}

// ranked orders counts most first, then by label.
func ranked(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Label: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// timeline lists answers per day from first to last (per week, from the
// Monday of first's week, when that is more than 62 days).
func timeline(days map[time.Time]int, first, last time.Time) ([]Count, bool) {
	if first.IsZero() {
		return nil, false
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	start, end := day(first), day(last)
	weekly := end.Sub(start) > 62*24*time.Hour
	step := 24 * time.Hour
	if weekly {
		step *= 7
		start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7)) // back to Monday
	}
	var out []Count
	for at := start; !at.After(end); at = at.Add(step) {
		n := 0
		for d := at; d.Before(at.Add(step)); d = d.Add(24 * time.Hour) {
			n += days[d]
		}
		out = append(out, Count{Label: at.Format("2006-01-02"), N: n})
	}
	return out, weekly
}
