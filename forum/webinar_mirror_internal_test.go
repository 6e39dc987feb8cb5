package forum

import (
	"strings"
	"testing"
	"time"
)

// TestCleanMirrored: what another node sends of an event is bounded
// rather than trusted: no start is refused, a bad end, zone or link
// falls back, and the language is one that has a title.
func TestCleanMirrored(t *testing.T) {
	start := time.Date(2026, 5, 17, 13, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	before, tooLong := start.Add(-time.Hour), start.Add(30*24*time.Hour)
	en := map[string]WebinarText{"en": {Title: "Launch", Description: "Webinar."}}
	tests := []struct {
		name             string
		ev               MirroredEvent
		wantErr          bool
		ends             time.Time
		zone, link, lang string
	}{
		{name: "as sent", ev: MirroredEvent{Language: "en", Texts: en, StartsAt: start, EndsAt: &end, TimeZone: "Europe/Madrid",
			OnlineURL: "https://meet.example/x"}, ends: end, zone: "Europe/Madrid", link: "https://meet.example/x", lang: "en"},
		{name: "no start", ev: MirroredEvent{Language: "en", Texts: en}, wantErr: true},
		{name: "no title", ev: MirroredEvent{Language: "en", Texts: map[string]WebinarText{"en": {Title: " "}}, StartsAt: start}, wantErr: true},
		{name: "end before start", ev: MirroredEvent{Language: "en", Texts: en, StartsAt: start, EndsAt: &before}, ends: start, zone: "UTC", lang: "en"},
		{name: "end a month on", ev: MirroredEvent{Language: "en", Texts: en, StartsAt: start, EndsAt: &tooLong}, ends: start, zone: "UTC", lang: "en"},
		{name: "unknown zone and a script link", ev: MirroredEvent{Language: "en", Texts: en, StartsAt: start, EndsAt: &end,
			TimeZone: "Mars/Olympus", OnlineURL: "javascript:alert(1)"}, ends: end, zone: "UTC", lang: "en"},
		{name: "language without a title", ev: MirroredEvent{Language: "fr", Texts: en, StartsAt: start, EndsAt: &end}, ends: end, zone: "UTC", lang: "en"},
		{name: "long title clipped", ev: MirroredEvent{Language: "en", Texts: map[string]WebinarText{"en": {Title: strings.Repeat("a", 2*MaxTitleLen)}},
			StartsAt: start, EndsAt: &end}, ends: end, zone: "UTC", lang: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := cleanMirrored(tt.ev)
			if tt.wantErr {
				if err == nil || !IsValidation(err) {
					t.Fatalf("want a validation error, got %v (%+v)", err, w)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.EndsAt.Equal(tt.ends) || w.TimeZone != tt.zone || w.OnlineURL != tt.link || w.Language != tt.lang {
				t.Errorf("got ends %v zone %q link %q lang %q", w.EndsAt, w.TimeZone, w.OnlineURL, w.Language)
			}
			if n := len([]rune(w.Texts[w.Language].Title)); n > MaxTitleLen {
				t.Errorf("title of %d runes kept", n)
			}
		})
	}
}

// TestCleanMirroredKeepsTheSameLanguages: an Event in more languages than
// are kept keeps the same ones each time it is cleaned (a resend must not
// look like a change).
func TestCleanMirroredKeepsTheSameLanguages(t *testing.T) {
	texts := map[string]WebinarText{}
	for _, l := range []string{"af", "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fa", "fi",
		"fr", "ga", "gl", "he", "hi", "hr", "hu", "id", "it", "ja", "ko", "nl", "pl", "pt", "ro"} {
		texts[l] = WebinarText{Title: "Launch " + l}
	}
	ev := MirroredEvent{Language: "en", Texts: texts, StartsAt: time.Date(2026, 5, 17, 13, 0, 0, 0, time.UTC)}
	first, err := cleanMirrored(ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Texts) != maxMirroredLanguages {
		t.Fatalf("kept %d languages, want %d", len(first.Texts), maxMirroredLanguages)
	}
	for i := 0; i < 20; i++ {
		again, err := cleanMirrored(ev)
		if err != nil {
			t.Fatal(err)
		}
		for l := range first.Texts {
			if _, ok := again.Texts[l]; !ok {
				t.Fatalf("round %d dropped %s, kept before", i, l)
			}
		}
	}
}
