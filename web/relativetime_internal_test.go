package web

import (
	"testing"
	"time"
)

// TestRelativeTime: how long ago, per language, with each language's
// plural forms and numerals.
func TestRelativeTime(t *testing.T) {
	c, err := newCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang string
		ago  time.Duration
		want string
	}{
		{"en", 10 * time.Second, "just now"},
		{"en", -time.Hour, "just now"}, // a clock ahead of ours
		{"en", time.Minute, "1 minute ago"},
		{"en", 3 * time.Hour, "3 hours ago"},
		{"en", 25 * time.Hour, "1 day ago"},
		{"es", 3 * time.Hour, "hace 3 horas"},
		{"es", time.Hour, "hace 1 hora"},
		{"es", 5 * time.Minute, "hace 5 minutos"},
		{"fr", 3 * time.Hour, "il y a 3 heures"},
		{"fr", 90 * time.Second, "il y a 1 minute"},
		{"fr", 2 * 24 * time.Hour, "il y a 2 jours"},
		{"pt", 3 * time.Hour, "há 3 horas"},
		{"pt", 24 * time.Hour, "há 1 dia"},
		{"pt", 0, "agora mesmo"},
		{"ar", time.Hour, "منذ ساعة"},
		{"ar", 2 * time.Hour, "منذ ساعتين"},
		{"ar", 3 * time.Hour, "منذ ٣ ساعات"},
		{"ar", 11 * time.Minute, "منذ ١١ دقيقة"},
		{"ar", 2 * 24 * time.Hour, "منذ يومين"},
	}
	for _, tt := range tests {
		if got := relativeTime(c.translator(tt.lang), now, now.Add(-tt.ago)); got != tt.want {
			t.Errorf("%s, %v ago: %q, want %q", tt.lang, tt.ago, got, tt.want)
		}
	}
}
