package report

import "testing"

// TestShapeArabic: letters take their contextual forms (Presentation
// Forms-B), lam + alef is one ligature, other text is left alone.
func TestShapeArabic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"لا", "\uFEFB"},
		{"سلام", "\uFEB3\uFEFC\uFEE1"},              // seen initial, lam-alef final, meem isolated
		{"بيت", "\uFE91\uFEF4\uFE96"},               // initial, medial, final
		{"مرحبا", "\uFEE3\uFEAE\uFEA3\uFE92\uFE8E"}, // reh joins only before it: hah starts again
		{"ء", "\uFE80"},                             // hamza joins nothing
		{"بَيت", "\uFE91\u064E\uFEF4\uFE96"},        // a mark does not break the joins
		{"Seoul 8,000", "Seoul 8,000"},              // not Arabic
		{"پ", "پ"},                                  // outside the basic alphabet: left as is
	}
	for _, tt := range tests {
		if got := ShapeArabic(tt.in); got != tt.want {
			t.Errorf("ShapeArabic(%q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

// TestVisualRTL: a right-to-left line is drawn right to left: words in
// reverse order, Arabic words reversed, Latin and numbers kept readable.
func TestVisualRTL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"مرحبا", "\uFE8E\uFE92\uFEA3\uFEAE\uFEE3"},
		{"مرحبا Seoul 2026", "Seoul 2026 \uFE8E\uFE92\uFEA3\uFEAE\uFEE3"},
		{"بيت (لا)", "(\uFEFB) \uFE96\uFEF4\uFE91"}, // the parentheses still enclose
		{"Belo Horizonte", "Belo Horizonte"},
	}
	for _, tt := range tests {
		if got := VisualRTL(tt.in); got != tt.want {
			t.Errorf("VisualRTL(%q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}
