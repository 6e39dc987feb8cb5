package federation

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
// titleLine is that first line.
func titleLine(title string) string {
	return "<p><strong>" + html.EscapeString(title) + "</strong></p>"
}

// withTitleLine puts each language's title before that language's content.
func withTitleLine(o *ap.Object) {
	o.Content = titleLine(o.Name) + o.Content
	for lang, h := range o.ContentMap {
		title := o.NameMap[lang]
		if title == "" {
			title = o.Name
		}
		o.ContentMap[lang] = titleLine(title) + h
	}
}

// withoutTitleLine takes the title line back off a received question's
// HTML (another agora node's, or any server writing it the same way), so
// the title is not shown twice here.
func withoutTitleLine(h, title string) string {
	if title == "" {
		return h
	}
	rest, ok := strings.CutPrefix(h, titleLine(title))
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
	p.HTML = withoutTitleLine(p.HTML, o.Name)
	for lang, tr := range p.Translations {
		title := tr.Title
		if title == "" {
			title = o.Name
		}
		tr.HTML = withoutTitleLine(tr.HTML, title)
		p.Translations[lang] = tr
	}
}
