package apply

import (
	"errors"
	"testing"

	"github.com/metropolis/agora/federation/ap"
)

// TestPublicOnly: the object's addressing decides, and an activity that
// names an audience must be public too; an unaddressed activity leaves it
// to its object. Refusals are permanent and carry ErrNotPublic.
func TestPublicOnly(t *testing.T) {
	const member, followers = "https://agora.example/u/ana", "https://social.example/users/carla/followers"
	public, unlisted := []string{ap.Public}, []string{followers}
	for _, tc := range []struct {
		name       string
		act        *ap.Activity // nil: none (a fetched parent, a backfilled post)
		objTo      []string
		objCc      []string
		wantRefuse bool
	}{
		{"public object, no activity", nil, public, nil, false},
		{"unlisted object, no activity", nil, unlisted, public, false},
		{"followers-only object", nil, unlisted, []string{member}, true},
		{"direct object", nil, []string{member}, nil, true},
		{"public object in a public Create", &ap.Activity{Type: ap.TypeCreate, To: public}, public, nil, false},
		{"public object in an unaddressed Create", &ap.Activity{Type: ap.TypeCreate}, public, nil, false},
		{"public object in a direct Create", &ap.Activity{Type: ap.TypeCreate, To: []string{member}}, public, nil, true},
		{"direct object in a public Create", &ap.Activity{Type: ap.TypeCreate, To: public}, []string{member}, nil, true},
		{"public object in an Update to followers only", &ap.Activity{Type: ap.TypeUpdate, To: unlisted}, public, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := PublicOnly(tc.act, &ap.Object{ID: "https://social.example/n/1", To: tc.objTo, Cc: tc.objCc})
			if !tc.wantRefuse {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var perm *PermanentError
			if !errors.Is(err, ErrNotPublic) || !errors.As(err, &perm) {
				t.Fatalf("got %v, want a permanent ErrNotPublic", err)
			}
		})
	}
}
