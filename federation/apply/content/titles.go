package content

import (
	"html"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// What each server shows of a question (a Page):
//
//   - Lemmy, Mbin, PieFed: name as the post's title, and the markdown
//     source as its body.
//   - Mastodon: a Page is a "converted" type: name, then summary, then a
//     link to url; content is not shown.
//   - GoToSocial, Misskey/Sharkey, Pleroma/Akkoma: content as the text,
//     summary as a content warning over it, name nowhere.
//
// So a question carries no summary (a content warning hides the question
// on microblogs, which never show its name) and its content begins with
// the title as a line of its own, in each language of contentMap; the
// markdown source stays the body alone, for the threadiverse.
//
// TitleLine is that first line.
func TitleLine(title string) string {
	return "<p><strong>" + html.EscapeString(title) + "</strong></p>"
}

// WithTitleLine puts each language's title before that language's content.
func WithTitleLine(o *ap.Object) {
	o.Content = TitleLine(o.Name) + o.Content
	for lang, h := range o.ContentMap {
		title := o.NameMap[lang]
		if title == "" {
			title = o.Name
		}
		o.ContentMap[lang] = TitleLine(title) + h
	}
}

// WithoutTitleLine takes the title line back off a received question's
// HTML (another agora node's, or any server writing it the same way), so
// the title is not shown twice here.
func WithoutTitleLine(h, title string) string {
	if title == "" {
		return h
	}
	rest, ok := strings.CutPrefix(h, TitleLine(title))
	if !ok {
		return h
	}
	return strings.TrimLeft(rest, "\n")
}

// stripTitleLines takes the title lines off a received question.
func stripTitleLines(p *forum.RemotePost, o *ap.Object) {
	if o.Type != ap.TypePage && o.Type != ap.TypeEvent {
		return
	}
	p.HTML = WithoutTitleLine(p.HTML, o.Name)
	for lang, tr := range p.Translations {
		title := tr.Title
		if title == "" {
			title = o.Name
		}
		tr.HTML = WithoutTitleLine(tr.HTML, title)
		p.Translations[lang] = tr
	}
}
