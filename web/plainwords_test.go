package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// jargon is, per interface language, the federation words a city official
// does not use ("fediverse", "handle", "node", "slug"), as they appear in
// each catalog.
var jargon = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)\b(fediverse|handles?|nodes?|slug)\b`),
	"es": regexp.MustCompile(`(?i)\b(fediverso|identificador|nodos?|slug)\b`),
	"fr": regexp.MustCompile(`(?i)(fédivers|identifiant|nœuds?|\bslug\b)`),
	"pt": regexp.MustCompile(`(?i)(fediverso|identificador|(^|[^\p{L}])nós?($|[^\p{L}])|\bslug\b)`),
	"ar": regexp.MustCompile(`(الفديفيرس|المعرّف|معرّف|عقدة|العقدة|العُقد|عُقد|slug)`),
}

// templateAction is a template action such as {{.Handle}}: code, not words.
var templateAction = regexp.MustCompile(`{{[^}]*}}`)

// mainFlows are the catalog keys of the pages members use every day
// (reading, answering, following, joining): prefixes end with a dot, other
// entries are whole keys. The administration's federation settings keep
// the technical words their readers need.
var mainFlows = []string{"thread.", "post.", "confirm.", "mod.", "follow.", "login.", "members.", "profile.",
	"unsubscribe.", "cities.", "forum.follow", "forum.policy_listed", "forum.policy_open", "invite.username_help",
	"error.good_practice_remote_forum", "error.forum", "field.slug"}

// The main flows speak plainly in every language: no "fediverse", "handle",
// "node" or "slug".
func TestMainFlowsAvoidJargon(t *testing.T) {
	for _, lt := range uiLanguages {
		tag := lt.String()
		words, ok := jargon[tag]
		if !ok {
			t.Fatalf("%s: no jargon list for this language", tag)
		}
		for k, msg := range loadCatalog(t, tag) {
			if !inMainFlow(k) {
				continue
			}
			text := templateAction.ReplaceAllString(fmt.Sprint(msg), "")
			if w := words.FindString(text); w != "" {
				t.Errorf("%s %s says %q: %v", tag, k, w, msg)
			}
		}
	}
}

func inMainFlow(key string) bool {
	for _, entry := range mainFlows {
		if key == entry || strings.HasSuffix(entry, ".") && strings.HasPrefix(key, entry) {
			return true
		}
	}
	return false
}
