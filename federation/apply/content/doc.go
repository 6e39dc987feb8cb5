// Package content reads what a received object becomes here: the
// domain's RemotePost (its text, language versions, media, poll, video or
// event), the title line another agora node puts before a question's
// text, a question's title when its server sends none, an event's
// description and a report's summary. Pure functions of the object, with
// no store and no refusal: the rules that decide whether an object is
// taken at all are package apply's (docs/federation.md, "Their posts
// here").
package content

import (
	"net/url"
	"strings"

	"github.com/metropolis/agora/federation/ap"
)

// postTypes are the objects that become questions or answers.
var postTypes = map[string]bool{ap.TypeNote: true, ap.TypePage: true, ap.TypeArticle: true, ap.TypeQuestion: true,
	ap.TypeVideo: true, ap.TypeEvent: true}

// IsPost reports whether objects of type typ become questions or answers.
func IsPost(typ string) bool { return postTypes[typ] }

// sameHost reports whether two URLs are on the same host (and port).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}
