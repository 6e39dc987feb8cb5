package storage_test

import (
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/storage"
)

func TestForums(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		f := &forum.Forum{ID: ids.New(), Slug: "digital", Position: 2, Language: "en", CreatedAt: t0,
			Texts: map[string]forum.ForumText{
				"en": {Title: "Learning forum on digitalisation", Description: "Internet access"},
				"es": {Title: "Foro de aprendizaje sobre digitalización", Description: "Acceso a internet"},
			}}
		wantErr(t, "CreateForum", s.CreateForum(ctx(t), f), nil)
		got, err := s.ForumByID(ctx(t), f.ID)
		wantErr(t, "ForumByID", err, nil)
		same(t, "ForumByID", got, f)
		got, err = s.ForumBySlug(ctx(t), "digital")
		wantErr(t, "ForumBySlug", err, nil)
		same(t, "ForumBySlug", got, f)

		tests := []struct {
			name string
			f    *forum.Forum
			want error
		}{
			{"same slug", &forum.Forum{ID: ids.New(), Slug: "digital", Language: "en", CreatedAt: t0}, forum.ErrConflict},
			{"same id", &forum.Forum{ID: f.ID, Slug: "other", Language: "en", CreatedAt: t0}, forum.ErrConflict},
			{"no texts", &forum.Forum{ID: ids.New(), Slug: "climate", Language: "fr", CreatedAt: t0, Texts: map[string]forum.ForumText{}}, nil},
		}
		for _, tt := range tests {
			wantErr(t, "CreateForum "+tt.name, s.CreateForum(ctx(t), tt.f), tt.want)
		}
		_, err = s.ForumByID(ctx(t), ids.New())
		wantErr(t, "ForumByID unknown", err, forum.ErrNotFound)
		_, err = s.ForumBySlug(ctx(t), "nope")
		wantErr(t, "ForumBySlug unknown", err, forum.ErrNotFound)

		// Update replaces the texts: "es" goes, "pt" comes.
		f.Position = 5
		f.Texts = map[string]forum.ForumText{
			"en": {Title: "Digitalisation", Description: "Changed"},
			"pt": {Title: "Digitalização", Description: "Acesso"},
		}
		wantErr(t, "UpdateForum", s.UpdateForum(ctx(t), f), nil)
		got, _ = s.ForumByID(ctx(t), f.ID)
		same(t, "after UpdateForum", got, f)
		wantErr(t, "UpdateForum unknown", s.UpdateForum(ctx(t), &forum.Forum{ID: ids.New(), Slug: "x"}), forum.ErrNotFound)
		clash := *f
		clash.Slug = "climate"
		wantErr(t, "UpdateForum to a taken slug", s.UpdateForum(ctx(t), &clash), forum.ErrConflict)
		got, _ = s.ForumByID(ctx(t), f.ID)
		same(t, "after failed UpdateForum", got, f)

		byID, err := s.ForumsByIDs(ctx(t), []forum.ID{f.ID, ids.New()})
		wantErr(t, "ForumsByIDs", err, nil)
		if len(byID) != 1 {
			t.Errorf("ForumsByIDs = %v", byID)
		} else {
			same(t, "ForumsByIDs", byID[f.ID], f)
		}
		empty, err := s.ForumsByIDs(ctx(t), []forum.ID{})
		if err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("ForumsByIDs(empty) = %v, %v; want an empty map", empty, err)
		}
	})
}

func TestListForums(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *storage.Store) {
		ids := newIDs()
		// Positions out of ID order, a tie at position 1, a negative one.
		positions := []int{1, 0, 1, -1, 3, 1, 2}
		forums := make([]*forum.Forum, len(positions))
		for i, p := range positions {
			forums[i] = &forum.Forum{ID: ids.New(), Slug: "f" + string(rune('a'+i)), Position: p, Language: "en",
				CreatedAt: t0, Texts: map[string]forum.ForumText{"en": {Title: "t"}}}
			wantErr(t, "CreateForum", s.CreateForum(ctx(t), forums[i]), nil)
		}
		want := []*forum.Forum{forums[3], forums[1], forums[0], forums[2], forums[5], forums[6], forums[4]}

		var got []*forum.Forum
		var after forum.ForumCursor
		for page := 0; ; page++ {
			items, err := s.ListForums(ctx(t), after, 3)
			wantErr(t, "ListForums", err, nil)
			if len(items) == 0 {
				break
			}
			if len(items) > 3 || page > 3 {
				t.Fatalf("page %d has %d items", page, len(items))
			}
			got = append(got, items...)
			last := items[len(items)-1]
			after = forum.ForumCursor{Position: last.Position, ID: last.ID}
		}
		same(t, "ListForums in pages", got, want)
	})
}
