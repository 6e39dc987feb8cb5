package federation_test

import (
	"testing"

	"github.com/metropolis/agora/federation"
)

// TestLinkTarget: what search reads as a link or a handle, and what stays
// words.
func TestLinkTarget(t *testing.T) {
	for _, tc := range []struct {
		text, target string
		isURL, ok    bool
	}{
		{"https://hub.example/t/01J", "https://hub.example/t/01J", true, true},
		{"  http://127.0.0.1:8080/p/1 ", "http://127.0.0.1:8080/p/1", true, true},
		{"@forum@hub.example", "@forum@hub.example", false, true},
		{"ana@bh.example", "@ana@bh.example", false, true},
		{"acct:ana@bh.example", "@ana@bh.example", false, true},
		{"@ana@127.0.0.1:8080", "@ana@127.0.0.1:8080", false, true},
		{"data governance", "", false, false},
		{"https://", "", false, false},
		{"https://user:pw@hub.example/x", "", false, false},
		{"ftp://hub.example/x", "", false, false},
		{"@ana", "", false, false},
		{"ana@localhost", "", false, false},
		{"@ana@hub.example/path", "", false, false},
		{"a@b@c.example", "", false, false},
		{"https://hub.example/t/1 and more", "", false, false},
	} {
		target, isURL, ok := federation.LinkTarget(tc.text)
		if target != tc.target || isURL != tc.isURL || ok != tc.ok {
			t.Errorf("LinkTarget(%q) = %q, %v, %v; want %q, %v, %v", tc.text, target, isURL, ok, tc.target, tc.isURL, tc.ok)
		}
	}
}
