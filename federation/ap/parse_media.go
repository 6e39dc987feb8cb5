package ap

import (
	"strings"
	"time"
)

// Attachment is a media attachment of a received post: Mastodon sends
// Document, GoToSocial Image/Video/Audio/Document, PeerTube its thumbnail
// as icon, Lemmy and Mbin a link post's thumbnail as `image`.
type Attachment struct {
	Type      string // Image, Video, Audio or Document
	URL       string
	MediaType string
	Name      string // the author's description (alt text)
}

// PollOption is one choice of a Question (oneOf/anyOf), with the votes its
// origin counted (replies.totalItems).
type PollOption struct {
	Name  string
	Votes int
}

// maxAttachments bounds how many media of one object are read.
const maxAttachments = 8

// maxPollOptions bounds how many options of one poll are read.
const maxPollOptions = 20

// media reads the media attachments and the `image` field (and a Video's
// icon) from the raw map: go-fed v1.0.0 resolves attachments only when
// they carry types it knows and drops Mastodon's extensions, and one reader
// keeps them in the order sent.
func (r reader) media(typ string) []Attachment {
	var out []Attachment
	add := func(v any, fallbackType string) {
		m, ok := v.(map[string]any)
		if !ok || len(out) == maxAttachments {
			return
		}
		t, _ := m["type"].(string)
		switch t {
		case "Image", "Video", "Audio", "Document":
		case "":
			t = fallbackType
		default:
			return // Link attachments are Links; PropertyValue and others are not media
		}
		u := hrefOf(m["url"])
		if u == "" {
			u, _ = m["href"].(string)
		}
		if u == "" || !isAbsoluteIRI(u) {
			return
		}
		mediaType, _ := m["mediaType"].(string)
		name, _ := m["name"].(string)
		if name == "" {
			name, _ = m["summary"].(string)
		}
		if t == "Document" && strings.HasPrefix(mediaType, "image/") {
			t = "Image" // Mastodon calls every attachment a Document
		}
		for _, a := range out {
			if a.URL == u {
				return
			}
		}
		out = append(out, Attachment{Type: t, URL: u, MediaType: mediaType, Name: name})
	}
	for _, v := range rawList(r.raw["attachment"]) {
		add(v, "")
	}
	for _, v := range rawList(r.raw["image"]) {
		if s, ok := v.(string); ok {
			v = map[string]any{"type": "Image", "url": s}
		}
		add(v, "Image")
	}
	if typ == TypeVideo {
		// PeerTube's thumbnails: the first is enough to recognise the video.
		if icons := rawList(r.raw["icon"]); len(icons) > 0 {
			add(icons[0], "Image")
		}
	}
	return out
}

// hrefOf reads a url value: a string, a Link (href), or a list of them
// (the first that gives one).
func hrefOf(v any) string {
	for _, e := range rawList(v) {
		switch e := e.(type) {
		case string:
			return e
		case map[string]any:
			if h, ok := e["href"].(string); ok && h != "" {
				return h
			}
		}
	}
	return ""
}

// poll reads a Question's options: oneOf (one choice) or anyOf (several).
func (r reader) poll(o *Object) {
	key := "oneOf"
	if _, ok := r.raw["anyOf"]; ok {
		key, o.Multiple = "anyOf", true
	}
	for _, v := range rawList(r.raw[key]) {
		m, ok := v.(map[string]any)
		if !ok || len(o.Options) == maxPollOptions {
			continue
		}
		name, _ := m["name"].(string)
		if strings.TrimSpace(name) == "" {
			continue
		}
		votes := 0
		if rep, ok := m["replies"].(map[string]any); ok {
			if n, ok := rep["totalItems"].(float64); ok && n >= 0 && n < 1e12 {
				votes = int(n)
			}
		}
		o.Options = append(o.Options, PollOption{Name: name, Votes: votes})
	}
	o.EndTime = r.time("endTime")
	if o.EndTime == nil {
		o.EndTime = r.time("closed") // Mastodon's closed poll: closed holds its end
	}
}

// event reads an Event's times and place (Mobilizon: location is a Place
// with a name and an address).
func (r reader) event(o *Object) {
	o.StartTime, o.EndTime = r.time("startTime"), r.time("endTime")
	if tz, ok := r.raw["timezone"].(string); ok {
		o.TimeZone = tz
	}
	// Mobilizon writes "ical:status" with the prefix in its context; a
	// server whose context maps the bare term sends "status".
	for _, key := range []string{"ical:status", "status"} {
		if st, ok := r.raw[key].(string); ok {
			switch st = strings.ToUpper(strings.TrimSpace(st)); st {
			case EventConfirmed, EventTentative, EventCancelled:
				o.EventStatus = st
			}
			break
		}
	}
	for _, v := range rawList(r.raw["location"]) {
		if m, ok := v.(map[string]any); ok {
			if t, _ := m["type"].(string); t == "VirtualLocation" && o.LocationURL == "" {
				o.LocationURL, _ = m["url"].(string)
			}
			if name, _ := m["name"].(string); strings.TrimSpace(name) != "" && o.Location == "" {
				o.Location = name
			}
		}
	}
}

// time reads an RFC 3339 time from the raw map; anything else is unknown.
func (r reader) time(key string) *time.Time {
	s, ok := r.raw[key].(string)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
