package forum

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Limits on what members type. Long enough for real use, short enough that
// one request cannot fill the disk.
const (
	MaxNameLen      = 100
	MaxTitleLen     = 200
	MinTitleLen     = 3
	MaxBodyLen      = 20000
	MaxForumTextLen = 2000
	MinPasswordLen  = 10
	MaxPasswordLen  = 256
	MaxLanguages    = 10
)

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)
	slugPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$`)
	hostPattern     = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$`)
)

// reservedPrefix is taken by thread actors (t-<id>), so no member or forum
// handle can collide with one.
const reservedPrefix = "t-"

// NormalizeUsername lowercases and trims a typed username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateUsername(u string) error {
	if !usernamePattern.MatchString(u) {
		return invalid("username", "error.username_format", "use 1 to 30 lowercase letters, digits or _")
	}
	return nil
}

func validateSlug(s string) error {
	if !slugPattern.MatchString(s) || strings.HasPrefix(s, reservedPrefix) || strings.Contains(s, "--") {
		return invalid("slug", "error.slug_format", "use 2 to 40 lowercase letters, digits or single hyphens, not starting with t-")
	}
	return nil
}

func validatePassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLen || len(p) > MaxPasswordLen {
		return invalid("password", "error.password_length", "use at least 10 characters (at most 256 bytes)")
	}
	return nil
}

// text trims s and checks its length in characters.
func text(field string, s string, min, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "error.text_encoding", "is not valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		return "", invalid(field, "error.required", "is required")
	case n < min:
		return "", invalid(field, "error.too_short", "is too short")
	case n > max:
		return "", invalid(field, "error.too_long", "is too long")
	}
	return s, nil
}

// CanonicalLanguage parses a BCP 47 tag and returns its canonical form
// ("pt-br" → "pt-BR").
func CanonicalLanguage(field, tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	t, err := language.Parse(tag)
	if err != nil || tag == "" || t == language.Und {
		return "", invalid(field, "error.language", "is not a language tag such as en, es or fr")
	}
	return t.String(), nil
}

func canonicalLanguages(field string, tags []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, tag := range tags {
		if strings.TrimSpace(tag) == "" {
			continue
		}
		c, err := CanonicalLanguage(field, tag)
		if err != nil {
			return nil, err
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(out) > MaxLanguages {
		return nil, invalid(field, "error.too_many", "lists too many languages")
	}
	return out, nil
}
