package web

import (
	"testing"

	"github.com/metropolis/agora/federation"
)

// TestRefusalReasonsTranslated: the admin page names every refusal reason
// in every interface language (the template builds the message id from
// the code).
func TestRefusalReasonsTranslated(t *testing.T) {
	for _, lt := range uiLanguages {
		tag := lt.String()
		c := loadCatalog(t, tag)
		for _, reason := range federation.RefusalReasons {
			if _, ok := c["refusal."+reason]; !ok {
				t.Errorf("%s lacks refusal.%s", tag, reason)
			}
		}
	}
}

// TestJoinReasonsTranslated: the admin page says why a join failed in
// every interface language (the template builds the message id from the
// code), never in the error's technical English.
func TestJoinReasonsTranslated(t *testing.T) {
	for _, lt := range uiLanguages {
		tag := lt.String()
		c := loadCatalog(t, tag)
		for _, reason := range federation.JoinReasons {
			if _, ok := c["join_reason."+reason]; !ok {
				t.Errorf("%s lacks join_reason.%s", tag, reason)
			}
		}
	}
}
