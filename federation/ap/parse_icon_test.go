package ap

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestParseActorIcon: an actor's picture is kept only when an app can
// load it (an http(s) address of an Image); anything else is no picture.
func TestParseActorIcon(t *testing.T) {
	tests := []struct {
		name, icon string
		want       *Image
	}{
		{"image", `{"type":"Image","mediaType":"image/webp","url":"https://a.example/p.webp"}`, &Image{URL: "https://a.example/p.webp", MediaType: "image/webp"}},
		{"bare URL", `"https://a.example/p.png"`, &Image{URL: "https://a.example/p.png"}},
		{"url as a Link", `{"type":"Image","url":{"type":"Link","href":"https://a.example/l.png"}}`, &Image{URL: "https://a.example/l.png"}},
		{"first usable of a list", `[{"type":"Image","url":"javascript:alert(1)"},{"type":"Image","url":"https://a.example/2.png"}]`, &Image{URL: "https://a.example/2.png"}},
		{"script", `{"type":"Image","url":"javascript:alert(1)"}`, nil},
		{"data URL", `{"type":"Image","url":"data:image/png;base64,AAAA"}`, nil},
		{"relative", `{"type":"Image","url":"/p.png"}`, nil},
		{"not an image", `{"type":"Video","url":"https://a.example/v.mp4"}`, nil},
		{"too long", `{"type":"Image","url":"https://a.example/` + strings.Repeat("a", maxIconURL) + `"}`, nil},
		{"a number", `42`, nil},
		{"none", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			icon := ""
			if tt.icon != "" {
				icon = `,"icon":` + tt.icon
			}
			a, err := ParseActor(context.Background(), []byte(`{"@context":"https://www.w3.org/ns/activitystreams",
				"id":"https://a.example/u/ana","type":"Person","preferredUsername":"ana","inbox":"https://a.example/u/ana/inbox"`+icon+`}`))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Icon, tt.want) {
				t.Fatalf("icon %+v, want %+v", a.Icon, tt.want)
			}
		})
	}
}
