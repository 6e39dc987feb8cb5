package federation

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

// A published report is announced by its forum: the forum's Group Creates
// an Article whose id is the report's stable URL, to every follower of the
// forum (servers and people: Mastodon shows an Article as its title and a
// link). The Article carries the report's title and a short HTML content
// (summary, introduction when short, the questions, the downloads) in
// every language the report's texts exist in (nameMap, contentMap). See
// docs/federation.md, "Reports".

// Reports is what federation reads of the forums' reports.
type Reports interface {
	// Get returns a report as viewer sees it: with a nil viewer, only a
	// published one (a draft is forum.ErrNotFound).
	Get(ctx context.Context, viewer *forum.Member, id forum.ID) (*report.Report, error)
	Build(ctx context.Context, r *report.Report, lang string) (*report.Document, error)
}

// articleIntroMax bounds the introduction an Article carries (characters
// of HTML per language): longer ones stay on the page, which the Article
// links, so the activity stays far below receivers' size limits.
const articleIntroMax = 4000

// reportActivities builds the forum's Create{Article} for a published
// report of one of its forums, or its Update{Article} for a correction.
func (f *Federation) reportActivities(ctx context.Context, e *forum.Event) ([]*outgoing, error) {
	reportID, typ := e.ID, ap.TypeCreate
	if e.Kind == report.EventCorrected {
		reportID, typ = e.ReportID, ap.TypeUpdate
	}
	art, fo, err := f.reportArticle(ctx, reportID)
	if art == nil || err != nil {
		return nil, err
	}
	forumURI := f.forumURI(fo)
	act := &ap.Activity{ID: f.urls.Activity(e.ID), Type: typ, Actor: forumURI, Object: ap.Ref{Object: art},
		To: art.To, Cc: art.Cc, Audience: forumURI, Published: e.CreatedAt}
	body, err := ap.Marshal(act)
	if err != nil {
		return nil, err
	}
	servers, people, err := f.pub.FollowerSets(ctx, forumURI)
	if err != nil {
		return nil, err
	}
	for inbox := range people {
		servers[inbox] = true
	}
	return []*outgoing{{uri: act.ID, actorURI: forumURI, typ: typ, object: art.ID, public: true, body: body,
		inboxes: servers.List()}}, nil
}

// ReportArticle is a published report's Article document (served at its
// URL to clients that ask for ActivityPub); forum.ErrNotFound for a
// draft or a report of another forum.
func (f *Federation) ReportArticle(ctx context.Context, slug string, id forum.ID) ([]byte, error) {
	art, fo, err := f.reportArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if art == nil || fo.Slug != slug {
		return nil, fmt.Errorf("report %s of %s: %w", id, slug, forum.ErrNotFound)
	}
	doc := *art
	return ap.Marshal(&doc)
}

// reportArticle builds the Article of a published report of a local
// forum; nil when there is none to publish (unknown, a draft, no reports
// configured, or a forum of another node).
func (f *Federation) reportArticle(ctx context.Context, id forum.ID) (*ap.Object, *forum.Forum, error) {
	if f.cfg.Reports == nil {
		return nil, nil, nil
	}
	rep, err := f.cfg.Reports.Get(ctx, nil, id)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	fo, err := f.svc.ForumByID(ctx, rep.ForumID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if !fo.Local() {
		return nil, nil, nil
	}
	forumURI := f.forumURI(fo)
	page := f.urls.ForumReport(fo.Slug, rep.ID)
	art := &ap.Object{ID: page, Type: ap.TypeArticle, AttributedTo: forumURI, Language: rep.Language, URL: page,
		To: []string{ap.Public}, Cc: []string{followersOf(forumURI)}, Audience: forumURI,
		NameMap: map[string]string{}, ContentMap: map[string]string{}}
	if rep.PublishedAt != nil {
		art.Published = *rep.PublishedAt
	}
	if rep.UpdatedAt.After(art.Published) {
		updated := rep.UpdatedAt
		art.Updated = &updated
	}
	for _, lang := range rep.Languages() {
		doc, err := f.cfg.Reports.Build(ctx, rep, lang)
		if err != nil {
			return nil, nil, fmt.Errorf("report %s in %s: %w", rep.ID, lang, err)
		}
		if doc.Title.Lang == lang && !doc.Title.Original {
			art.NameMap[lang] = doc.Title.Text
		}
		art.ContentMap[lang] = articleContent(doc, f.urls, fo.Slug)
		if lang == rep.Language {
			art.Name, art.Content = doc.Title.Text, art.ContentMap[lang]
		}
	}
	return art, fo, nil
}

// articleContent is the Article's HTML in the document's language: the
// introduction when short, the questions and the downloads.
// Every text is escaped or comes from the forum's renderer.
func articleContent(doc *report.Document, urls *uris.Builder, slug string) string {
	var b strings.Builder
	if h := doc.Introduction.HTML; h != "" && len(h) <= articleIntroMax {
		b.WriteString(h)
	}
	if len(doc.Sections) > 0 {
		b.WriteString("<ol>")
		for _, s := range doc.Sections {
			fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, html.EscapeString(urls.Thread(s.Thread.ID)), html.EscapeString(s.Title.Text))
		}
		b.WriteString("</ol>")
	}
	id := doc.Report.ID
	fmt.Fprintf(&b, `<p><a href="%s">PDF</a> · <a href="%s">Markdown</a></p>`,
		html.EscapeString(urls.Abs(uris.ForumReportPDFPath(slug, id)+"?lang="+doc.Lang)),
		html.EscapeString(urls.Abs(uris.ForumReportMarkdownPath(slug, id)+"?lang="+doc.Lang)))
	return b.String()
}
