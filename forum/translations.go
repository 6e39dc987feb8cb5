package forum

import (
	"context"
	"strings"
	"time"
)

// TranslationInput is a member's version of a post in another language.
// Title is used only for a question.
type TranslationInput struct {
	Language string
	Title    string
	Body     string
}

// baseLanguage is a tag's language without region or script ("es" for
// "es-MX"): a translation is into another language, not another variant.
func baseLanguage(tag string) string {
	if i := strings.IndexByte(tag, '-'); i > 0 {
		return strings.ToLower(tag[:i])
	}
	return strings.ToLower(tag)
}

// writesLanguage reports whether the member lists lang (or a variant of
// it) among the languages they write.
func writesLanguage(m *Member, lang string) bool {
	for _, l := range m.Languages {
		if baseLanguage(l) == baseLanguage(lang) {
			return true
		}
	}
	return false
}

// CanTranslate: the post's author, or a member who writes the language,
// may add a version of a post in it; a question's thread must be alive.
// lang "" asks whether the member may translate into some language (for
// showing the link).
func CanTranslate(actor *Member, t *Thread, p *Post, lang string) error {
	if !signedIn(actor) || !actor.Local() || p.Deleted() || t.DeletedAt != nil {
		return ErrForbidden
	}
	if actor.ID == p.AuthorID {
		return nil
	}
	if lang == "" {
		for _, l := range actor.Languages {
			if baseLanguage(l) != baseLanguage(p.Language) {
				return nil
			}
		}
		return ErrForbidden
	}
	return allow(writesLanguage(actor, lang))
}

