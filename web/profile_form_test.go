package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestProfileFormKeepsInput: a refused profile comes back with every field
// as the member typed it (job title, a city not listed yet, languages,
// interface language, time zone), whichever field was refused.
func TestProfileFormKeepsInput(t *testing.T) {
	typed := func(name, zone string) url.Values {
		return url.Values{"display_name": {name}, "title": {"Head of Digital <Services>"}, "new_city": {"Lomé"},
			"languages": {"ar", "fr"}, "ui_language": {"ar"}, "time_zone": {zone}}
	}
	tests := []struct {
		name string
		form url.Values
	}{
		{"empty name", typed("", "Africa/Nouakchott")},
		{"unknown zone", typed("Marta Puig", "Mars/Olympus_Mons")},
	}
	s := newSite(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := s.signedIn("marta").post("/u/marta/edit", tt.form)
			if p.status != http.StatusBadRequest {
				t.Fatalf("%d, want 400", p.status)
			}
			mustContain(t, p, `role="alert"`, `value="`+tt.form.Get("display_name")+`" required`,
				`value="Head of Digital &lt;Services&gt;"`, `id="new_city" name="new_city" value="Lomé"`,
				`value="ar" checked>`, `value="fr" checked>`, `<option value="ar" lang="ar" selected>`,
				`name="time_zone" value="`+tt.form.Get("time_zone")+`"`)
		})
	}
}
