package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// What arrives from other nodes. federation/ checks signatures and origins
// before calling these; the service still applies the domain's rules
// (policies, who may change what) and keeps every call idempotent, because
// the same activity can arrive twice.

// RemoteProfile describes a member of another node, from their actor.
type RemoteProfile struct {
	URI          string
	Username     string // preferredUsername
	Domain       string
	DisplayName  string
	ProfileURL   string
	Title        string
	Organisation string
	Languages    []string
	// AvatarURL is the picture their server shows (the actor's icon);
	// agora links it, never copies it.
	AvatarURL string
}

// SaveRemoteMember creates or refreshes the local record of a remote author.
func (s *Service) SaveRemoteMember(ctx context.Context, p RemoteProfile) (*Member, error) {
	if p.URI == "" || p.Domain == "" {
		return nil, invalid("uri", "error.required", "a remote member needs a URI and a domain")
	}
	name := clip(p.DisplayName, MaxNameLen)
	if name == "" {
		name = clip(p.Username, MaxNameLen)
	}
	langs, _ := canonicalLanguages("languages", p.Languages) // a bad tag from elsewhere is dropped, not fatal
	var m *Member
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		m, err = tx.MemberByURI(ctx, p.URI)
		fresh := errors.Is(err, ErrNotFound)
		if err != nil && !fresh {
			return err
		}
		if fresh {
			m = &Member{ID: s.ids.New(), URI: p.URI, Domain: strings.ToLower(p.Domain), Role: RoleMember, CreatedAt: s.clock.Now()}
		}
		m.Username = clip(p.Username, MaxNameLen)
		m.DisplayName, m.ProfileURL = name, p.ProfileURL
		m.Title, m.Organisation = clip(p.Title, MaxNameLen), clip(p.Organisation, MaxNameLen)
		m.Languages = langs
		m.AvatarURL = p.AvatarURL
		if err := s.placeMember(ctx, tx, m); err != nil {
			return err
		}
		if fresh {
			return tx.CreateMember(ctx, m)
		}
		return tx.UpdateMember(ctx, m)
	})
	if err != nil {
		return nil, fmt.Errorf("save remote member %s: %w", p.URI, err)
	}
	return m, nil
}

// clip trims s and cuts it to max characters: text from elsewhere is
// shortened, not refused.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}

// RemoteForumInfo describes a forum of another node that this node follows.
type RemoteForumInfo struct {
	URI      string
	Name     string // preferredUsername
	Domain   string
	Language string
	Texts    map[string]ForumText
}

// SaveRemoteForum creates or refreshes the local mirror of a remote forum;
// its slug is name@domain.
func (s *Service) SaveRemoteForum(ctx context.Context, actor *Member, in RemoteForumInfo) (*Forum, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	if in.URI == "" || in.Domain == "" || in.Name == "" {
		return nil, invalid("uri", "error.required", "a remote forum needs a URI, a name and a domain")
	}
	lang, err := CanonicalLanguage("language", in.Language)
	if err != nil {
		lang = "en"
	}
	texts := map[string]ForumText{}
	for tag, t := range in.Texts {
		if c, err := CanonicalLanguage("language", tag); err == nil {
			texts[c] = ForumText{Title: clip(t.Title, MaxTitleLen), Description: clip(t.Description, MaxForumTextLen)}
		}
	}
	if _, ok := texts[lang]; !ok {
		texts[lang] = ForumText{Title: clip(in.Name, MaxTitleLen)}
	}
	var f *Forum
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		f, err = tx.ForumByURI(ctx, in.URI)
		if errors.Is(err, ErrNotFound) {
			f = &Forum{ID: s.ids.New(), Slug: strings.ToLower(in.Name + "@" + in.Domain), URI: in.URI,
				Domain: strings.ToLower(in.Domain), Language: lang, Texts: texts, CreatedAt: s.clock.Now(), Position: 1000}
			return tx.CreateForum(ctx, f)
		} else if err != nil {
			return err
		}
		f.Language, f.Texts = lang, texts
		return tx.UpdateForum(ctx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("save remote forum %s: %w", in.URI, err)
	}
	return f, nil
}

