package mailin

import (
	"strings"
	"unicode"
)

// Words common in one language and rare in the others, to tell the
// languages of the node's members apart in a few sentences. A member who
// writes in one language needs none of this; it decides between the
// languages a member listed.
var commonWords = map[string][]string{
	"en": {"the", "and", "is", "of", "to", "we", "in", "that", "it", "with", "for", "our", "this", "have", "are", "was"},
	"es": {"el", "la", "los", "las", "y", "es", "de", "que", "en", "con", "por", "para", "una", "nuestro", "hemos", "muy", "pero", "también"},
	"fr": {"le", "la", "les", "et", "est", "de", "des", "que", "en", "avec", "pour", "une", "nous", "avons", "très", "mais", "aussi", "du"},
	"pt": {"o", "a", "os", "as", "e", "é", "de", "que", "em", "com", "por", "para", "uma", "nosso", "temos", "muito", "mas", "também", "não", "do", "da"},
	"de": {"der", "die", "das", "und", "ist", "mit", "für", "wir", "nicht", "auch", "ein", "eine", "haben", "sehr"},
	"it": {"il", "lo", "gli", "e", "è", "di", "che", "con", "per", "una", "abbiamo", "molto", "ma", "anche", "non"},
}

// Language picks the language of text among candidates (BCP 47 tags, the
// first the default): Arabic by its script, the others by their common
// words. With one candidate, or nothing to tell them apart, it is the
// first.
func Language(text string, candidates []string) string {
	if len(candidates) == 0 {
		return ""
	}
	if len(candidates) == 1 {
		return candidates[0]
	}
	arabic, letters := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Arabic, r) {
				arabic++
			}
		}
	}
	score := map[string]int{}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	for _, c := range candidates {
		base := strings.ToLower(strings.SplitN(c, "-", 2)[0])
		if base == "ar" {
			score[c] = arabic * 2 / max(letters, 1) * len(words) // most letters Arabic: every word counts
			continue
		}
		set := map[string]bool{}
		for _, w := range commonWords[base] {
			set[w] = true
		}
		for _, w := range words {
			if set[w] {
				score[c]++
			}
		}
	}
	best := candidates[0]
	for _, c := range candidates[1:] {
		if score[c] > score[best] {
			best = c
		}
	}
	return best
}
