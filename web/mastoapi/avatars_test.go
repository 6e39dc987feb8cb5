package mastoapi_test

import (
	"strings"
	"testing"
)

// TestAccountAvatars: accounts show the member's picture (their upload
// here, their server's icon for a remote member), else the default one.
func TestAccountAvatars(t *testing.T) {
	here, there := newSite(t), newSite(t)
	pic := strings.Repeat("ab", 32) + ".jpg"
	for _, s := range []*site{here, there} {
		if _, err := s.node.Service.SetAvatar(t.Context(), s.marta, s.marta.ID, pic); err != nil {
			t.Fatal(err)
		}
	}
	tok := here.login("marta", "read")
	host := strings.TrimPrefix(there.base, "http://")
	r := here.call(tok, "GET", "/api/v2/search?resolve=true&type=accounts&q=@marta@"+host, nil)
	accts, _ := r.obj(t)["accounts"].([]any)
	if r.status != 200 || len(accts) != 1 {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	remote := accts[0].(map[string]any)
	tests := []struct {
		name string
		acct map[string]any
		want string
	}{
		{"own upload", here.call(tok, "GET", "/api/v1/accounts/verify_credentials", nil).obj(t), here.base + "/media/" + pic},
		{"none: the default", here.call(tok, "GET", "/api/v1/accounts/"+here.joao.ID, nil).obj(t), here.base + "/static/avatar.png"},
		{"remote icon", remote, there.base + "/media/" + pic},
		{"remote icon, read again", here.call(tok, "GET", "/api/v1/accounts/"+remote["id"].(string), nil).obj(t), there.base + "/media/" + pic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.acct["avatar"] != tt.want || tt.acct["avatar_static"] != tt.want {
				t.Fatalf("avatar %v / %v, want %s", tt.acct["avatar"], tt.acct["avatar_static"], tt.want)
			}
		})
	}
}
