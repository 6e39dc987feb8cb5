package uris

import "net/url"

// ForumReportsPath lists a forum's reports (the documents moderators
// compose from its discussion; not the flags on posts).
func ForumReportsPath(slug string) string { return ForumPath(slug) + "/reports" }

// NewForumReportPath is where moderators compose a new report.
func NewForumReportPath(slug string) string { return ForumReportsPath(slug) + "/new" }

// ForumReportPath is a report's page: its stable URL once published, and
// the id of the Article that announces it.
func ForumReportPath(slug, id string) string {
	return ForumReportsPath(slug) + "/" + url.PathEscape(id)
}

// ForumReportEditPath is a report's composition form.
func ForumReportEditPath(slug, id string) string { return ForumReportPath(slug, id) + "/edit" }

// ForumReportPublishPath publishes a draft.
func ForumReportPublishPath(slug, id string) string { return ForumReportPath(slug, id) + "/publish" }

// ForumReportPDFPath and ForumReportMarkdownPath are a report's downloads.
func ForumReportPDFPath(slug, id string) string { return ForumReportPath(slug, id) + "/report.pdf" }

// ForumReportMarkdownPath is a report as Markdown.
func ForumReportMarkdownPath(slug, id string) string { return ForumReportPath(slug, id) + "/report.md" }

// ForumReport is a report's absolute URL.
func (b *Builder) ForumReport(slug, id string) string { return b.base + ForumReportPath(slug, id) }
