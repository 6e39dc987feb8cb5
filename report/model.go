// Package report turns a forum's discussion into the document Metropolis
// publishes after a learning forum: moderators compose it (the debate
// questions in order, highlights per question and language, the answers
// boxed as good-practice examples, an introduction and a conclusion), and
// the package fills in the rest from the discussion (who took part, from
// which cities, in which languages, when) and renders it: numbers, SVG
// charts, Markdown and PDF. The HTML page is web's; federation announces a
// published report as an Article.
//
// It is called "report" in the interface; in code it is a forum report,
// never to be confused with forum.Report (a flag on a post).
package report

import (
	"time"

	"github.com/metropolis/agora/forum"
)

// Status is where a report stands: drafts are seen by moderators only.
type Status string

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// EventPublished is recorded in the forum's event log, in the transaction
// that publishes a report, with the report's ID as the event's: federation
// announces the report (an Article) to the forum's followers from it.
const EventPublished forum.EventKind = "forumreport.published"

// EventCorrected is recorded, with an ID of its own and the report's as
// ReportID, each time a published report is saved again: federation
// sends its followers an Update of the report's Article, so the copies
// other nodes keep (their list of the forum's reports) show the
// corrected title and summary.
const EventCorrected forum.EventKind = "forumreport.corrected"

// Limits on what moderators type. A report's texts are long (a concept
// note, highlights of a whole debate), but one request must not fill the
// disk nor a page that nobody can render.
const (
	MaxTitleLen     = 200
	MaxTextLen      = 50000 // introduction, conclusion, one question's highlights (characters)
	MaxQuestions    = 20
	MaxBoxes        = 40 // good-practice answers boxed under one question
	MaxLanguages    = 10 // languages a report's texts exist in
	MaxPostsScanned = 5000
)

// Text is a report's own words in one language: the title, and the
// introduction and conclusion in markdown.
type Text struct {
	Title        string
	Introduction string
	Conclusion   string
}

// Question is one debate question of the report, in the report's order:
// a thread of the forum, the moderators' highlights of its answers (by
// language, markdown) and the answers boxed as good practices (in order;
// the page groups them by city).
type Question struct {
	ThreadID   forum.ID
	Highlights map[string]string
	Boxes      []forum.ID
}

// Report is what moderators compose for a forum.
type Report struct {
	ID      forum.ID
	ForumID forum.ID
	// Language is the report's original language: its texts exist at
	// least in it, and a part missing in the reader's language is shown
	// in it (with a notice).
	Language    string
	Texts       map[string]Text
	Questions   []Question
	Status      Status
	CreatedBy   forum.ID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
}

// Published reports whether the report has a public, stable URL.
func (r *Report) Published() bool { return r.Status == StatusPublished }

// Languages lists the languages the report's own texts exist in, the
// original first.
func (r *Report) Languages() []string {
	out := []string{r.Language}
	seen := map[string]bool{r.Language: true}
	add := func(l string) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, l := range sortedKeys(r.Texts) {
		add(l)
	}
	for _, q := range r.Questions {
		for _, l := range sortedKeys(q.Highlights) {
			add(l)
		}
	}
	return out
}

// Title is the report's title in lang, else in its original language.
func (r *Report) Title(lang string) string {
	if t, ok := r.Texts[lang]; ok && t.Title != "" {
		return t.Title
	}
	return r.Texts[r.Language].Title
}
