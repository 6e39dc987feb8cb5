package ap

import (
	"context"
	"reflect"
	"testing"
)

// TestParseLinksAndNullContent: a link post's Link attachments are kept
// (http and https only, at most maxLinks), other attachments are not, and
// a contentMap whose only entry is null still names the language (Mbin).
func TestParseLinksAndNullContent(t *testing.T) {
	o, err := ParseObject(context.Background(), []byte(`{
  "@context": ["https://mbin.example/contexts"],
  "id": "https://mbin.example/m/a/t/1", "type": "Page", "name": "A link",
  "attributedTo": "https://mbin.example/u/k", "content": null, "contentMap": {"pl": null},
  "source": "https://example.org/report",
  "attachment": [
    {"type": "Link", "href": "https://example.org/report"},
    {"type": "Link", "href": "javascript:alert(1)"},
    {"type": "Image", "url": "https://example.org/a.png"},
    {"type": "Link", "href": "http://example.org/2"},
    {"type": "Link", "href": "https://example.org/3"},
    {"type": "Link", "href": "https://example.org/4"},
    {"type": "Link", "href": "https://example.org/5"}
  ]
}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.org/report", "http://example.org/2", "https://example.org/3", "https://example.org/4"}
	if !reflect.DeepEqual(o.Links, want) {
		t.Errorf("Links = %q, want %q", o.Links, want)
	}
	if o.Content != "" || o.Language != "pl" || o.Source != nil {
		t.Errorf("content %q, language %q, source %+v", o.Content, o.Language, o.Source)
	}
}
