package report

import (
	"context"
	"time"

	"github.com/metropolis/agora/forum"
)

// Received is a report another node's forum published, kept by a node that
// mirrors that forum: what the forum's Article said (its title and a plain
// summary per language, its page on its own node) so that the mirror lists
// it beside the forum. The report itself stays on its node; readers follow
// URL there. See docs/federation.md, "Reports".
type Received struct {
	URI     string   // the Article's id
	ForumID forum.ID // the mirrored forum (local record)
	URL     string   // the report's page on its node
	// Language is the report's original language; Titles and Summaries
	// hold at least it.
	Language    string
	Titles      map[string]string // by language
	Summaries   map[string]string // plain text, by language
	PublishedAt time.Time
	UpdatedAt   time.Time // PublishedAt until a correction
	ReceivedAt  time.Time
}

// Bounds on what a received report keeps: a peer's Article larger than
// these is refused, not cut, so what is shown is what its forum wrote.
const (
	MaxReceivedURL       = 2000
	MaxReceivedSummary   = 600    // characters of plain text per language
	MaxReceivedContent   = 200000 // bytes of HTML per language in the Article
	MaxReceivedLanguages = MaxLanguages
)

// Title is the title in lang, else in the original language; and the
// language it is in.
func (r *Received) Title(lang string) (string, string) {
	if t := r.Titles[lang]; t != "" {
		return t, lang
	}
	return r.Titles[r.Language], r.Language
}

// Summary is the summary in lang, else in the original language; and the
// language it is in.
func (r *Received) Summary(lang string) (string, string) {
	if t := r.Summaries[lang]; t != "" {
		return t, lang
	}
	return r.Summaries[r.Language], r.Language
}

// ReceivedStore keeps the reports of mirrored forums. Implementations map
// driver errors onto forum.ErrNotFound.
type ReceivedStore interface {
	// SaveReceivedReport inserts r or replaces the one with its URI.
	SaveReceivedReport(ctx context.Context, r *Received) error
	ReceivedReport(ctx context.Context, uri string) (*Received, error)
	// DeleteReceivedReport is forum.ErrNotFound when there is none.
	DeleteReceivedReport(ctx context.Context, uri string) error
	// ListReceivedReports lists a forum's received reports, newest
	// published first.
	ListReceivedReports(ctx context.Context, forumID forum.ID, limit int) ([]*Received, error)
}

// ListReceived lists the reports of a mirrored forum its node published.
func (s *Service) ListReceived(ctx context.Context, forumID forum.ID) ([]*Received, error) {
	return s.store.ListReceivedReports(ctx, forumID, ListLimit)
}
