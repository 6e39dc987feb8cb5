package ap

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRejects(t *testing.T) {
	deep := strings.Repeat(`{"type":"Announce","id":"https://x.example/a","actor":"https://x.example/u","object":`, 50) +
		`"https://x.example/n"` + strings.Repeat(`}`, 50)
	deepJSON := `{"type":"Like","id":"https://x.example/l","actor":"https://x.example/u","object":"https://x.example/n","x":` +
		strings.Repeat(`[`, 5000) + strings.Repeat(`]`, 5000) + `}`
	tests := []struct {
		name        string
		body        string
		unsupported string // the type ErrUnsupportedType must name, if any
	}{
		{"array", `[1,2]`, ""},
		{"string", `"Create"`, ""},
		{"null", `null`, ""},
		{"not JSON", `{"type":`, ""},
		{"no type", `{"id":"https://x.example/a"}`, ""},
		{"numeric type", `{"id":"https://x.example/a","type":5}`, ""},
		{"missing id", `{"type":"Like","actor":"https://x.example/u","object":"https://x.example/n"}`, ""},
		{"relative id", `{"id":"/a","type":"Like","actor":"https://x.example/u","object":"https://x.example/n"}`, ""},
		{"numeric id", `{"id":5,"type":"Like","actor":"https://x.example/u","object":"https://x.example/n"}`, ""},
		{"object is a number", `{"id":"https://x.example/a","type":"Create","actor":"https://x.example/u","object":5}`, ""},
		{"object missing", `{"id":"https://x.example/a","type":"Like","actor":"https://x.example/u"}`, ""},
		{"object not an IRI", `{"id":"https://x.example/a","type":"Like","actor":"https://x.example/u","object":"hello"}`, ""},
		{"embedding too deep", deep, ""},
		{"unknown activity", `{"id":"https://x.example/a","type":"Dislike","actor":"https://x.example/u","object":"https://x.example/n"}`, "Dislike"},
		{"made-up type", `{"id":"https://x.example/a","type":"Bogus","object":"https://x.example/n"}`, "Bogus"},
		{"unknown embedded type", `{"id":"https://x.example/a","type":"Create","actor":"https://x.example/u","object":{"id":"https://x.example/c","type":"ChatMessage"}}`, "ChatMessage"},
		{"object where an activity is expected", `{"id":"https://x.example/n","type":"Note"}`, "Note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(context.Background(), []byte(tt.body))
			if err == nil {
				t.Fatalf("want an error, got %+v", a)
			}
			var unsupported *ErrUnsupportedType
			isUnsupported := errors.As(err, &unsupported)
			if tt.unsupported == "" && isUnsupported {
				t.Errorf("unexpected ErrUnsupportedType: %v", err)
			}
			if tt.unsupported != "" && (!isUnsupported || unsupported.Type != tt.unsupported) {
				t.Errorf("want ErrUnsupportedType{%s}, got %v", tt.unsupported, err)
			}
		})
	}
	// Deep but valid JSON in a property we ignore is fine.
	if _, err := Parse(context.Background(), []byte(deepJSON)); err != nil {
		t.Errorf("deeply nested ignored property: %v", err)
	}
}

func TestParseKindMismatch(t *testing.T) {
	ctx := context.Background()
	note := []byte(`{"id":"https://x.example/n","type":"Note"}`)
	if _, err := ParseActor(ctx, note); err == nil {
		t.Error("ParseActor accepted a Note")
	}
	if _, err := ParseCollection(ctx, note); err == nil {
		t.Error("ParseCollection accepted a Note")
	}
	if _, err := ParseObject(ctx, []byte(`{"id":"https://x.example/u","type":"Person"}`)); err == nil {
		t.Error("ParseObject accepted a Person")
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://x.example/a","type":"Create","actor":"https://x.example/u","to":"https://x.example/f","object":{"id":"https://x.example/n","type":"Note","contentMap":{"en":"hi"},"tag":{"type":"Mention","href":"https://x.example/u"},"language":{"identifier":"en"}}}`,
		`{"id":"https://x.example/a","type":"Announce","actor":"https://x.example/g","object":{"id":"https://x.example/c","type":"Create","object":{"type":"Page","id":"https://x.example/p","source":{"content":"x"}}}}`,
		`{"id":"https://x.example/a","type":"Undo","object":{"type":"Lock","object":"https://x.example/p"}}`,
		`{"id":"https://x.example/a","type":["Flag"],"object":["https://x.example/u",{"id":"https://x.example/n","type":"Note"}]}`,
		`{"id":"https://x.example/u","type":"Person","publicKey":{"id":"k","owner":5},"endpoints":[],"attachment":{"type":"PropertyValue"}}`,
		`{"id":"https://x.example/c","type":"OrderedCollection","first":{"type":"OrderedCollectionPage","orderedItems":[1,null]},"totalItems":-1}`,
		`{"@context":{"as":5},"id":"https://x.example/a","type":"Like","object":"https://x.example/n","published":7}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		_, _ = Parse(ctx, body)
		_, _ = ParseObject(ctx, body)
		_, _ = ParseActor(ctx, body)
		_, _ = ParseCollection(ctx, body)
	})
}

// A date the node cannot store or order by is unknown, never a reason to
// lose the post, nor a value that reaches code assuming a sane date (a
// pre-1970 published once panicked the ID generator).
func TestParseOddTimesAreUnknown(t *testing.T) {
	note := func(published, updated string) string {
		return `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://x.example/n","type":"Note",` +
			`"attributedTo":"https://x.example/u","content":"hi","published":` + published + `,"updated":` + updated + `}`
	}
	sane := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name               string
		published, updated string
		wantPublished      time.Time
		wantUpdated        *time.Time
	}{
		{"sane", `"2026-03-01T10:00:00Z"`, `"2026-03-01T10:00:00Z"`, sane, &sane},
		{"one second before 1970", `"1969-12-31T23:59:59Z"`, `"1969-12-31T23:59:59Z"`, time.Time{}, nil},
		{"1900", `"1900-06-01T00:00:00Z"`, `"1900-06-01T00:00:00Z"`, time.Time{}, nil},
		{"not a date", `"yesterday"`, `"tomorrow"`, time.Time{}, nil},
		{"null", `null`, `null`, time.Time{}, nil},
		{"a number", `5`, `{}`, time.Time{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseObject(context.Background(), []byte(note(tc.published, tc.updated)))
			if err != nil {
				t.Fatalf("ParseObject: %v", err)
			}
			if !o.Published.Equal(tc.wantPublished) {
				t.Errorf("published = %v, want %v", o.Published, tc.wantPublished)
			}
			if (o.Updated == nil) != (tc.wantUpdated == nil) || (o.Updated != nil && !o.Updated.Equal(*tc.wantUpdated)) {
				t.Errorf("updated = %v, want %v", o.Updated, tc.wantUpdated)
			}
		})
	}
}
