package forum

import (
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Post kinds beside plain text: what a post written on another server is
// when it is more than text. They are shown read-only: the node neither
// votes in a poll, nor plays a video, nor takes part in an event.
const (
	KindPoll  = "poll"  // a Question with its options (Mastodon, GoToSocial, Misskey, Pleroma)
	KindVideo = "video" // a PeerTube Video: a link card
	KindEvent = "event" // a Mobilizon (or Friendica) Event: its start time
)

// Media kinds.
const (
	MediaImage    = "image"
	MediaVideo    = "video"
	MediaAudio    = "audio"
	MediaDocument = "document"
)

// Bounds on what a received post may carry beside its text.
const (
	MaxMedia       = 8
	MaxPollOptions = 20
	maxExtraText   = 1500 // a warning, an alt text, an option, a place
	maxExtraURL    = 2000
)

// Extras are what a post written on another server carries beside its
// text: a content warning, media, a poll's options, a video's or an
// event's link and times. Local posts have none.
type Extras struct {
	Kind string `json:"kind,omitempty"` // KindPoll, KindVideo, KindEvent or "" (text)
	// Warning is a content warning (Mastodon's and GoToSocial's summary on
	// a sensitive post): the body is shown only behind it. Sensitive alone
	// (Lemmy's NSFW flag) gives a warning without words of its own.
	Warning   string `json:"warning,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// Link is the page a video or an event lives on.
	Link  string  `json:"link,omitempty"`
	Media []Media `json:"media,omitempty"`
	// Options are a poll's choices with the votes the origin counted;
	// Multiple when several may be chosen (anyOf); Closes is its end.
	Options  []PollOption `json:"options,omitempty"`
	Multiple bool         `json:"multiple,omitempty"`
	Closes   *time.Time   `json:"closes,omitempty"`
	// Starts, Ends and Place are an event's.
	Starts *time.Time `json:"starts,omitempty"`
	Ends   *time.Time `json:"ends,omitempty"`
	Place  string     `json:"place,omitempty"`
	// Cancelled is an event its organiser cancelled (ical:status
	// CANCELLED).
	Cancelled bool `json:"cancelled,omitempty"`
}

// Media is an attachment kept as a link: it is never embedded, so a
// reader's browser asks nothing of the server it lives on until the
// reader follows the link (docs/federation.md, "Media").
type Media struct {
	Kind      string `json:"kind"` // MediaImage, MediaVideo, MediaAudio or MediaDocument
	URL       string `json:"url"`
	MediaType string `json:"mediaType,omitempty"`
	// Name is the description the author gave (alt text); empty if none.
	Name string `json:"name,omitempty"`
}

// PollOption is one choice of a poll.
type PollOption struct {
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

// IsZero reports whether there is nothing beside the text.
func (e Extras) IsZero() bool { return reflect.DeepEqual(e, Extras{}) }

// Equal reports whether two Extras say the same.
func (e Extras) Equal(o Extras) bool { return reflect.DeepEqual(e.normal(), o.normal()) }

// normal makes empty lists nil, so that a value read back from storage
// equals the one written.
func (e Extras) normal() Extras {
	if len(e.Media) == 0 {
		e.Media = nil
	}
	if len(e.Options) == 0 {
		e.Options = nil
	}
	return e
}

// Shows reports whether the extras alone make a post worth showing: a
// post with media, a poll, a link or a start time needs no text.
func (e Extras) Shows() bool {
	return len(e.Media) > 0 || len(e.Options) > 0 || e.Link != "" || e.Starts != nil
}

// cleanExtras bounds what another server sent: known kinds, http(s) links
// only, clipped texts, capped lists, storable times.
func cleanExtras(e Extras) Extras {
	out := Extras{Warning: clip(strings.TrimSpace(e.Warning), maxExtraText), Sensitive: e.Sensitive || strings.TrimSpace(e.Warning) != "",
		Link: webURL(e.Link), Multiple: e.Multiple, Place: clip(strings.TrimSpace(e.Place), maxExtraText)}
	switch e.Kind {
	case KindPoll, KindVideo, KindEvent:
		out.Kind = e.Kind
	}
	out.Cancelled = e.Cancelled && out.Kind == KindEvent
	for _, m := range e.Media {
		u := webURL(m.URL)
		if u == "" || len(out.Media) == MaxMedia {
			continue
		}
		switch m.Kind {
		case MediaImage, MediaVideo, MediaAudio:
		default:
			m.Kind = MediaDocument
		}
		out.Media = append(out.Media, Media{Kind: m.Kind, URL: u, MediaType: clip(m.MediaType, 100), Name: clip(strings.TrimSpace(m.Name), maxExtraText)})
	}
	for _, o := range e.Options {
		name := clip(strings.TrimSpace(o.Name), maxExtraText)
		if name == "" || len(out.Options) == MaxPollOptions {
			continue
		}
		out.Options = append(out.Options, PollOption{Name: name, Votes: max(o.Votes, 0)})
	}
	if out.Kind == KindPoll && len(out.Options) == 0 {
		out.Kind, out.Multiple = "", false
	}
	out.Closes, out.Starts, out.Ends = storableTime(e.Closes), storableTime(e.Starts), storableTime(e.Ends)
	return out.normal()
}

// webURL is u if it is an absolute http(s) URL of sane length, else "".
func webURL(u string) string {
	if len(u) > maxExtraURL {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil {
		return ""
	}
	return p.String()
}

func storableTime(t *time.Time) *time.Time {
	if t == nil || !Storable(*t) {
		return nil
	}
	u := t.UTC()
	return &u
}
