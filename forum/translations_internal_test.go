package forum

import (
	"testing"
	"time"
)

func TestShownIn(t *testing.T) {
	p := &Post{Language: "es", HTML: "<p>hola</p>", Translations: map[string]Translation{
		"en":    {Title: "Hello?", HTML: "<p>hello</p>"},
		"pt-BR": {HTML: "<p>olá</p>"},
		"fr":    {HTML: "<p>salut</p>"},
	}}
	for _, tc := range []struct {
		reader, wantLang, wantTitle, wantHTML string
		translated                            bool
	}{
		{"es", "es", "¿Hola?", "<p>hola</p>", false},    // the original's language
		{"es-MX", "es", "¿Hola?", "<p>hola</p>", false}, // a variant of it
		{"en", "en", "Hello?", "<p>hello</p>", true},
		{"pt", "pt-BR", "¿Hola?", "<p>olá</p>", true}, // a variant's version; no title of its own: the original's
		{"ar", "es", "¿Hola?", "<p>hola</p>", false},  // none in the reader's language
		{"", "es", "¿Hola?", "<p>hola</p>", false},
	} {
		got := p.ShownIn(tc.reader, "¿Hola?")
		want := Shown{Language: tc.wantLang, Title: tc.wantTitle, HTML: tc.wantHTML, Translated: tc.translated}
		if got != want {
			t.Errorf("reader %q: %+v, want %+v", tc.reader, got, want)
		}
	}
}

func TestMergeTranslations(t *testing.T) {
	now := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	before := now.Add(-time.Hour)
	kept := map[string]Translation{
		"en": {HTML: "<p>mine</p>", TranslatorID: "m1", CreatedAt: &before},
		"fr": {HTML: "<p>old</p>"},
		"pt": {HTML: "<p>the new original</p>"},
	}
	in := map[string]Translation{
		"en": {HTML: "<p>mine</p>"}, // the same text back from the origin
		"fr": {HTML: "<p>new</p>"},
		"de": {HTML: "<p>neu</p>"},
	}
	got := mergeTranslations(kept, in, "pt", now)
	if len(got) != 3 {
		t.Fatalf("merged %d versions, want en, fr, de: %+v", len(got), got)
	}
	if en := got["en"]; en.TranslatorID != "m1" || !en.CreatedAt.Equal(before) {
		t.Errorf("an unchanged version lost who wrote it and when: %+v", en)
	}
	if fr := got["fr"]; fr.HTML != "<p>new</p>" || !fr.CreatedAt.Equal(now) {
		t.Errorf("fr: %+v, want the arrived text, dated now", fr)
	}
	if _, ok := got["pt"]; ok {
		t.Error("a version in the post's (new) original language was kept")
	}
	if !sameTranslations(got, got) || sameTranslations(got, kept) {
		t.Error("sameTranslations")
	}
}
