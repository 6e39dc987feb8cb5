package web

import (
	"strconv"
	"strings"
)

// numerals is how a language writes whole numbers (CLDR): its digits, the
// group separator, and how many digits a number needs before it is grouped
// (Spanish and Portuguese write 1000 but 10.000).
type numerals struct {
	zero     rune // the digit zero; the other digits follow it
	group    string
	minGroup int // digits before grouping starts
}

var numeralsByLang = map[string]numerals{
	"en": {zero: '0', group: ",", minGroup: 4},
	"es": {zero: '0', group: ".", minGroup: 5},
	"pt": {zero: '0', group: ".", minGroup: 5},
	"fr": {zero: '0', group: "\u202f", minGroup: 4}, // narrow no-break space
	"ar": {zero: '٠', group: "\u066c", minGroup: 4}, // Arabic-Indic digits, Arabic thousands separator
}

func numeralsFor(lang string) numerals {
	if n, ok := numeralsByLang[lang]; ok {
		return n
	}
	return numeralsByLang["en"]
}

// digits writes s's ASCII digits in the language's digits (years, times).
func (n numerals) digits(s string) string {
	if n.zero == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return n.zero + (r - '0')
		}
		return r
	}, s)
}

// number writes a count grouped by thousands, in the language's digits.
func (n numerals) number(v int64) string {
	s := strconv.FormatInt(v, 10)
	sign := ""
	if v < 0 {
		sign, s = "-", s[1:]
	}
	if len(s) >= n.minGroup {
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteString(n.group)
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	return sign + n.digits(s)
}