// RemotePost is a question or an answer written on another node.
type RemotePost struct {
	URI          string
	Author       *Member // a remote member (SaveRemoteMember)
	Title        string  // questions only
	HTML         string  // sanitized again here
	Source       string  // markdown, if the sender gave it
	Language     string
	Translations map[string]Translation
	Extras       Extras
	Published    time.Time
	// Updated is the origin's time of this version (the object's
	// `updated`), nil if it gave none: it orders edits (ReceiveEdit).
	Updated *time.Time
	// ReceivedID is the received activity that brings the post, recorded
	// with its event; "" for a post fetched (no event).
	ReceivedID ID
}

// originVersion is the origin's time of a received version, for
// Post.OriginUpdatedAt: its `updated`, else (a first version) its
// `published`. Times the node cannot store, or none, give nil.
func originVersion(p RemotePost, first bool) *time.Time {
	v := p.Updated
	if v == nil && first {
		v = &p.Published
	}
	if v == nil || !Storable(*v) {
		return nil
	}
	u := v.UTC()
	return &u
}

// recordReceived records a received change's event in tx; nothing when the
// change was fetched rather than received.
func (s *Service) recordReceived(ctx context.Context, tx Store, receivedID ID, e Event) error {
	if receivedID == "" {
		return nil
	}
	e.ReceivedID = receivedID
	return s.record(ctx, tx, e)
}

// CleanReceived sanitizes and bounds a received post that is kept outside
// the forums (a followed person's status), by the rules of a received
// answer: the same allowlist, sizes and language checks.
func (s *Service) CleanReceived(p RemotePost) (RemotePost, error) { return s.cleanRemote(p, false) }

// cleanRemote sanitizes and bounds a received post. A question may have no
// body (Lemmy's and lotide's title-only posts: the title says it all), and
// any post may have none when its extras show something (an image-only
// post, a link, a poll, an event).
func (s *Service) cleanRemote(p RemotePost, question bool) (RemotePost, error) {
	if p.URI == "" || p.Author == nil {
		return p, invalid("uri", "error.required", "a remote post needs a URI and an author")
	}
	p.HTML = s.render.Sanitize(p.HTML)
	p.Extras = cleanExtras(p.Extras)
	if strings.TrimSpace(p.HTML) == "" && !question && !p.Extras.Shows() {
		return p, invalid("body", "error.required", "is required")
	}
	if len(p.HTML) > 4*MaxBodyLen {
		return p, invalid("body", "error.too_long", "is too long")
	}
	p.Source = clip(p.Source, MaxBodyLen)
	lang, err := CanonicalLanguage("language", p.Language)
	if err != nil {
		lang = "und"
	}
	p.Language = lang
	tr := map[string]Translation{}
	for tag, t := range p.Translations {
		c, err := CanonicalLanguage("language", tag)
		if err != nil || c == lang {
			continue
		}
		tr[c] = Translation{Title: clip(t.Title, MaxTitleLen), HTML: s.render.Sanitize(t.HTML)}
	}
	p.Translations = tr
	if !Storable(p.Published) || p.Published.After(s.clock.Now()) {
		p.Published = s.clock.Now()
	}
	return p, nil
}

// ReceiveQuestion stores a question asked on another node in forum f
// (a local forum, or the mirror of a remote one). Receiving it again
// returns the thread already stored.
func (s *Service) ReceiveQuestion(ctx context.Context, f *Forum, contextURI string, p RemotePost) (*Thread, error) {
	version := originVersion(p, true) // before cleanRemote moves a future publication to now
	p, err := s.cleanRemote(p, true)
	if err != nil {
		return nil, err
	}
	if err := CanPostFrom(f, p.Author.Domain); err != nil {
		return nil, err
	}
	title := clip(p.Title, MaxTitleLen)
	if title == "" {
		return nil, invalid("title", "error.required", "is required")
	}
	id := s.ids.NewAt(p.Published)
	t := &Thread{ID: id, URI: p.URI, ContextURI: contextURI, ForumID: f.ID, AuthorID: p.Author.ID, RootPostID: id,
		Title: title, Language: p.Language, LastPostID: id, LastPostAt: p.Published, CreatedAt: p.Published}
	post := &Post{ID: id, URI: p.URI, ThreadID: id, AuthorID: p.Author.ID, BranchID: id, Language: p.Language,
		Source: p.Source, HTML: p.HTML, Translations: p.Translations, Extras: p.Extras, CreatedAt: p.Published, OriginUpdatedAt: version}
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.CreateThread(ctx, t, post); err != nil {
			return err
		}
		return s.recordReceived(ctx, tx, p.ReceivedID, Event{Kind: EventPostReceived, ActorID: p.Author.ID, ForumID: f.ID,
			ThreadID: t.ID, PostID: post.ID})
	})
	if errors.Is(err, ErrConflict) {
		return s.store.ThreadByURI(ctx, p.URI)
	}
	if err != nil {
		return nil, fmt.Errorf("store remote question: %w", err)
	}
	return t, nil
}

