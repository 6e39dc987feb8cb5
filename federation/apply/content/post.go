package content

import (
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// RemotePost turns a received object into the domain's RemotePost;
// received is the inbox item that brought it ("" when fetched).
func RemotePost(o *ap.Object, author *forum.Member, received forum.ID) forum.RemotePost {
	p := forum.RemotePost{URI: o.ID, Author: author, Title: o.Name, HTML: o.Content, Language: o.Language, Published: o.Published,
		Updated: o.Updated, ReceivedID: received}
	if p.Language == "" && len(o.ContentMap) > 0 {
		// No stated original: take the map's first language in sort order,
		// so every node picks the same one.
		langs := slices.Sorted(maps.Keys(o.ContentMap))
		p.Language = langs[0]
	}
	if p.HTML == "" {
		p.HTML = o.ContentMap[p.Language]
	}
	if strings.TrimSpace(p.HTML) == "" {
		p.HTML = summaryAsBody(o) // lotide and others: the text in summary
	}
	p.Extras = extras(o)
	if strings.TrimSpace(p.HTML) == "" && len(o.Links) > 0 {
		// A link post without a body (Mbin, PieFed, Lemmy): show its link.
		var b strings.Builder
		for _, l := range o.Links {
			fmt.Fprintf(&b, `<p><a href="%s">%s</a></p>`, html.EscapeString(l), html.EscapeString(l))
		}
		p.HTML = b.String()
	}
	if o.Source != nil && o.Source.MediaType == "text/markdown" {
		p.Source = o.Source.Content
	}
	p.Translations = map[string]forum.Translation{}
	for lang, h := range o.ContentMap {
		if lang != p.Language {
			p.Translations[lang] = forum.Translation{HTML: h, Title: o.NameMap[lang]}
		}
	}
	stripTitleLines(&p, o)
	return p
}
