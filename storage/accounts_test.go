package storage_test

import (
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestInvitations(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		var invs []*forum.Invitation
		for i := range 5 {
			inv := &forum.Invitation{ID: f.ids.New(), TokenHash: forum.HashSecret(string(rune('a' + i))),
				Note: "for the mayor", Role: forum.RoleMember, CreatedBy: f.member.ID,
				CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			wantErr(t, "CreateInvitation", s.CreateInvitation(ctx(t), inv), nil)
			invs = append(invs, inv)
		}
		dup := *invs[0]
		dup.ID = f.ids.New()
		wantErr(t, "CreateInvitation same token", s.CreateInvitation(ctx(t), &dup), forum.ErrConflict)

		got, err := s.InvitationByTokenHash(ctx(t), invs[1].TokenHash)
		wantErr(t, "InvitationByTokenHash", err, nil)
		same(t, "InvitationByTokenHash", got, invs[1])
		_, err = s.InvitationByTokenHash(ctx(t), "nope")
		wantErr(t, "InvitationByTokenHash unknown", err, forum.ErrNotFound)

		newcomer := f.newMember(t, s, "newcomer")
		tests := []struct {
			name string
			id   forum.ID
			at   time.Time
			want error
		}{
			{"expired", invs[2].ID, t0.Add(time.Hour), forum.ErrConflict},
			{"first use", invs[1].ID, t0.Add(time.Minute), nil},
			{"second use", invs[1].ID, t0.Add(2 * time.Minute), forum.ErrConflict},
			{"unknown", f.ids.New(), t0, forum.ErrNotFound},
		}
		for _, tt := range tests {
			wantErr(t, "UseInvitation "+tt.name, s.UseInvitation(ctx(t), tt.id, newcomer.ID, tt.at), tt.want)
		}
		got, _ = s.InvitationByTokenHash(ctx(t), invs[1].TokenHash)
		if got.UsedAt == nil || !got.UsedAt.Equal(t0.Add(time.Minute)) || got.UsedBy != newcomer.ID {
			t.Errorf("used invitation = %+v", got)
		}
		if got.Usable(t0) {
			t.Error("used invitation still usable")
		}

		// Newest first, in pages of two.
		var pages [][]forum.ID
		before := ""
		for {
			page, err := s.ListInvitations(ctx(t), before, 2)
			wantErr(t, "ListInvitations", err, nil)
			if len(page) == 0 {
				break
			}
			var idsOf []forum.ID
			for _, inv := range page {
				idsOf = append(idsOf, inv.ID)
			}
			pages = append(pages, idsOf)
			before = page[len(page)-1].ID
		}
		same(t, "ListInvitations pages", pages, [][]forum.ID{
			{invs[4].ID, invs[3].ID}, {invs[2].ID, invs[1].ID}, {invs[0].ID}})
	})
}

func TestLoginTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		tok := &forum.LoginToken{TokenHash: forum.HashSecret("secret"), MemberID: f.member.ID,
			Purpose: forum.PurposeSetPassword, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		wantErr(t, "CreateLoginToken", s.CreateLoginToken(ctx(t), tok), nil)
		wantErr(t, "CreateLoginToken again", s.CreateLoginToken(ctx(t), tok), forum.ErrConflict)
		old := &forum.LoginToken{TokenHash: forum.HashSecret("old"), MemberID: f.member.ID,
			Purpose: forum.PurposeSetPassword, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
		wantErr(t, "CreateLoginToken old", s.CreateLoginToken(ctx(t), old), nil)

		got, err := s.LoginTokenByHash(ctx(t), tok.TokenHash, t0)
		wantErr(t, "LoginTokenByHash", err, nil)
		same(t, "LoginTokenByHash", got, tok)

		tests := []struct {
			name string
			hash string
			now  time.Time
			want error
		}{
			{"unknown", "nope", t0, forum.ErrNotFound},
			{"expired", old.TokenHash, t0.Add(time.Minute), forum.ErrNotFound},
			{"first use", tok.TokenHash, t0.Add(time.Second), nil},
			{"second use", tok.TokenHash, t0.Add(2 * time.Second), forum.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := s.LoginTokenByHash(ctx(t), tt.hash, tt.now)
			wantErr(t, "LoginTokenByHash "+tt.name, err, tt.want)
			used, err := s.UseLoginToken(ctx(t), tt.hash, tt.now)
			wantErr(t, "UseLoginToken "+tt.name, err, tt.want)
			if tt.want == nil {
				want := *tok
				want.UsedAt = ptr(tt.now)
				same(t, "UseLoginToken result", used, &want)
			}
		}
		_, err = s.LoginTokenByHash(ctx(t), tok.TokenHash, t0)
		wantErr(t, "LoginTokenByHash after use", err, forum.ErrNotFound)
	})
}

func TestSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		other := f.newMember(t, s, "bea")
		sessions := []*forum.Session{
			{TokenHash: "h1", MemberID: f.member.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			{TokenHash: "h2", MemberID: f.member.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			{TokenHash: "h3", MemberID: other.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		}
		for _, sess := range sessions {
			wantErr(t, "CreateSession", s.CreateSession(ctx(t), sess), nil)
		}
		wantErr(t, "CreateSession again", s.CreateSession(ctx(t), sessions[0]), forum.ErrConflict)

		got, err := s.SessionByTokenHash(ctx(t), "h1", t0)
		wantErr(t, "SessionByTokenHash", err, nil)
		same(t, "SessionByTokenHash", got, sessions[0])
		_, err = s.SessionByTokenHash(ctx(t), "h1", t0.Add(time.Hour))
		wantErr(t, "SessionByTokenHash expired", err, forum.ErrNotFound)
		_, err = s.SessionByTokenHash(ctx(t), "nope", t0)
		wantErr(t, "SessionByTokenHash unknown", err, forum.ErrNotFound)

		wantErr(t, "DeleteSession", s.DeleteSession(ctx(t), "h1"), nil)
		wantErr(t, "DeleteSession unknown", s.DeleteSession(ctx(t), "h1"), nil)
		_, err = s.SessionByTokenHash(ctx(t), "h1", t0)
		wantErr(t, "deleted session", err, forum.ErrNotFound)

		wantErr(t, "DeleteMemberSessions", s.DeleteMemberSessions(ctx(t), f.member.ID), nil)
		_, err = s.SessionByTokenHash(ctx(t), "h2", t0)
		wantErr(t, "session of signed-out member", err, forum.ErrNotFound)
		_, err = s.SessionByTokenHash(ctx(t), "h3", t0)
		wantErr(t, "other member's session", err, nil)
	})
}
