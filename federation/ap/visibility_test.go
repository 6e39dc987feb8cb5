package ap

import (
	"fmt"
	"testing"
)

// TestVisibility reads the audience classes from the to/cc shapes servers
// send: Mastodon's four visibilities (public, unlisted, followers-only,
// direct), GoToSocial's, Lemmy's private message, and the compact forms
// of the public collection.
func TestVisibility(t *testing.T) {
	const (
		alice     = "https://social.example/users/alice"
		followers = alice + "/followers"
		member    = "https://agora.example/u/ana"
		thread    = "https://agora.example/t/01J0000000000000000000000"
	)
	for _, tc := range []struct {
		name   string
		to, cc string // JSON values; empty: absent
		want   Visibility
	}{
		{"Mastodon public", `["https://www.w3.org/ns/activitystreams#Public"]`, `["` + followers + `","` + member + `"]`, VisibilityPublic},
		{"Mastodon unlisted", `["` + followers + `"]`, `["https://www.w3.org/ns/activitystreams#Public","` + member + `"]`, VisibilityUnlisted},
		{"Mastodon followers-only", `["` + followers + `"]`, `["` + member + `"]`, VisibilityLimited},
		{"Mastodon direct to a thread actor", `["` + thread + `"]`, "", VisibilityLimited},
		{"GoToSocial direct with an empty cc", `["` + member + `"]`, `[]`, VisibilityLimited},
		{"Lemmy private message", `["` + member + `"]`, "", VisibilityLimited},
		{"to as one string", `"https://www.w3.org/ns/activitystreams#Public"`, "", VisibilityPublic},
		{"as:Public in to", `["as:Public"]`, "", VisibilityPublic},
		{"Public in cc", `["` + member + `"]`, `["Public"]`, VisibilityUnlisted},
		{"no audience at all", "", "", VisibilityLimited},
		{"a look-alike is not Public", `["https://www.w3.org/ns/activitystreams#Public/x","https://evil.example/#Public"]`, "", VisibilityLimited},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := ""
			if tc.to != "" {
				fields += `,"to":` + tc.to
			}
			if tc.cc != "" {
				fields += `,"cc":` + tc.cc
			}
			o := parseObject(t, fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://social.example/n/1",
"type":"Note","attributedTo":%q,"content":"hi"%s}`, alice, fields))
			if got := o.Visibility(); got != tc.want {
				t.Errorf("object: %s (to %v cc %v), want %s", got, o.To, o.Cc, tc.want)
			}
			a := mustParse(t, fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://social.example/a/1",
"type":"Create","actor":%q,"object":"https://social.example/n/1"%s}`, alice, fields))
			if got := a.Visibility(); got != tc.want {
				t.Errorf("activity: %s (to %v cc %v), want %s", got, a.To, a.Cc, tc.want)
			}
			if a.Addressed() != (tc.to != "" || (tc.cc != "" && tc.cc != "[]")) {
				t.Errorf("activity addressed = %v with to %s cc %s", a.Addressed(), tc.to, tc.cc)
			}
			if tc.want.Readable() != (tc.want != VisibilityLimited) {
				t.Errorf("readable %v for %s", tc.want.Readable(), tc.want)
			}
		})
	}
}