// ReceiveAnswer stores an answer written on another node, to parent (the
// question or an answer) in thread t. Receiving it again returns the post
// already stored.
//
// Its transaction holds only what must be written together (the post, the
// thread's count, the event): on SQLite one write transaction runs at a
// time, so every statement in it makes every other writer wait. The forum
// and the thread are read before, without locking the thread; the thread's
// reply count and last post move by one atomic statement
// (AddThreadReplies), so answers to one thread applied concurrently lose
// no count and never wait on each other for a read. A post already stored
// is found by its URI's unique index: the insert conflicts.
func (s *Service) ReceiveAnswer(ctx context.Context, t *Thread, parent *Post, p RemotePost) (*Post, error) {
	version := originVersion(p, true) // before cleanRemote moves a future publication to now
	p, err := s.cleanRemote(p, false)
	if err != nil {
		return nil, err
	}
	t, err = s.store.ReadThread(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if t.DeletedAt != nil {
		return nil, ErrGone
	}
	f, err := s.store.ForumByID(ctx, t.ForumID)
	if err != nil {
		return nil, err
	}
	if err := CanPostFrom(f, p.Author.Domain); err != nil {
		return nil, err
	}
	if t.Locked {
		return nil, ErrLocked
	}
	if parent.ThreadID != t.ID {
		return nil, errParentNotInThread
	}
	post := &Post{ID: idAfter(s.ids, p.Published, parent.ID), URI: p.URI, ThreadID: t.ID, AuthorID: p.Author.ID, ParentID: parent.ID,
		BranchID: parent.BranchID, Language: p.Language, Source: p.Source, HTML: p.HTML,
		Translations: p.Translations, Extras: p.Extras, CreatedAt: p.Published, OriginUpdatedAt: version}
	if parent.IsQuestion() {
		post.BranchID = post.ID
	}
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		if err := tx.CreatePost(ctx, post); err != nil {
			return fmt.Errorf("store remote answer: %w", err)
		}
		if err := tx.AddThreadReplies(ctx, t.ID, 1, post.ID, post.CreatedAt); err != nil {
			return err
		}
		return s.recordReceived(ctx, tx, p.ReceivedID, Event{Kind: EventPostReceived, ActorID: p.Author.ID, ForumID: f.ID,
			ThreadID: t.ID, PostID: post.ID})
	})
	if errors.Is(err, ErrConflict) {
		// Received before: the post stored then (nothing was written now).
		if existing, lookErr := s.store.PostByURI(ctx, p.URI); lookErr == nil {
			return existing, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return post, nil
}

// WithStore returns a copy of the service that works on st: the received
// side applies a batch of activities in one transaction by handing the
// service that transaction (or a store wrapping it).
func (s *Service) WithStore(st Store) *Service {
	c := *s
	c.store = st
	return &c
}

// ReceiveEdit applies a new version of a remote post, sent by its author.
// A version whose Updated is not after the one stored is stale (ErrStale),
// and changes nothing: Updates arrive out of order. A version without
// Updated cannot be ordered and is applied as it arrives, keeping the
// stored version time, so a later stale Update is still recognised.
func (s *Service) ReceiveEdit(ctx context.Context, post *Post, by *Member, p RemotePost) (*Post, error) {
	if by == nil || by.ID != post.AuthorID {
		return nil, ErrForbidden
	}
	p.Author = by
	version := originVersion(p, false)
	p, err := s.cleanRemote(p, post.IsQuestion())
	if err != nil {
		return nil, err
	}
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		cur, t, err := s.postAndThread(ctx, tx, post.ID)
		if err != nil {
			return err
		}
		if cur.Deleted() {
			return ErrGone
		}
		if version != nil && cur.OriginUpdatedAt != nil && !version.After(*cur.OriginUpdatedAt) {
			post = cur
			return fmt.Errorf("edit of %s made %s, the stored version %s: %w", cur.URI,
				version.Format(time.RFC3339Nano), cur.OriginUpdatedAt.Format(time.RFC3339Nano), ErrStale)
		}
		now := s.clock.Now()
		translations := mergeTranslations(cur.Translations, p.Translations, p.Language, now)
		if cur.Source == p.Source && cur.HTML == p.HTML && cur.Language == p.Language && cur.Extras.Equal(p.Extras) && (!cur.IsQuestion() || t.Title == clip(p.Title, MaxTitleLen)) {
			post = cur
			if sameTranslations(cur.Translations, translations) {
				if version == nil {
					return nil // a repeated Update changes nothing
				}
				cur.OriginUpdatedAt = version // the same text, newer: later stale copies must still lose
				if err := tx.UpdatePost(ctx, cur); err != nil {
					return err
				}
				// Still passed on: other nodes may lack what this one
				// already had (a version made here and offered to the
				// origin comes back as the origin's Update).
				return s.recordReceived(ctx, tx, p.ReceivedID, Event{Kind: EventEditReceived, ActorID: by.ID, ForumID: t.ForumID,
					ThreadID: t.ID, PostID: cur.ID})
			}
			// Only new language versions: kept beside the text, which is
			// not edited (no revision), and passed on like any edit.
			if version != nil {
				cur.OriginUpdatedAt = version
			}
			cur.Translations = translations
			if err := tx.UpdatePost(ctx, cur); err != nil {
				return err
			}
			return s.recordReceived(ctx, tx, p.ReceivedID, Event{Kind: EventEditReceived, ActorID: by.ID, ForumID: t.ForumID,
				ThreadID: t.ID, PostID: cur.ID})
		}
		if version != nil {
			cur.OriginUpdatedAt = version
		}
		old := &Revision{ID: s.ids.New(), PostID: cur.ID, EditorID: by.ID, Source: cur.Source, Language: cur.Language, CreatedAt: now}
		if cur.IsQuestion() {
			old.Title = t.Title
		}
		if old.Source == "" {
			old.Source = cur.HTML // remote posts may come without markdown: keep what was shown
		}
		if err := tx.CreateRevision(ctx, old); err != nil {
			return err
		}
		cur.Source, cur.HTML, cur.Language, cur.Translations, cur.Extras, cur.EditedAt = p.Source, p.HTML, p.Language, translations, p.Extras, &now
		if err := tx.UpdatePost(ctx, cur); err != nil {
			return err
		}
		post = cur
		if title := clip(p.Title, MaxTitleLen); cur.IsQuestion() && title != "" {
			t.Title, t.Language = title, p.Language
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		return s.recordReceived(ctx, tx, p.ReceivedID, Event{Kind: EventEditReceived, ActorID: by.ID, ForumID: t.ForumID,
			ThreadID: t.ID, PostID: cur.ID})
	})
	return post, err
}

