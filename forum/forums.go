package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ForumInput describes a forum to create or update.
type ForumInput struct {
	Slug     string
	Position int
	Language string               // original language: Texts must have it
	Texts    map[string]ForumText // by language tag; empty entries are dropped
}

func (in ForumInput) clean() (ForumInput, error) {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if err := validateSlug(in.Slug); err != nil {
		return in, err
	}
	if in.Position < 0 || in.Position > 1_000_000 {
		return in, invalid("position", "error.position", "must be between 0 and 1000000")
	}
	lang, err := CanonicalLanguage("language", in.Language)
	if err != nil {
		return in, err
	}
	in.Language = lang
	texts := map[string]ForumText{}
	for tag, t := range in.Texts {
		if strings.TrimSpace(t.Title) == "" && strings.TrimSpace(t.Description) == "" {
			continue
		}
		tag, err := CanonicalLanguage("language", tag)
		if err != nil {
			return in, err
		}
		if t.Title, err = text("title", t.Title, 1, MaxTitleLen); err != nil {
			return in, err
		}
		if t.Description, err = text("description", t.Description, 0, MaxForumTextLen); err != nil {
			return in, err
		}
		texts[tag] = t
	}
	if _, ok := texts[lang]; !ok {
		return in, invalid("title", "error.required", "is required in the forum's language")
	}
	in.Texts = texts
	return in, nil
}

// CreateForum creates a forum.
func (s *Service) CreateForum(ctx context.Context, actor *Member, in ForumInput) (*Forum, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	f := &Forum{ID: s.ids.New(), Slug: in.Slug, Position: in.Position, Language: in.Language,
		Texts: in.Texts, CreatedAt: s.clock.Now()}
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		// Forums and members share the handle namespace (@slug@host).
		if _, err := tx.LocalMemberByUsername(ctx, f.Slug); err == nil {
			return invalid("slug", "error.slug_taken", "is taken")
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.CreateForum(ctx, f); errors.Is(err, ErrConflict) {
			return invalid("slug", "error.slug_taken", "is taken")
		} else if err != nil {
			return fmt.Errorf("create forum: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// UpdateForum changes a forum's texts and position. The slug is part of
// the forum's address and never changes.
func (s *Service) UpdateForum(ctx context.Context, actor *Member, id ID, in ForumInput) (*Forum, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	var f *Forum
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if f, err = tx.ForumToChange(ctx, id); err != nil {
			return err
		}
		in.Slug = f.Slug
		if in, err = in.clean(); err != nil {
			return err
		}
		if !f.Local() {
			return ErrForbidden
		}
		f.Position, f.Language, f.Texts = in.Position, in.Language, in.Texts
		if err := tx.UpdateForum(ctx, f); err != nil {
			return fmt.Errorf("update forum: %w", err)
		}
		return s.record(ctx, tx, Event{Kind: EventForumUpdated, ActorID: actor.ID, ForumID: f.ID})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ForumBySlug finds a forum.
func (s *Service) ForumBySlug(ctx context.Context, slug string) (*Forum, error) {
	return s.store.ForumBySlug(ctx, strings.ToLower(slug))
}

// ListForums lists forums in their order.
func (s *Service) ListForums(ctx context.Context, cursor string) (Page[*Forum], error) {
	after, err := decodeForumCursor(cursor)
	if err != nil {
		return Page[*Forum]{}, err
	}
	items, err := s.store.ListForums(ctx, after, ForumPageSize+1)
	return pageOf(items, err, ForumPageSize, encodeForumCursor)
}

// ForumByID finds a forum.
func (s *Service) ForumByID(ctx context.Context, id ID) (*Forum, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return s.store.ForumByID(ctx, id)
}

// SetPolicy changes who may follow a local forum and post in it from other
// nodes. Instances are host names (host[:port]), lowercased.
func (s *Service) SetPolicy(ctx context.Context, actor *Member, forumID ID, p ForumPolicy) (*Forum, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	var hosts []string
	seen := map[string]bool{}
	for _, h := range p.Instances {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || seen[h] {
			continue
		}
		if !hostPattern.MatchString(h) {
			return nil, invalid("instances", "error.host", "lists something that is not a host name")
		}
		seen[h] = true
		hosts = append(hosts, h)
	}
	p.Instances = hosts
	var f *Forum
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if !ValidID(forumID) {
			return ErrNotFound
		}
		if f, err = tx.ForumToChange(ctx, forumID); err != nil {
			return err
		}
		if !f.Local() {
			return ErrForbidden
		}
		f.Policy = p
		if err := tx.UpdateForum(ctx, f); err != nil {
			return fmt.Errorf("update forum: %w", err)
		}
		return s.record(ctx, tx, Event{Kind: EventForumUpdated, ActorID: actor.ID, ForumID: f.ID})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}
