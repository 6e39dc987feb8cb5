package forum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

func TestBootstrapOnlyOnEmptyNode(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	m, token, created, err := rig.Service.Bootstrap(ctx, "admin")
	if err != nil || !created || m.Role != forum.RoleAdmin || token == "" || m.PasswordHash != "" {
		t.Fatalf("Bootstrap = %+v, %q, %v, %v", m, token, created, err)
	}
	if _, _, again, err := rig.Service.Bootstrap(ctx, "admin"); err != nil || again {
		t.Fatalf("second Bootstrap created=%v err=%v", again, err)
	}
	// The admin has no password until the link is used: sign-in fails.
	if _, _, err := rig.Service.SignIn(ctx, "admin", ""); !errors.Is(err, forum.ErrBadCredentials) {
		t.Fatalf("sign-in without password: %v", err)
	}
	if _, _, err := rig.Service.SetPasswordWithToken(ctx, token, "short"); !forum.IsValidation(err) {
		t.Fatalf("short password: %v", err)
	}
	if _, session, err := rig.Service.SetPasswordWithToken(ctx, token, "a long enough password"); err != nil || session == "" {
		t.Fatalf("set password: %v", err)
	}
	if _, _, err := rig.Service.SetPasswordWithToken(ctx, token, "another long password"); !errors.Is(err, forum.ErrTokenInvalid) {
		t.Fatalf("link used twice: %v", err)
	}
	if _, _, err := rig.Service.SignIn(ctx, "ADMIN ", "a long enough password"); err != nil {
		t.Fatalf("sign-in: %v", err)
	}
}

func TestInvitationFlow(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	cast := rig.Seed(t)
	if _, _, err := rig.Service.Invite(ctx, cast.Barcelona, forum.RoleMember, ""); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("member invites: %v", err)
	}
	inv, token, err := rig.Service.Invite(ctx, cast.Admin, forum.RoleModerator, "Seoul delegate")
	if err != nil {
		t.Fatal(err)
	}
	if inv.TokenHash == token || inv.TokenHash != forum.HashSecret(token) {
		t.Fatal("the invitation must store the token's hash, not the token")
	}
	account := forum.NewAccount{Username: "jiwoo", Password: "a strong passphrase",
		Profile: forum.Profile{DisplayName: "Ji-woo Park", Title: "Digital Policy Officer", Organisation: "Seoul", Languages: []string{"ko", "EN"}}}

	bad := account
	bad.Username = "marta" // taken
	if _, _, err := rig.Service.AcceptInvitation(ctx, token, bad); !forum.IsValidation(err) {
		t.Fatalf("taken username: %v", err)
	}
	bad.Username = "digitalisation" // a forum's handle
	if _, _, err := rig.Service.AcceptInvitation(ctx, token, bad); !forum.IsValidation(err) {
		t.Fatalf("forum handle as username: %v", err)
	}
	// The refused attempts did not use the invitation up.
	m, session, err := rig.Service.AcceptInvitation(ctx, token, account)
	if err != nil || session == "" {
		t.Fatalf("accept: %v", err)
	}
	if m.Role != forum.RoleModerator || m.Languages[1] != "en" {
		t.Errorf("member = %+v", m)
	}
	if got, err := rig.Service.SessionMember(ctx, session); err != nil || got.ID != m.ID {
		t.Errorf("session member = %v, %v", got, err)
	}
	account.Username = "jiwoo2"
	if _, _, err := rig.Service.AcceptInvitation(ctx, token, account); !errors.Is(err, forum.ErrTokenInvalid) {
		t.Fatalf("invitation used twice: %v", err)
	}

	_, expiring, err := rig.Service.Invite(ctx, cast.Admin, forum.RoleMember, "")
	if err != nil {
		t.Fatal(err)
	}
	rig.Clock.Advance(15 * 24 * time.Hour)
	if _, err := rig.Service.InvitationByToken(ctx, expiring); !errors.Is(err, forum.ErrTokenInvalid) {
		t.Fatalf("expired invitation: %v", err)
	}
	if _, session, err := rig.Service.SignIn(ctx, "jiwoo", "a strong passphrase"); err != nil {
		t.Fatal(err)
	} else if _, err := rig.Service.SessionMember(ctx, session); err != nil {
		t.Fatal(err)
	}
}

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	rig.Seed(t)
	tests := []struct {
		user, pw string
		want     error
	}{
		{"marta", testrig.Password, nil},
		{" Marta", testrig.Password, nil},
		{"marta", "wrong password", forum.ErrBadCredentials},
		{"nobody", testrig.Password, forum.ErrBadCredentials},
		{"", "", forum.ErrBadCredentials},
	}
	for _, tt := range tests {
		_, _, err := rig.Service.SignIn(ctx, tt.user, tt.pw)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("SignIn(%q, %q) = %v, want %v", tt.user, tt.pw, err, tt.want)
		}
	}
}