// TranslatePost adds (or replaces) the post's version in in.Language,
// written by actor. It is stored with the post, indexed for search in its
// language in the same transaction (storage), and recorded as a
// post.translated event: the publisher sends the post's Update with every
// language version when the post is this node's, and offers the version
// to the post's origin when it is another node's.
func (s *Service) TranslatePost(ctx context.Context, actor *Member, postID ID, in TranslationInput) (*Post, error) {
	lang, err := CanonicalLanguage("language", in.Language)
	if err != nil {
		return nil, err
	}
	source, html, err := s.renderBody(in.Body)
	if err != nil {
		return nil, err
	}
	var p *Post
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if baseLanguage(lang) == baseLanguage(p.Language) {
			return invalid("language", "error.translation_same_language", "is the post's own language: choose another")
		}
		if err := CanTranslate(actor, t, p, lang); err != nil {
			return err
		}
		title := ""
		if p.IsQuestion() {
			if title, err = text("title", in.Title, MinTitleLen, MaxTitleLen); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		if p.Translations == nil {
			p.Translations = map[string]Translation{}
		}
		p.Translations[lang] = Translation{Title: title, HTML: html, Source: source, TranslatorID: actor.ID, CreatedAt: &now}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: EventPostTranslated, ActorID: actor.ID, ForumID: t.ForumID, ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// LastChanged is when the post's content last changed: its last edit or
// its newest translation, nil if neither happened. It is the `updated`
// a post's Update carries, so receivers take a new translation as news.
func (p *Post) LastChanged() *time.Time {
	last := p.EditedAt
	for _, tr := range p.Translations {
		if tr.CreatedAt != nil && (last == nil || tr.CreatedAt.After(*last)) {
			last = tr.CreatedAt
		}
	}
	return last
}

// Shown is the version of a post a reader sees: the original when it is
// in the reader's language or has no version in it, else the translation.
type Shown struct {
	Language string
	Title    string // the question's title in that language ("" for answers)
	HTML     string
	// Translated is set when a translation is shown; the original is then
	// offered beside it.
	Translated bool
}

// ShownIn picks the post's version for a reader of lang; title is the
// thread's title (the original's).
func (p *Post) ShownIn(lang, title string) Shown {
	orig := Shown{Language: p.Language, Title: title, HTML: p.HTML}
	if lang == "" || baseLanguage(lang) == baseLanguage(p.Language) {
		return orig
	}
	best := ""
	if _, ok := p.Translations[lang]; ok {
		best = lang
	} else {
		for l := range p.Translations {
			if baseLanguage(l) == baseLanguage(lang) && (best == "" || l < best) {
				best = l
			}
		}
	}
	if best == "" {
		return orig
	}
	tr := p.Translations[best]
	if tr.Title == "" {
		tr.Title = title
	}
	return Shown{Language: best, Title: tr.Title, HTML: tr.HTML, Translated: true}
}

// mergeTranslations is what a received version leaves: the versions it
// brings, over those kept here (versions that arrived before, or were
// made here and offered to the origin), never in its original language.
func mergeTranslations(kept, in map[string]Translation, original string, now time.Time) map[string]Translation {
	out := make(map[string]Translation, len(kept)+len(in))
	for l, t := range kept {
		if l != original {
			out[l] = t
		}
	}
	for l, t := range in {
		if k, ok := out[l]; ok && k.Title == t.Title && k.HTML == t.HTML {
			continue // unchanged: keep who wrote it and when
		}
		at := now
		t.CreatedAt = &at
		out[l] = t
	}
	return out
}

// sameTranslations reports whether two sets hold the same texts.
func sameTranslations(a, b map[string]Translation) bool {
	if len(a) != len(b) {
		return false
	}
	for l, t := range a {
		u, ok := b[l]
		if !ok || u.Title != t.Title || u.HTML != t.HTML {
			return false
		}
	}
	return true
}

// ReceivedTranslation is a language version of one of this node's posts
// offered by a member of another node.
type ReceivedTranslation struct {
	Language string
	Title    string
	HTML     string // sanitized again here
	// ReceivedID is the received activity, recorded with the event.
	ReceivedID ID
}

// ReceiveTranslation stores a version of a post of this node offered by a
// remote member (by). The same rules as for a member here: not the post's
// own language, and a language the member writes (their profile's
// languages) unless they wrote the post; members of other nodes must also
// be allowed to post in the forum. It is recorded as post.translated by
// them, so the publisher sends the post's Update with every version.
func (s *Service) ReceiveTranslation(ctx context.Context, postID ID, by *Member, in ReceivedTranslation) (*Post, error) {
	if by == nil || by.Local() {
		return nil, ErrForbidden
	}
	lang, err := CanonicalLanguage("language", in.Language)
	if err != nil {
		return nil, err
	}
	html := s.render.Sanitize(in.HTML)
	if strings.TrimSpace(html) == "" {
		return nil, invalid("body", "error.required", "is required")
	}
	if len(html) > 4*MaxBodyLen {
		return nil, invalid("body", "error.too_long", "is too long")
	}
	var p *Post
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var t *Thread
		if p, t, err = s.postAndThread(ctx, tx, postID); err != nil {
			return err
		}
		if p.URI != "" {
			return ErrForbidden // another node's post: offered to its origin
		}
		if p.Deleted() || t.DeletedAt != nil {
			return ErrGone
		}
		if baseLanguage(lang) == baseLanguage(p.Language) {
			return invalid("language", "error.translation_same_language", "is the post's own language")
		}
		if by.ID != p.AuthorID && !writesLanguage(by, lang) {
			return ErrForbidden
		}
		f, err := tx.ForumByID(ctx, t.ForumID)
		if err != nil {
			return err
		}
		if err := CanPostFrom(f, by.Domain); err != nil {
			return err
		}
		title := ""
		if p.IsQuestion() {
			if title = clip(strings.TrimSpace(in.Title), MaxTitleLen); title == "" {
				return invalid("title", "error.required", "is required")
			}
		}
		if cur, ok := p.Translations[lang]; ok && cur.Title == title && cur.HTML == html {
			return nil // offered again: nothing new
		}
		now := s.clock.Now()
		if p.Translations == nil {
			p.Translations = map[string]Translation{}
		}
		p.Translations[lang] = Translation{Title: title, HTML: html, TranslatorID: by.ID, CreatedAt: &now}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.recordReceived(ctx, tx, in.ReceivedID, Event{Kind: EventPostTranslated, ActorID: by.ID, ForumID: t.ForumID,
			ThreadID: t.ID, PostID: p.ID})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
