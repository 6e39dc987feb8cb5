package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/uris"
)

// A forum's reports (package report): the list, the report page (also its
// print view: the stylesheet lays it out on A4), its PDF and Markdown, and
// publishing. The compose form is forumreport_form.go.

// reportRoutes adds the report routes when the node has reports.
func (s *Server) reportRoutes(mux *http.ServeMux) {
	if s.cfg.Reports == nil {
		return
	}
	mux.Handle("GET /f/{slug}/reports", s.handle(s.forumReports))
	mux.Handle("GET /f/{slug}/reports/new", s.handle(s.newReportForm))
	mux.Handle("POST /f/{slug}/reports/new", s.postUpTo(maxReportFormBytes, s.createReport))
	mux.Handle("GET /f/{slug}/reports/{id}", s.handle(s.reportPage))
	mux.Handle("GET /f/{slug}/reports/{id}/edit", s.handle(s.editReportForm))
	mux.Handle("POST /f/{slug}/reports/{id}/edit", s.postUpTo(maxReportFormBytes, s.updateReport))
	mux.Handle("POST /f/{slug}/reports/{id}/publish", s.post(s.publishReport))
	mux.Handle("GET /f/{slug}/reports/{id}/report.pdf", s.handle(s.reportPDF))
	mux.Handle("GET /f/{slug}/reports/{id}/report.md", s.handle(s.reportMarkdown))
}

type reportListData struct {
	Forum     *forum.Forum
	ForumText map[string]string
	Reports   []*report.Report
	// Received are the reports of a mirrored forum, as its node announced
	// them: each links to its page there.
	Received []receivedReportView
	Lang     string
}

// receivedReportView is a mirrored forum's report in the reader's
// language when its node sent that language, else in its original one.
type receivedReportView struct {
	URL                  string
	Title, TitleLang     string
	Summary, SummaryLang string
	PublishedAt          time.Time
}

func receivedReportViews(list []*report.Received, lang string) []receivedReportView {
	out := make([]receivedReportView, 0, len(list))
	for _, r := range list {
		v := receivedReportView{URL: r.URL, PublishedAt: r.PublishedAt}
		v.Title, v.TitleLang = r.Title(lang)
		v.Summary, v.SummaryLang = r.Summary(lang)
		out = append(out, v)
	}
	return out
}

// forumReports lists a forum's reports: published ones for everyone,
// drafts too for moderators.
func (s *Server) forumReports(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	st := stateOf(r)
	list, err := s.cfg.Reports.List(r.Context(), st.viewer, f.ID)
	if err != nil {
		return err
	}
	d := reportListData{Forum: f, ForumText: forumText(f, st.tr.lang), Reports: list, Lang: st.tr.lang}
	if !f.Local() {
		received, err := s.cfg.Reports.ListReceived(r.Context(), f.ID)
		if err != nil {
			return err
		}
		d.Received = receivedReportViews(received, st.tr.lang)
	}
	s.render(w, r, http.StatusOK, "forumreports", st.tr.T("forumreport.list_title", "Forum", d.ForumText["Title"]), d)
	return nil
}

// reportOf loads the report named by the URL, as the viewer may see it,
// and checks it belongs to the forum of the URL.
func (s *Server) reportOf(r *http.Request) (*forum.Forum, *report.Report, error) {
	f, err := s.cfg.Service.ForumBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.cfg.Reports.Get(r.Context(), stateOf(r).viewer, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if rep.ForumID != f.ID {
		return nil, nil, fmt.Errorf("report %s is not %s's: %w", rep.ID, f.Slug, forum.ErrNotFound)
	}
	return f, rep, nil
}

// reportLang is the language a report is shown in: ?lang= when the report
// or the interface has it, else the reader's interface language.
func (s *Server) reportLang(r *http.Request, rep *report.Report) string {
	want := r.URL.Query().Get("lang")
	if want != "" && (slices.Contains(rep.Languages(), want) || s.catalog.supported(want)) {
		return want
	}
	return stateOf(r).tr.lang
}

// reportWords are the renderers' words in lang when the interface speaks
// it, else in the reader's interface language.
func (s *Server) reportWords(r *http.Request, lang string) report.Words {
	tr := stateOf(r).tr
	if s.catalog.supported(lang) {
		tr = s.catalog.translator(lang)
	}
	return report.Words{Lang: tr.lang, T: tr.T, LangName: languageName, Date: tr.Date}
}

// chartView is a chart with its drawing, safe to put in the page.
type chartView struct {
	*report.Chart
	SVG template.HTML
}

// contentLang is one of the languages a report can be read in.
type contentLang struct {
	Tag, Name, Href string
	Current         bool
}

type reportPageData struct {
	Forum     *forum.Forum
	ForumText map[string]string
	Doc       *report.Document
	Words     report.Words
	Summary   string
	Charts    []chartView
	Langs     []contentLang
	PDF, MD   string
	Publish   string
	Edit      string
	Error     string
}

// Notice is the "only in its original language" line of a part, or "".
func (d reportPageData) Notice(l report.Localized) string { return d.Words.Notice(l) }

// City names a city, or says none was given.
func (d reportPageData) City(c string) string {
	if c == report.UnknownCity {
		return d.Words.T("forumreport.unknown_city")
	}
	return c
}

// reportPage is a report, in the reader's language or the one asked for.
// A client that asks for ActivityPub gets the report's Article (the id
// its forum announced).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Federation != nil {
		w.Header().Add("Vary", "Accept")
		if federation.WantsActivityJSON(r) {
			body, err := s.cfg.Federation.ReportArticle(r.Context(), r.PathValue("slug"), r.PathValue("id"))
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
			_, _ = w.Write(body)
			return nil
		}
	}
	return s.showReport(w, r, http.StatusOK, "")
}

