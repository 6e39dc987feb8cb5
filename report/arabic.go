package report

import (
	"strings"
	"unicode"
)

// Arabic in the PDF. The PDF library draws glyphs one character after
// another, left to right, with no shaping engine: Arabic letters would
// stand apart in their isolated forms, in the wrong order. So the text is
// shaped here: each letter of the basic Arabic alphabet becomes its
// contextual form from Unicode's Arabic Presentation Forms-B (isolated,
// final, initial, medial), lam + alef become their ligature, and each line
// is put in visual order (right to left, with runs of Latin letters and
// digits kept left to right). This is what older PDF tools did; it reads
// correctly for Arabic. What it does not do: the letters of Persian, Urdu
// and other languages outside the basic alphabet (پ چ ژ گ ک ی …) keep
// their isolated forms, optional ligatures and mark positioning are the
// font's defaults, and mixed-direction text follows a simplified
// bidirectional rule (runs of words), not the full Unicode algorithm.

// presentation holds, for each letter of the basic alphabet, the first of
// its presentation forms (isolated) and how many it has: 1 (hamza, joins
// nothing), 2 (joins the letter before only: isolated, final) or 4
// (isolated, final, initial, medial). The forms of U+FE80… follow the
// letters in this order, so the table is computed.
var presentation = func() map[rune][2]int {
	right := "آأؤإاةدذرزوى" // letters that join only the letter before them
	m := map[rune][2]int{}
	next := 0xFE80
	add := func(r rune) {
		n := 4
		switch {
		case r == 'ء':
			n = 1
		case strings.ContainsRune(right, r):
			n = 2
		}
		m[r] = [2]int{next, n}
		next += n
	}
	for r := rune(0x0621); r <= 0x063A; r++ {
		add(r)
	}
	for r := rune(0x0641); r <= 0x064A; r++ {
		add(r)
	}
	return m
}()

// lamAlef are the ligatures of lam with each alef (isolated form; the
// final form follows it).
var lamAlef = map[rune]rune{'آ': 0xFEF5, 'أ': 0xFEF7, 'إ': 0xFEF9, 'ا': 0xFEFB}

const tatweel = 'ـ'

// transparent marks (harakat) sit on a letter and do not break its joins.
func transparent(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670
}

// joinsNext reports whether r connects to the letter after it.
func joinsNext(r rune) bool {
	if r == tatweel {
		return true
	}
	p, ok := presentation[r]
	return ok && p[1] == 4
}

// joinsPrev reports whether r connects to the letter before it.
func joinsPrev(r rune) bool {
	if r == tatweel {
		return true
	}
	p, ok := presentation[r]
	return ok && p[1] >= 2
}

// HasArabic reports whether s holds Arabic letters.
func HasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// ShapeArabic replaces the letters of s by their contextual presentation
// forms, in logical order.
func ShapeArabic(s string) string {
	rs := []rune(s)
	// neighbour finds the nearest letter before (dir -1) or after (+1) i,
	// skipping transparent marks.
	neighbour := func(i, dir int) rune {
		for j := i + dir; j >= 0 && j < len(rs); j += dir {
			if !transparent(rs[j]) {
				return rs[j]
			}
		}
		return 0
	}
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		p, ok := presentation[r]
		if !ok {
			b.WriteRune(r)
			continue
		}
		prev, next := neighbour(i, -1), neighbour(i, +1)
		joinBefore := joinsNext(prev) && joinsPrev(r)
		if r == 'ل' {
			// Lam followed by an alef: one ligature glyph.
			j := i + 1
			for j < len(rs) && transparent(rs[j]) {
				j++
			}
			if j < len(rs) {
				if lig, ok := lamAlef[rs[j]]; ok {
					if joinBefore {
						lig++
					}
					b.WriteRune(lig)
					for _, m := range rs[i+1 : j] {
						b.WriteRune(m)
					}
					i = j
					continue
				}
			}
		}
		joinAfter := joinsNext(r) && joinsPrev(next)
		form := 0 // isolated
		switch {
		case p[1] == 1:
		case joinBefore && joinAfter:
			form = 3 // medial
		case joinBefore:
			form = 1 // final
		case joinAfter:
			form = 2 // initial
		}
		b.WriteRune(rune(p[0] + form))
	}
	return b.String()
}

// mirror swaps the paired punctuation a right-to-left run draws facing the
// other way.
var mirror = strings.NewReplacer("(", ")", ")", "(", "[", "]", "]", "[", "{", "}", "}", "{", "«", "»", "»", "«", "<", ">", ">", "<")

// VisualRTL puts one line of right-to-left text in the order the PDF draws
// it (left to right): shaped, words in reverse order, the letters of each
// right-to-left word reversed, runs of left-to-right words (Latin names,
// numbers) kept in their order.
func VisualRTL(line string) string {
	words := strings.Fields(ShapeArabic(line))
	var out []string
	for i := 0; i < len(words); {
		if strongRTL(words[i]) {
			out = append(out, mirror.Replace(reverseRunes(words[i])))
			i++
			continue
		}
		j := i
		for j < len(words) && !strongRTL(words[j]) {
			j++
		}
		out = append(out, strings.Join(words[i:j], " "))
		i = j
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return strings.Join(out, " ")
}

// strongRTL reports whether a word is Arabic (its letters, or one of them
// with punctuation around it).
func strongRTL(w string) bool { return HasArabic(w) }

func reverseRunes(s string) string {
	rs := []rune(s)
	for l, r := 0, len(rs)-1; l < r; l, r = l+1, r-1 {
		rs[l], rs[r] = rs[r], rs[l]
	}
	return string(rs)
}
