package web

import (
	"testing"

	"github.com/metropolis/agora/federation"
)

// TestRefusalReasonsTranslated: the admin page names every refusal reason
// in every language (the template builds the message id from the code).
func TestRefusalReasonsTranslated(t *testing.T) {
	for _, tag := range []string{"en", "es", "fr"} {
		c := loadCatalog(t, tag)
		for _, reason := range federation.RefusalReasons {
			if _, ok := c["refusal."+reason]; !ok {
				t.Errorf("%s lacks refusal.%s", tag, reason)
			}
		}
	}
}
