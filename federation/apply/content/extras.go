package content

import (
	"html"
	"slices"
	"strings"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/forum"
)

// What a received object carries beside its text, and what stands in for
// its text when it has none. Kept apart from the apply code: these are
// readings of other servers' shapes (docs/federation.md, "Their posts
// here"), not steps of applying an activity.

// extras reads an object's media, poll, video or event and its
// content warning into the domain's Extras (forum cleans and bounds them).
func extras(o *ap.Object) forum.Extras {
	e := forum.Extras{Sensitive: o.Sensitive}
	if o.Summary != "" && strings.TrimSpace(o.Content) != "" && warns(o) {
		e.Warning = StripTags(o.Summary)
	}
	for _, a := range o.Attachments {
		e.Media = append(e.Media, forum.Media{Kind: mediaKind(a), URL: a.URL, MediaType: a.MediaType, Name: a.Name})
	}
	switch o.Type {
	case ap.TypeQuestion:
		e.Kind, e.Multiple, e.Closes = forum.KindPoll, o.Multiple, o.EndTime
		for _, opt := range o.Options {
			e.Options = append(e.Options, forum.PollOption{Name: opt.Name, Votes: opt.Votes})
		}
	case ap.TypeVideo:
		e.Kind, e.Link = forum.KindVideo, o.URL
	case ap.TypeEvent:
		e.Kind, e.Link, e.Starts, e.Ends, e.Place = forum.KindEvent, o.URL, o.StartTime, o.EndTime, o.Location
		e.Cancelled = o.EventStatus == ap.EventCancelled
	case ap.TypePage, ap.TypeArticle:
		// A link post may carry its link only in url (lotide, older Lemmy);
		// a url on the post's own host is just its page (NodeBB, Discourse).
		if o.URL != "" && !sameHost(o.URL, o.ID) && !slices.Contains(o.Links, o.URL) {
			e.Link = o.URL
		}
	}
	return e
}

// warns reports whether an object's summary is a content warning. On
// Mastodon, GoToSocial, Pleroma and Misskey a Note's (or poll's) summary
// is always one; on a Page or an Article (Lemmy, Mbin, NodeBB, ours) it is
// a teaser, and a warning only when the post says it is sensitive.
func warns(o *ap.Object) bool {
	return o.Type == ap.TypeNote || o.Type == ap.TypeQuestion || o.Sensitive
}

func mediaKind(a ap.Attachment) string {
	switch {
	case a.Type == "Image" || strings.HasPrefix(a.MediaType, "image/"):
		return forum.MediaImage
	case a.Type == "Video" || strings.HasPrefix(a.MediaType, "video/"):
		return forum.MediaVideo
	case a.Type == "Audio" || strings.HasPrefix(a.MediaType, "audio/"):
		return forum.MediaAudio
	}
	return forum.MediaDocument
}

// summaryAsBody is the text a post without content gives in its summary,
// as a paragraph, or "". A summary that repeats the title (Mbin's "title
// #tags") or warns about a body that is not there says nothing more.
func summaryAsBody(o *ap.Object) string {
	s := strings.TrimSpace(StripTags(o.Summary))
	if s == "" || o.Sensitive || (o.Name != "" && strings.HasPrefix(s, strings.TrimSpace(o.Name))) {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + html.EscapeString(para) + "</p>")
		}
	}
	return b.String()
}

// UntitledQuestionTitle titles a post that starts a question without a
// name (Mastodon, GoToSocial): its first words, without the mentions it
// opens with — "@digitalisation How do…" addresses the forum, it is not
// part of the question. Friendica (and Lemmy's "!community") address a
// group as "!digitalisation".
func UntitledQuestionTitle(o *ap.Object, body string) string {
	t := Summarize(body, 200)
	if hasMention(o) {
		for {
			first, rest, _ := strings.Cut(t, " ")
			if len(first) < 2 || (first[0] != '@' && first[0] != '!') {
				break
			}
			t = strings.TrimSpace(rest)
		}
	}
	if r := []rune(t); len(r) > 80 {
		t = strings.TrimSpace(string(r[:79])) + "…"
	}
	return t
}

func hasMention(o *ap.Object) bool {
	for _, tag := range o.Tag {
		if tag.Type == "Mention" {
			return true
		}
	}
	return false
}
