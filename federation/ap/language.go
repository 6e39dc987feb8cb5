package ap

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// languageObject is Lemmy's `language` value: the BCP 47 tag and the
// language's name in itself. Lemmy matches on the identifier; the name is
// what its UI shows, capitalised as in Lemmy's own table ("Español").
func languageObject(tag string) map[string]any {
	return map[string]any{"identifier": tag, "name": languageName(tag)}
}

// languageName is the tag's endonym, or the tag itself when unknown.
func languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	name := display.Self.Name(t)
	if name == "" {
		return tag
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// languageID reads the identifier of one Lemmy language object.
func languageID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["identifier"].(string)
	return id
}
