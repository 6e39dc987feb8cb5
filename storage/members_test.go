package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestMembers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		ana := &forum.Member{ID: ids.New(), Username: "ana", DisplayName: "Ana Souza", Title: "Innovation Coordinator",
			Organisation: "Belo Horizonte", Languages: []string{"pt", "en", "es"}, UILanguage: "pt",
			Role: forum.RoleAdmin, PasswordHash: "$argon2id$x", CreatedAt: t0}
		if err := s.CreateMember(ctx(t), ana); err != nil {
			t.Fatalf("CreateMember: %v", err)
		}
		got, err := s.MemberByID(ctx(t), ana.ID)
		wantErr(t, "MemberByID", err, nil)
		same(t, "MemberByID", got, ana)

		got, err = s.LocalMemberByUsername(ctx(t), "ana")
		wantErr(t, "LocalMemberByUsername", err, nil)
		same(t, "LocalMemberByUsername", got, ana)

		// The same username on another server is another member.
		remote := &forum.Member{ID: ids.New(), Username: "ana", Domain: "social.example", Role: forum.RoleMember, CreatedAt: t0}
		wantErr(t, "CreateMember remote", s.CreateMember(ctx(t), remote), nil)
		got, err = s.MemberByID(ctx(t), remote.ID)
		wantErr(t, "MemberByID remote", err, nil)
		same(t, "remote member", got, remote)

		tests := []struct {
			name string
			m    *forum.Member
			want error
		}{
			{"same username", &forum.Member{ID: ids.New(), Username: "ana", Role: forum.RoleMember, CreatedAt: t0}, forum.ErrConflict},
			{"same id", &forum.Member{ID: ana.ID, Username: "bea", Role: forum.RoleMember, CreatedAt: t0}, forum.ErrConflict},
			{"other username", &forum.Member{ID: ids.New(), Username: "bea", Role: forum.RoleMember, CreatedAt: t0}, nil},
		}
		for _, tt := range tests {
			wantErr(t, "CreateMember "+tt.name, s.CreateMember(ctx(t), tt.m), tt.want)
		}
		// A failed create leaves no languages behind.
		if got, _ := s.MemberByID(ctx(t), ana.ID); len(got.Languages) != 3 {
			t.Errorf("languages after conflict = %v", got.Languages)
		}

		_, err = s.MemberByID(ctx(t), ids.New())
		wantErr(t, "MemberByID unknown", err, forum.ErrNotFound)
		_, err = s.LocalMemberByUsername(ctx(t), "nobody")
		wantErr(t, "LocalMemberByUsername unknown", err, forum.ErrNotFound)

		// Update replaces every field and the languages, in order.
		ana.DisplayName, ana.Languages, ana.Role = "Ana S.", []string{"fr", "pt"}, forum.RoleModerator
		wantErr(t, "UpdateMember", s.UpdateMember(ctx(t), ana), nil)
		got, _ = s.MemberByID(ctx(t), ana.ID)
		same(t, "after UpdateMember", got, ana)
		ana.Languages = nil
		wantErr(t, "UpdateMember no languages", s.UpdateMember(ctx(t), ana), nil)
		got, _ = s.MemberByID(ctx(t), ana.ID)
		same(t, "after UpdateMember without languages", got, ana)

		bea, _ := s.LocalMemberByUsername(ctx(t), "bea")
		bea.Username = "ana"
		wantErr(t, "UpdateMember to a taken username", s.UpdateMember(ctx(t), bea), forum.ErrConflict)
		wantErr(t, "UpdateMember unknown", s.UpdateMember(ctx(t), &forum.Member{ID: ids.New(), Username: "zed"}), forum.ErrNotFound)

		n, err := s.CountLocalMembers(ctx(t))
		wantErr(t, "CountLocalMembers", err, nil)
		if n != 2 {
			t.Errorf("CountLocalMembers = %d, want 2", n)
		}

		byID, err := s.MembersByIDs(ctx(t), []forum.ID{ana.ID, remote.ID, ids.New()})
		wantErr(t, "MembersByIDs", err, nil)
		if len(byID) != 2 || byID[ana.ID].Username != "ana" || byID[remote.ID].Domain != "social.example" {
			t.Errorf("MembersByIDs = %v", byID)
		}
		empty, err := s.MembersByIDs(ctx(t), nil)
		if err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("MembersByIDs(nil) = %v, %v; want an empty map", empty, err)
		}
	})
}

func TestListMembers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		for _, name := range []string{"eva", "ana", "dan", "bea", "cid"} {
			m := &forum.Member{ID: ids.New(), Username: name, Role: forum.RoleMember, Languages: []string{"en"}, CreatedAt: t0}
			wantErr(t, "CreateMember", s.CreateMember(ctx(t), m), nil)
		}
		remote := &forum.Member{ID: ids.New(), Username: "abe", Domain: "remote.example", Role: forum.RoleMember, CreatedAt: t0}
		wantErr(t, "CreateMember remote", s.CreateMember(ctx(t), remote), nil)

		tests := []struct {
			after string
			limit int
			want  []string
		}{
			{"", 2, []string{"ana", "bea"}},
			{"bea", 2, []string{"cid", "dan"}},
			{"dan", 2, []string{"eva"}},
			{"eva", 2, nil},
			{"", 10, []string{"ana", "bea", "cid", "dan", "eva"}},
		}
		for _, tt := range tests {
			ms, err := s.ListMembers(ctx(t), tt.after, tt.limit)
			wantErr(t, "ListMembers", err, nil)
			var got []string
			for _, m := range ms {
				got = append(got, m.Username)
				if len(m.Languages) != 1 {
					t.Errorf("%s: languages not loaded: %v", m.Username, m.Languages)
				}
			}
			same(t, "ListMembers after "+tt.after, got, tt.want)
		}
	})
}
