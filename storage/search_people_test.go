package storage_test

import (
	"testing"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

// TestFindMembersAndForums: the search page's members and forums are
// local and known remote ones, none of a blocked instance (nor of a
// subdomain of one): local first, then by username; forums in their
// order.
func TestFindMembersAndForums(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s) // ana, forum "digital" (Digitalisation)
		member := func(username, domain, org string) {
			t.Helper()
			m := &forum.Member{ID: f.ids.New(), Username: username, DisplayName: username, Organisation: org,
				Domain: domain, URI: "https://" + domain + "/u/" + username, Role: forum.RoleMember, CreatedAt: t0}
			wantErr(t, "CreateMember "+username, s.CreateMember(ctx(t), m), nil)
		}
		member("anabela", "bh.example", "Belo Horizonte")
		member("analyst", "social.spam.example", "")
		member("anarchy", "spam.example", "")
		member("bruno", "spam.example.org", "Banco de Ana") // not a subdomain of spam.example
		forumOf := func(slug, domain, title string) {
			t.Helper()
			fo := &forum.Forum{ID: f.ids.New(), Slug: slug + "@" + domain, Language: "en", URI: "https://" + domain + "/f/" + slug,
				Domain: domain, CreatedAt: t0, Texts: map[string]forum.ForumText{"en": {Title: title}}}
			wantErr(t, "CreateForum "+slug, s.CreateForum(ctx(t), fo), nil)
		}
		forumOf("hub", "hub.example", "Digital hub")
		forumOf("deals", "forums.spam.example", "Digital deals")
		forumOf("digital", "spam.example", "Spam")
		wantErr(t, "BlockDomain", s.BlockDomain(ctx(t), &federation.DomainBlock{Domain: "spam.example", CreatedAt: t0}), nil)

		for _, tc := range []struct {
			text string
			want []string
		}{
			{"ana", []string{"ana", "anabela", "bruno"}},
			{"ANABELA", []string{"anabela"}},
			{"belo horizonte", []string{"anabela"}},
			{"anarchy", nil},
			{"analyst", nil},
		} {
			got, err := s.FindMembers(ctx(t), tc.text, 10)
			wantErr(t, "FindMembers "+tc.text, err, nil)
			var names []string
			for _, m := range got {
				names = append(names, m.Username)
			}
			same(t, "members for "+tc.text, names, tc.want)
		}
		for _, tc := range []struct {
			text string
			want []string
		}{
			{"digital", []string{"digital", "hub@hub.example"}},
			{"hub", []string{"hub@hub.example"}},
			{"deals", nil},
			{"spam", nil},
		} {
			got, err := s.FindForums(ctx(t), tc.text, 10)
			wantErr(t, "FindForums "+tc.text, err, nil)
			var slugs []string
			for _, fo := range got {
				slugs = append(slugs, fo.Slug)
			}
			same(t, "forums for "+tc.text, slugs, tc.want)
		}
	})
}