// ReceiveDelete deletes a remote post (a question takes its thread along).
// by is the post's author, or a member of the node hosting the forum
// (its moderators act from there). Deleting twice changes nothing.
// receivedID is the received Delete (recorded with the event), "" if none.
func (s *Service) ReceiveDelete(ctx context.Context, post *Post, by *Member, receivedID ID) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		cur, err := tx.PostByID(ctx, post.ID)
		if err != nil {
			return err
		}
		t, err := tx.ThreadByID(ctx, cur.ThreadID)
		if err != nil {
			return err
		}
		// Read again holding the thread, as postAndThread does (a deleted
		// thread is still read here: its question's Delete repeats).
		if cur, err = tx.PostByID(ctx, post.ID); err != nil {
			return err
		}
		f, err := tx.ForumByID(ctx, t.ForumID)
		if err != nil {
			return err
		}
		if by == nil || (by.ID != cur.AuthorID && (f.Local() || by.Domain != f.Domain)) {
			return ErrForbidden
		}
		now := s.clock.Now()
		deleted := Event{Kind: EventDeleteReceived, ActorID: by.ID, ForumID: f.ID, ThreadID: t.ID, PostID: cur.ID}
		if cur.IsQuestion() {
			if t.DeletedAt != nil {
				return nil
			}
			t.DeletedAt = &now
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
			return s.recordReceived(ctx, tx, receivedID, deleted)
		}
		if cur.Deleted() {
			return nil
		}
		cur.Source, cur.HTML, cur.Translations, cur.Extras, cur.DeletedAt, cur.DeletedBy = "", "", nil, Extras{}, &now, by.ID
		if err := tx.UpdatePost(ctx, cur); err != nil {
			return err
		}
		t.ReplyCount--
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		return s.recordReceived(ctx, tx, receivedID, deleted)
	})
}

