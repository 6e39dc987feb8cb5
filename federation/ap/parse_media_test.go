package ap

import (
	"context"
	"testing"
	"time"
)

// TestParseMediaPollEvent reads media, polls and events in the shapes
// servers send, and odd values in their place without failing the post.
func TestParseMediaPollEvent(t *testing.T) {
	ctx := context.Background()
	t.Run("Mastodon Document image, GoToSocial Image, Lemmy image, odd entries", func(t *testing.T) {
		o, err := ParseObject(ctx, []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/s/1","type":"Note","content":"",
"attachment":[{"type":"Document","mediaType":"image/jpeg","url":"https://a.example/m/1.jpg","name":"A map"},
 {"type":"Image","url":[{"type":"Link","href":"https://a.example/m/2.png"}],"summary":"Chart"},
 {"type":"Link","href":"https://a.example/link"},{"type":"PropertyValue","name":"x","value":"y"},
 {"type":"Image","url":42},{"type":"Image","url":"javascript:alert(1)"},"https://a.example/bare",7],
"image":{"type":"Image","url":"https://a.example/m/1.jpg"}}`))
		if err != nil {
			t.Fatal(err)
		}
		want := []Attachment{{Type: "Image", URL: "https://a.example/m/1.jpg", MediaType: "image/jpeg", Name: "A map"},
			{Type: "Image", URL: "https://a.example/m/2.png", Name: "Chart"}}
		if len(o.Attachments) != len(want) || o.Attachments[0] != want[0] || o.Attachments[1] != want[1] {
			t.Errorf("attachments %+v, want %+v", o.Attachments, want)
		}
	})
	t.Run("Question anyOf with counts, odd options", func(t *testing.T) {
		o, err := ParseObject(ctx, []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/s/2","type":"Question","content":"<p>?</p>",
"anyOf":[{"type":"Note","name":"A","replies":{"type":"Collection","totalItems":3}},{"type":"Note","name":"B","replies":{"totalItems":-4}},
 {"type":"Note","name":""},"C",{"name":"D","replies":"x"}],"closed":"2026-12-01T00:00:00Z"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !o.Multiple || len(o.Options) != 3 || o.Options[0] != (PollOption{"A", 3}) || o.Options[1] != (PollOption{"B", 0}) ||
			o.Options[2] != (PollOption{"D", 0}) || o.EndTime == nil || !o.EndTime.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("poll %+v %v %v", o.Options, o.Multiple, o.EndTime)
		}
	})
	t.Run("Event times and place; unreadable times are unknown", func(t *testing.T) {
		o, err := ParseObject(ctx, []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/e/1","type":"Event","name":"Meetup",
"startTime":"2026-12-10T18:00:00+01:00","endTime":12,"location":[{"type":"Place","name":"Library"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if o.StartTime == nil || !o.StartTime.Equal(time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC)) || o.EndTime != nil || o.Location != "Library" {
			t.Errorf("event %v %v %q", o.StartTime, o.EndTime, o.Location)
		}
	})
	t.Run("Event status as Mobilizon writes it, round trip, odd values", func(t *testing.T) {
		for _, c := range []struct{ name, raw, want string }{
			{"Mobilizon", `"ical:status":"CANCELLED"`, EventCancelled},
			{"bare term, lower case", `"status":"confirmed"`, EventConfirmed},
			{"unknown word", `"ical:status":"POSTPONED"`, ""},
			{"not a string", `"ical:status":7`, ""},
		} {
			o, err := ParseObject(ctx, []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/e/2","type":"Event",`+c.raw+`}`))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if o.EventStatus != c.want {
				t.Errorf("%s: status %q, want %q", c.name, o.EventStatus, c.want)
			}
		}
		body, err := Marshal(&Object{ID: "https://agora.example/t/1", Type: TypeEvent, Name: "Launch", EventStatus: EventCancelled})
		if err != nil {
			t.Fatal(err)
		}
		o, err := ParseObject(ctx, body)
		if err != nil || o.EventStatus != EventCancelled {
			t.Errorf("round trip: %q (%v)\n%s", o.EventStatus, err, body)
		}
	})
}
