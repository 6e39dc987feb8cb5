package web_test

import (
	"strings"
	"testing"
)

// TestJobTitleAndPermissionsNamedApart: a member's job title and their
// permissions on the site are two things with two names, on the profile,
// its form and the admin page; neither is called "Role".
func TestJobTitleAndPermissionsNamedApart(t *testing.T) {
	tests := []struct {
		lang, title, perms, permsHere string
	}{
		{"en", "Job title", "Permissions", "Permissions on this site"},
		{"es", "Cargo", "Permisos", "Permisos en este sitio"},
		{"ar", "المسمى الوظيفي", "الصلاحيات", "الصلاحيات في هذا الموقع"},
	}
	s := newSite(t)
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			joao, admin := s.signedIn("joao"), s.signedIn("secretariat")
			joao.lang, admin.lang = tt.lang, tt.lang
			pages := []struct {
				name string
				p    page
				want []string
			}{
				{"profile", joao.get("/u/joao"), []string{"<dt>" + tt.title + "</dt><dd>Digital Inclusion Lead</dd>", "<dt>" + tt.permsHere + "</dt>"}},
				{"profile form", joao.get("/u/joao/edit"), []string{`<label for="title">` + tt.title + `</label>`}},
				{"admin members", admin.get("/admin/members"), []string{`<th scope="col">` + tt.perms + `</th>`}},
				{"admin invitations", admin.get("/admin/invitations"), []string{`<label for="inv-role">` + tt.perms + `</label>`}},
			}
			for _, pg := range pages {
				mustContain(t, pg.p, pg.want...)
				for _, role := range []string{">Role<", ">Role:", "Rol<", ">Rôle<"} {
					if strings.Contains(pg.p.body, role) {
						t.Errorf("%s says %q", pg.name, role)
					}
				}
			}
		})
	}
}
