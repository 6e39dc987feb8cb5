package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

// imagesOn lists the post images a page shows: src and alt text, in order.
func imagesOn(body string) [][2]string {
	var out [][2]string
	for _, m := range imgSrc.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], html.UnescapeString(m[3])})
	}
	return out
}

// TestEditPostImages: the author's edit form removes an image, re-describes
// another and adds a new one; the thread shows the new set in order and
// the removed image's URL answers 404.
func TestEditPostImages(t *testing.T) {
	s := newSite(t)
	th := s.ask(s.cast.Toronto, "Who maps the fibre ducts?")
	marta := s.signedIn("marta")
	p := marta.postWithImages("/t/"+th.ID+"/reply",
		map[string]string{"body": "We do, see the maps.", "language": "en", "alt-1": "Old map", "alt-2": "Duct cross-section"},
		map[string][]byte{"image-1": pngOf(t, 300, 200), "image-2": pngOf(t, 200, 300)})
	if p.status != http.StatusSeeOther {
		t.Fatalf("answer with images: %d\n%s", p.status, p.body)
	}
	before := imagesOn(marta.get("/t/" + th.ID).body)
	if len(before) != 2 {
		t.Fatalf("images before the edit: %v", before)
	}
	postID := strings.Split(before[0][0], "/")[2]
	name := func(src string) string { return src[strings.LastIndex(src, "/")+1:] }

	form := marta.get("/p/" + postID + "/edit")
	for _, want := range []string{`name="kept-1" value="` + name(before[0][0]) + `"`, `name="kept-alt-2" value="Duct cross-section"`,
		`name="kept-remove-1"`, `enctype="multipart/form-data"`, `name="image-1"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}

	e := marta.postWithImages("/p/"+postID+"/edit", map[string]string{"body": "We do, see the new map.", "language": "en",
		"kept-1": name(before[0][0]), "kept-alt-1": "Old map", "kept-remove-1": "1",
		"kept-2": name(before[1][0]), "kept-alt-2": "Cross-section of a duct with four fibres",
		"alt-1": "New map of the ducts"},
		map[string][]byte{"image-1": pngOf(t, 320, 240)})
	if e.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", e.status, e.body)
	}
	after := imagesOn(marta.get("/t/" + th.ID).body)
	if len(after) != 2 || after[0][0] != before[1][0] || after[0][1] != "Cross-section of a duct with four fibres" ||
		after[1][1] != "New map of the ducts" || after[1][0] == before[0][0] {
		t.Fatalf("images after the edit: %v (before %v)", after, before)
	}
	if got := s.browser().get(before[0][0]); got.status != http.StatusNotFound {
		t.Errorf("removed image: %d, want 404", got.status)
	}
	for _, img := range after {
		if got := s.browser().get(img[0]); got.status != http.StatusOK {
			t.Errorf("GET %s: %d", img[0], got.status)
		}
	}

	// An edit sent without the image fields (no media form) keeps them.
	plain := marta.post("/p/"+postID+"/edit", map[string][]string{"body": {"Text only."}, "language": {"en"}})
	if plain.status != http.StatusSeeOther {
		t.Fatalf("plain edit: %d\n%s", plain.status, plain.body)
	}
	if got := imagesOn(marta.get("/t/" + th.ID).body); len(got) != 2 {
		t.Errorf("a text-only edit changed the images: %v", got)
	}
}

// TestEditPostImageRefusals: a kept image left without alt text, a new
// one without, or a fifth image give the form back with a message in the
// member's language and what was typed; the post is unchanged.
func TestEditPostImageRefusals(t *testing.T) {
	s := newSite(t)
	th := s.ask(s.cast.Toronto, "Who maps the fibre ducts?")
	marta := s.signedIn("marta")
	files := map[string][]byte{}
	fields := map[string]string{"body": "Four maps.", "language": "en"}
	for i, n := range []string{"1", "2", "3", "4"} {
		files["image-"+n], fields["alt-"+n] = pngOf(t, 100+i, 100), "Map "+n
	}
	if p := marta.postWithImages("/t/"+th.ID+"/reply", fields, files); p.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", p.status, p.body)
	}
	before := imagesOn(marta.get("/t/" + th.ID).body)
	if len(before) != 4 {
		t.Fatalf("images: %v", before)
	}
	postID := strings.Split(before[0][0], "/")[2]
	kept := map[string]string{}
	for i, img := range before {
		n := string(rune('1' + i))
		kept["kept-"+n], kept["kept-alt-"+n] = img[0][strings.LastIndex(img[0], "/")+1:], img[1]
	}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{"body": "Quatre cartes, revues.", "language": "fr"}
		for k, v := range kept {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	marta.lang = "fr"
	tests := []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		status int
		want   string
	}{
		{"kept image without alt", with(map[string]string{"kept-alt-2": "  "}), nil, http.StatusUnprocessableEntity, "Image 2 : décrivez-la"},
		{"new image without alt", with(map[string]string{"kept-remove-4": "1"}), map[string][]byte{"image-1": pngOf(t, 60, 60)},
			http.StatusUnprocessableEntity, "Nouvelle image 1 : décrivez-la"},
		{"a fifth image", with(map[string]string{"alt-1": "Fifth"}), map[string][]byte{"image-1": pngOf(t, 60, 60)},
			http.StatusBadRequest, "4 images au plus par message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marta.postWithImages("/p/"+postID+"/edit", tt.fields, tt.files)
			if p.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tt.status, p.body)
			}
			body := html.UnescapeString(p.body)
			for _, want := range []string{tt.want, "Quatre cartes, revues.", `value="Map 3"`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if got := imagesOn(marta.get("/t/" + th.ID).body); len(got) != 4 {
				t.Errorf("the post changed: %v", got)
			}
		})
	}
}