// ReceiveHelpful records a remote member's helpful mark (a Like), or its
// removal (Undo). Repeats change nothing. receivedID is the received Like
// or Undo (recorded with the event), "" if none.
func (s *Service) ReceiveHelpful(ctx context.Context, post *Post, by *Member, on bool, receivedID ID) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, t, err := s.postAndThread(ctx, tx, post.ID)
		if err != nil {
			return err
		}
		if p.IsQuestion() || p.Deleted() || by.ID == p.AuthorID {
			return nil // Mastodon users like anything; only answers count as helpful
		}
		if on {
			err = tx.AddHelpful(ctx, p.ID, by.ID, s.clock.Now())
		} else {
			err = tx.RemoveHelpful(ctx, p.ID, by.ID)
		}
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if on {
			p.HelpfulCount++
		} else {
			p.HelpfulCount--
		}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.recordReceived(ctx, tx, receivedID, Event{Kind: EventHelpfulReceived, ActorID: by.ID, ForumID: t.ForumID,
			ThreadID: t.ID, PostID: p.ID})
	})
}

// ReceiveLock locks or unlocks a thread of a remote forum, as its node said.
func (s *Service) ReceiveLock(ctx context.Context, t *Thread, by *Member, locked bool) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		cur, err := s.threadOf(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		f, err := tx.ForumByID(ctx, cur.ForumID)
		if err != nil {
			return err
		}
		if f.Local() || by == nil || by.Domain != f.Domain {
			return ErrForbidden
		}
		cur.Locked = locked
		return tx.UpdateThread(ctx, cur)
	})
}

// Lookups by ActivityPub id, for federation.

// MemberByURI finds a remote member.
func (s *Service) MemberByURI(ctx context.Context, uri string) (*Member, error) {
	return s.store.MemberByURI(ctx, uri)
}

// ForumByURI finds a remote forum.
func (s *Service) ForumByURI(ctx context.Context, uri string) (*Forum, error) {
	return s.store.ForumByURI(ctx, uri)
}

// ThreadByURI finds a remote thread.
func (s *Service) ThreadByURI(ctx context.Context, uri string) (*Thread, error) {
	return s.store.ThreadByURI(ctx, uri)
}

// PostByURI finds a remote post.
func (s *Service) PostByURI(ctx context.Context, uri string) (*Post, error) {
	return s.store.PostByURI(ctx, uri)
}

// Post finds a post by ID.
func (s *Service) Post(ctx context.Context, id ID) (*Post, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return s.store.PostByID(ctx, id)
}

// ReceiveShare records that a member of another node shared a post (a
// Mastodon boost), or takes it back (Undo). Repeats change nothing.
func (s *Service) ReceiveShare(ctx context.Context, post *Post, by *Member, on bool) error {
	return s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		p, _, err := s.postAndThread(ctx, tx, post.ID)
		if err != nil {
			return err
		}
		if p.Deleted() {
			return nil
		}
		if on {
			err = tx.AddShare(ctx, p.ID, by.ID, s.clock.Now())
		} else {
			err = tx.RemoveShare(ctx, p.ID, by.ID)
		}
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if on {
			p.ShareCount++
		} else {
			p.ShareCount--
		}
		return tx.UpdatePost(ctx, p)
	})
}