// showReport renders the report page, with a message (a refused publish).
func (s *Server) showReport(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	f, rep, err := s.reportOf(r)
	if err != nil {
		return err
	}
	lang := s.reportLang(r, rep)
	doc, err := s.cfg.Reports.Build(r.Context(), rep, lang)
	if err != nil {
		return err
	}
	st := stateOf(r)
	words := s.reportWords(r, st.tr.lang)
	words.Lang = st.tr.lang
	d := reportPageData{Forum: f, ForumText: forumText(f, st.tr.lang), Doc: doc, Words: words,
		Summary: words.Summary(doc.Stats), Error: msg,
		PDF: uris.ForumReportPDFPath(f.Slug, rep.ID) + "?lang=" + lang,
		MD:  uris.ForumReportMarkdownPath(f.Slug, rep.ID) + "?lang=" + lang}
	for _, c := range doc.Charts(words) {
		d.Charts = append(d.Charts, chartView{Chart: c, SVG: template.HTML(c.SVG())}) // escaped by report.Chart
	}
	langs := rep.Languages()
	for _, tag := range s.catalog.tags {
		if !slices.Contains(langs, tag) {
			langs = append(langs, tag)
		}
	}
	for _, tag := range langs {
		d.Langs = append(d.Langs, contentLang{Tag: tag, Name: languageName(tag), Current: tag == lang,
			Href: uris.ForumReportPath(f.Slug, rep.ID) + "?lang=" + tag})
	}
	if forum.CanModerate(st.viewer) == nil {
		d.Edit = uris.ForumReportEditPath(f.Slug, rep.ID)
		if !rep.Published() {
			d.Publish = uris.ForumReportPublishPath(f.Slug, rep.ID)
		}
	}
	s.render(w, r, status, "forumreport", doc.Title.Text, d)
	return nil
}

// publishReport publishes a draft; a refusal (an answer deleted since)
// shows the report again with the message, the draft unchanged.
func (s *Server) publishReport(w http.ResponseWriter, r *http.Request) error {
	f, rep, err := s.reportOf(r)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Reports.Publish(r.Context(), stateOf(r).viewer, rep.ID); err != nil {
		if ve := asValidation(err); ve != nil {
			return s.showReport(w, r, http.StatusUnprocessableEntity, s.validationMessage(stateOf(r).tr, ve))
		}
		return err
	}
	return s.redirectFlash(w, r, uris.ForumReportPath(f.Slug, rep.ID), "flash.report_published")
}

// reportDownload is what a download is made from: the report as the
// viewer may see it, the language asked for, the renderers' words and the
// report's URL.
func (s *Server) reportDownload(r *http.Request) (*report.Report, string, report.Words, string, error) {
	f, rep, err := s.reportOf(r)
	if err != nil {
		return nil, "", report.Words{}, "", err
	}
	lang := s.reportLang(r, rep)
	return rep, lang, s.reportWords(r, lang), s.cfg.URLs.ForumReport(f.Slug, rep.ID), nil
}

// reportPDF is the report as an A4 PDF, kept until the store changes.
func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) error {
	version := s.reportFiles.version() // before anything is read
	rep, lang, words, url, err := s.reportDownload(r)
	if err != nil {
		return err
	}
	pdf, err := s.reportFiles.get(reportFileKey(rep.ID, lang, words.Lang, "pdf", url), version, func() ([]byte, error) {
		doc, err := s.cfg.Reports.Build(r.Context(), rep, lang)
		if err != nil {
			return nil, err
		}
		return doc.PDF(words, url)
	})
	if err != nil {
		return err
	}
	s.download(w, rep, lang, "pdf", "application/pdf", pdf)
	return nil
}

// reportMarkdown is the report as Markdown.
func (s *Server) reportMarkdown(w http.ResponseWriter, r *http.Request) error {
	rep, lang, words, url, err := s.reportDownload(r)
	if err != nil {
		return err
	}
	doc, err := s.cfg.Reports.Build(r.Context(), rep, lang)
	if err != nil {
		return err
	}
	s.download(w, rep, lang, "md", "text/markdown; charset=utf-8", doc.Markdown(words, url))
	return nil
}

func (s *Server) download(w http.ResponseWriter, rep *report.Report, lang, ext, typ string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s-%s.%s"`, rep.ID, lang, ext))
	h.Set("Content-Language", lang)
	if rep.Published() {
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Last-Modified", rep.UpdatedAt.UTC().Format(http.TimeFormat))
	} else {
		h.Set("Cache-Control", "no-store")
	}
	_, _ = w.Write(body)
}
