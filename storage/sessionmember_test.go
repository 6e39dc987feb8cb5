package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// SessionMember reads, in one statement, the member MemberByID reads for
// an unexpired session: with their languages in order, or none.
func TestSessionMember(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s) // ana: languages pt, en
		mute := &forum.Member{ID: f.ids.New(), Username: "bea", DisplayName: "Bea", Role: forum.RoleModerator,
			TimeZone: "Europe/Madrid", CreatedAt: t0}
		wantErr(t, "CreateMember", s.CreateMember(ctx(t), mute), nil)
		for _, sess := range []*forum.Session{
			{TokenHash: "ana", MemberID: f.member.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			{TokenHash: "bea", MemberID: mute.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		} {
			wantErr(t, "CreateSession", s.CreateSession(ctx(t), sess), nil)
		}
		for _, tc := range []struct {
			name, hash string
			now        time.Time
			want       *forum.Member
			err        error
		}{
			{"member with languages", "ana", t0, f.member, nil},
			{"member without languages", "bea", t0.Add(time.Minute), mute, nil},
			{"expired", "ana", t0.Add(time.Hour), nil, forum.ErrNotFound},
			{"unknown", "nope", t0, nil, forum.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.SessionMember(ctx(t), tc.hash, tc.now)
				wantErr(t, "SessionMember", err, tc.err)
				if tc.want == nil {
					return
				}
				byID, err := s.MemberByID(ctx(t), tc.want.ID)
				wantErr(t, "MemberByID", err, nil)
				same(t, "SessionMember vs MemberByID", got, byID)
				if len(got.Languages) != len(tc.want.Languages) {
					t.Errorf("languages %v, want %v", got.Languages, tc.want.Languages)
				}
			})
		}
	})
}
