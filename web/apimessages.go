package web

import (
	"net/http"

	"github.com/metropolis/agora/web/mastoapi"
)

// apiMessages gives the Mastodon API the pages' catalogs, so an app shows
// a refusal in the same words and language as the web would.
type apiMessages struct{ cat *catalog }

// NewAPIMessages loads the catalogs for the Mastodon client API.
func NewAPIMessages(defaultLang string) (mastoapi.Messages, error) {
	c, err := newCatalog(defaultLang)
	if err != nil {
		return nil, err
	}
	return apiMessages{cat: c}, nil
}

// Language is the member's setting, else Accept-Language, else the
// node's language. Apps send no language cookie.
func (m apiMessages) Language(memberSetting string, r *http.Request) string {
	return m.cat.pick(memberSetting, "", r)
}

func (m apiMessages) T(lang, id string, args ...any) string {
	return m.cat.translator(lang).T(id, args...)
}