func TestSessionsExpireAndEnd(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	rig.Seed(t)
	_, s1, err := rig.Service.SignIn(ctx, "marta", testrig.Password)
	if err != nil {
		t.Fatal(err)
	}
	_, s2, _ := rig.Service.SignIn(ctx, "marta", testrig.Password)
	if err := rig.Service.SignOut(ctx, s1); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Service.SessionMember(ctx, s1); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("signed-out session: %v", err)
	}
	if _, err := rig.Service.SessionMember(ctx, s2); err != nil {
		t.Errorf("other session ended too: %v", err)
	}
	rig.Clock.Advance(31 * 24 * time.Hour)
	if _, err := rig.Service.SessionMember(ctx, s2); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
}

func TestPasswordResetEndsSessions(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	cast := rig.Seed(t)
	_, old, _ := rig.Service.SignIn(ctx, "marta", testrig.Password)
	if _, _, err := rig.Service.PasswordResetToken(ctx, cast.Barcelona, "joao"); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("member resets a password: %v", err)
	}
	_, token, err := rig.Service.PasswordResetToken(ctx, forum.SystemActor(), "marta")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := rig.Service.LoginTokenMember(ctx, token); err != nil || m.Username != "marta" {
		t.Fatalf("peek token = %v, %v", m, err)
	}
	if _, _, err := rig.Service.SetPasswordWithToken(ctx, token, "brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.Service.SessionMember(ctx, old); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("old session survived a password reset: %v", err)
	}
	if _, _, err := rig.Service.SignIn(ctx, "marta", testrig.Password); !errors.Is(err, forum.ErrBadCredentials) {
		t.Errorf("old password still works: %v", err)
	}
}

func TestProfileAndRoles(t *testing.T) {
	ctx := context.Background()
	rig := testrig.New(t)
	cast := rig.Seed(t)
	p := forum.Profile{DisplayName: "Marta P.", Title: "Head of Innovation", Organisation: "AMB", Languages: []string{"ca", "es"}, UILanguage: "es"}
	if _, err := rig.Service.UpdateProfile(ctx, cast.BeloHz, cast.Barcelona.ID, p); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("edit another's profile: %v", err)
	}
	tests := []struct {
		name string
		p    forum.Profile
	}{
		{"empty name", forum.Profile{DisplayName: "  "}},
		{"bad language", forum.Profile{DisplayName: "M", Languages: []string{"not a tag!"}}},
		{"bad ui language", forum.Profile{DisplayName: "M", UILanguage: "??"}},
	}
	for _, tt := range tests {
		if _, err := rig.Service.UpdateProfile(ctx, cast.Barcelona, cast.Barcelona.ID, tt.p); !forum.IsValidation(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	m, err := rig.Service.UpdateProfile(ctx, cast.Barcelona, cast.Barcelona.ID, p)
	if err != nil || m.Title != "Head of Innovation" || m.UILanguage != "es" {
		t.Fatalf("update = %+v, %v", m, err)
	}
	if _, err := rig.Service.SetRole(ctx, cast.Moderator, cast.Barcelona.ID, forum.RoleAdmin); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("moderator promotes: %v", err)
	}
	if _, err := rig.Service.SetRole(ctx, cast.Admin, cast.Admin.ID, forum.RoleMember); !forum.IsValidation(err) {
		t.Errorf("admin demotes self: %v", err)
	}
	if m, err := rig.Service.SetRole(ctx, cast.Admin, cast.Barcelona.ID, forum.RoleModerator); err != nil || m.Role != forum.RoleModerator {
		t.Errorf("promote = %v, %v", m, err)
	}
}
