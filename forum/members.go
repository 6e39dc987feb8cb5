package forum

import (
	"context"
	"errors"
	"fmt"
)

// Profile is what a member says about themselves.
type Profile struct {
	DisplayName  string
	Title        string
	Organisation string
	Languages    []string
	UILanguage   string // empty: follow the browser
	TimeZone     string // IANA zone; empty: the node's
}

func (p Profile) clean() (Profile, error) {
	var err error
	if p.DisplayName, err = text("display_name", p.DisplayName, 1, MaxNameLen); err != nil {
		return p, err
	}
	if p.Title, err = text("title", p.Title, 0, MaxNameLen); err != nil {
		return p, err
	}
	if p.Organisation, err = text("organisation", p.Organisation, 0, MaxNameLen); err != nil {
		return p, err
	}
	if p.Languages, err = canonicalLanguages("languages", p.Languages); err != nil {
		return p, err
	}
	if p.UILanguage != "" {
		if p.UILanguage, err = CanonicalLanguage("ui_language", p.UILanguage); err != nil {
			return p, err
		}
	}
	if p.TimeZone != "" {
		loc, err := LoadTimeZone("time_zone", p.TimeZone)
		if err != nil {
			return p, err
		}
		p.TimeZone = loc.String()
	}
	return p, nil
}

func (p Profile) applyTo(m *Member) {
	m.DisplayName, m.Title, m.Organisation = p.DisplayName, p.Title, p.Organisation
	m.Languages, m.UILanguage, m.TimeZone = p.Languages, p.UILanguage, p.TimeZone
}

// NewAccount is what creating an account needs.
type NewAccount struct {
	Username string
	Password string // may be empty only for CreateMember: then the member needs a set-password link
	Profile
}

func (s *Service) newMember(ctx context.Context, tx Store, a NewAccount, role Role, requirePassword bool) (*Member, error) {
	a.Username = NormalizeUsername(a.Username)
	if err := validateUsername(a.Username); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, invalid("role", "error.role", "must be member, moderator or admin")
	}
	p, err := a.Profile.clean()
	if err != nil {
		return nil, err
	}
	m := &Member{ID: s.ids.New(), Username: a.Username, Role: role, CreatedAt: s.clock.Now()}
	p.applyTo(m)
	if a.Password != "" || requirePassword {
		if err := validatePassword(a.Password); err != nil {
			return nil, err
		}
		if m.PasswordHash, err = s.hasher.Hash(a.Password); err != nil {
			return nil, fmt.Errorf("hash password: %w", err)
		}
	}
	// Members and forums share the handle namespace (@name@host).
	if _, err := tx.ForumBySlug(ctx, m.Username); err == nil {
		return nil, invalid("username", "error.username_taken", "is taken")
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err := s.placeMember(ctx, tx, m); err != nil {
		return nil, err
	}
	if err := tx.CreateMember(ctx, m); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, invalid("username", "error.username_taken", "is taken")
		}
		return nil, fmt.Errorf("create member: %w", err)
	}
	return m, nil
}

// CreateMember creates an account directly (admin command line).
func (s *Service) CreateMember(ctx context.Context, actor *Member, a NewAccount, role Role) (*Member, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	var m *Member
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		m, err = s.newMember(ctx, tx, a, role, false)
		return err
	})
	return m, err
}

// Bootstrap creates the first admin when the node has no member yet, and
// returns a one-time link token to set its password. created is false (and
// nothing changes) when the node already has members.
func (s *Service) Bootstrap(ctx context.Context, username string) (m *Member, token string, created bool, err error) {
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		n, err := tx.CountLocalMembers(ctx)
		if err != nil || n > 0 {
			return err
		}
		m, err = s.newMember(ctx, tx, NewAccount{Username: username, Profile: Profile{DisplayName: username}}, RoleAdmin, false)
		if err != nil {
			return err
		}
		token, err = s.newLoginToken(ctx, tx, m.ID)
		created = err == nil
		return err
	})
	return m, token, created, err
}

func (s *Service) newLoginToken(ctx context.Context, tx Store, memberID ID) (string, error) {
	token, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	t := &LoginToken{TokenHash: hash, MemberID: memberID, Purpose: PurposeSetPassword,
		CreatedAt: now, ExpiresAt: now.Add(s.life.LoginToken)}
	if err := tx.CreateLoginToken(ctx, t); err != nil {
		return "", fmt.Errorf("store login token: %w", err)
	}
	return token, nil
}

// PasswordResetToken returns a one-time link token with which the member
// sets a new password (admin command line, or an admin's page).
func (s *Service) PasswordResetToken(ctx context.Context, actor *Member, username string) (*Member, string, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, "", err
	}
	m, err := s.store.LocalMemberByUsername(ctx, NormalizeUsername(username))
	if err != nil {
		return nil, "", err
	}
	token, err := s.newLoginToken(ctx, s.store, m.ID)
	return m, token, err
}

// LoginTokenMember tells whose a one-time link is, without using it up
// (link previews must not burn the link).
func (s *Service) LoginTokenMember(ctx context.Context, token string) (*Member, error) {
	t, err := s.store.LoginTokenByHash(ctx, HashSecret(token), s.clock.Now())
	if errors.Is(err, ErrNotFound) {
		return nil, ErrTokenInvalid
	} else if err != nil {
		return nil, err
	}
	return s.store.MemberByID(ctx, t.MemberID)
}

// SetPasswordWithToken uses up a one-time link: it sets the password, ends
// the member's other sessions and returns a new session token.
func (s *Service) SetPasswordWithToken(ctx context.Context, token, password string) (*Member, string, error) {
	if err := validatePassword(password); err != nil {
		return nil, "", err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, "", fmt.Errorf("hash password: %w", err)
	}
	var m *Member
	var session string
	err = s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		t, err := tx.UseLoginToken(ctx, HashSecret(token), s.clock.Now())
		if errors.Is(err, ErrNotFound) {
			return ErrTokenInvalid
		} else if err != nil {
			return err
		}
		if m, err = tx.MemberToChange(ctx, t.MemberID); err != nil {
			return err
		}
		m.PasswordHash = hash
		if err := tx.UpdateMember(ctx, m); err != nil {
			return err
		}
		if err := tx.DeleteMemberSessions(ctx, m.ID); err != nil {
			return err
		}
		session, err = s.newSession(ctx, tx, m.ID)
		return err
	})
	return m, session, err
}

// Invite creates an invitation and returns the secret for its link.
func (s *Service) Invite(ctx context.Context, actor *Member, role Role, note string) (*Invitation, string, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, "", err
	}
	if !role.Valid() {
		return nil, "", invalid("role", "error.role", "must be member, moderator or admin")
	}
	note, err := text("note", note, 0, MaxNameLen)
	if err != nil {
		return nil, "", err
	}
	token, hash, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	now := s.clock.Now()
	inv := &Invitation{ID: s.ids.New(), TokenHash: hash, Note: note, Role: role, CreatedBy: actor.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.life.Invitation)}
	if err := s.store.CreateInvitation(ctx, inv); err != nil {
		return nil, "", fmt.Errorf("store invitation: %w", err)
	}
	return inv, token, nil
}

// InvitationByToken returns a usable invitation, else ErrTokenInvalid.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*Invitation, error) {
	inv, err := s.store.InvitationByTokenHash(ctx, HashSecret(token))
	if errors.Is(err, ErrNotFound) || (err == nil && !inv.Usable(s.clock.Now())) {
		return nil, ErrTokenInvalid
	}
	return inv, err
}

// AcceptInvitation creates the invited member's account, uses up the
// invitation and signs the member in (returns a session token).
func (s *Service) AcceptInvitation(ctx context.Context, token string, a NewAccount) (*Member, string, error) {
	var m *Member
	var session string
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		inv, err := tx.InvitationByTokenHash(ctx, HashSecret(token))
		if errors.Is(err, ErrNotFound) || (err == nil && !inv.Usable(s.clock.Now())) {
			return ErrTokenInvalid
		} else if err != nil {
			return err
		}
		if m, err = s.newMember(ctx, tx, a, inv.Role, true); err != nil {
			return err
		}
		if err := tx.UseInvitation(ctx, inv.ID, m.ID, s.clock.Now()); errors.Is(err, ErrConflict) {
			return ErrTokenInvalid
		} else if err != nil {
			return err
		}
		if session, err = s.newSession(ctx, tx, m.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, Event{Kind: EventInvitationAccepted, ActorID: m.ID, MemberID: inv.CreatedBy})
	})
	return m, session, err
}

// ListInvitations lists invitations newest first.
func (s *Service) ListInvitations(ctx context.Context, actor *Member, cursor string) (Page[*Invitation], error) {
	if err := CanAdminister(actor); err != nil {
		return Page[*Invitation]{}, err
	}
	before, err := decodeIDCursor(cursor)
	if err != nil {
		return Page[*Invitation]{}, err
	}
	items, err := s.store.ListInvitations(ctx, before, AdminPageSize+1)
	return pageOf(items, err, AdminPageSize, func(i *Invitation) string { return i.ID })
}

// SignIn checks a username and password and returns the member and a new
// session token.
func (s *Service) SignIn(ctx context.Context, username, password string) (*Member, string, error) {
	m, err := s.store.LocalMemberByUsername(ctx, NormalizeUsername(username))
	if errors.Is(err, ErrNotFound) || (err == nil && m.PasswordHash == "") {
		if dummy, err := s.dummyHash(); err == nil {
			_, _ = s.hasher.Verify(password, dummy) // same cost as a real check
		}
		return nil, "", ErrBadCredentials
	} else if err != nil {
		return nil, "", err
	}
	ok, err := s.hasher.Verify(password, m.PasswordHash)
	if err != nil {
		return nil, "", fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return nil, "", ErrBadCredentials
	}
	session, err := s.newSession(ctx, s.store, m.ID)
	return m, session, err
}

func (s *Service) newSession(ctx context.Context, tx Store, memberID ID) (string, error) {
	token, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	if err := tx.CreateSession(ctx, &Session{TokenHash: hash, MemberID: memberID, CreatedAt: now, ExpiresAt: now.Add(s.life.Session)}); err != nil {
		return "", fmt.Errorf("store session: %w", err)
	}
	return token, nil
}

// SessionMember returns the member signed in with a session token.
func (s *Service) SessionMember(ctx context.Context, token string) (*Member, error) {
	return s.store.SessionMember(ctx, HashSecret(token), s.clock.Now())
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, HashSecret(token))
}

// MemberByUsername finds a local member.
func (s *Service) MemberByUsername(ctx context.Context, username string) (*Member, error) {
	return s.store.LocalMemberByUsername(ctx, NormalizeUsername(username))
}

// UpdateProfile changes a member's profile.
func (s *Service) UpdateProfile(ctx context.Context, actor *Member, memberID ID, p Profile) (*Member, error) {
	return s.changeMember(ctx, actor, memberID, EventMemberUpdated, func(ctx context.Context, tx Store, m *Member) error {
		if err := CanEditProfile(actor, m); err != nil {
			return err
		}
		p, err := p.clean()
		if err != nil {
			return err
		}
		p.applyTo(m)
		return s.placeMember(ctx, tx, m)
	})
}

// SetRole changes another member's role. Admins cannot change their own, so
// a node always keeps the admin who acted.
func (s *Service) SetRole(ctx context.Context, actor *Member, memberID ID, role Role) (*Member, error) {
	if err := CanAdminister(actor); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, invalid("role", "error.role", "must be member, moderator or admin")
	}
	if actor.ID == memberID {
		return nil, invalid("role", "error.own_role", "you cannot change your own role")
	}
	return s.changeMember(ctx, actor, memberID, EventRoleChanged, func(_ context.Context, _ Store, m *Member) error {
		if !m.Local() {
			return ErrForbidden
		}
		m.Role = role
		return nil
	})
}

// changeMember reads a member to change it (MemberToChange: two changes at
// once apply one after the other), applies change, writes the member and
// records kind, in one transaction.
func (s *Service) changeMember(ctx context.Context, actor *Member, memberID ID, kind EventKind,
	change func(ctx context.Context, tx Store, m *Member) error) (*Member, error) {
	var m *Member
	err := s.store.Atomic(ctx, func(ctx context.Context, tx Store) error {
		var err error
		if m, err = tx.MemberToChange(ctx, memberID); err != nil {
			return err
		}
		if err := change(ctx, tx, m); err != nil {
			return err
		}
		if err := tx.UpdateMember(ctx, m); err != nil {
			return fmt.Errorf("update member %s: %w", m.ID, err)
		}
		return s.record(ctx, tx, Event{Kind: kind, ActorID: actor.ID, MemberID: m.ID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ListMembers lists local members by username.
func (s *Service) ListMembers(ctx context.Context, cursor string) (Page[*Member], error) {
	after := ""
	if cursor != "" {
		if err := validateUsername(cursor); err != nil {
			return Page[*Member]{}, invalid("cursor", "error.cursor", "is not a valid page")
		}
		after = cursor
	}
	items, err := s.store.ListMembers(ctx, after, AdminPageSize+1)
	return pageOf(items, err, AdminPageSize, func(m *Member) string { return m.Username })
}

// Members returns the members with the given IDs (to name authors and editors).
func (s *Service) Members(ctx context.Context, ids []ID) (map[ID]*Member, error) {
	return s.store.MembersByIDs(ctx, ids)
}

// CountLocalPosts counts the questions and answers written on this node
// that still stand (NodeInfo).
func (s *Service) CountLocalPosts(ctx context.Context) (int, error) {
	return s.store.CountLocalPosts(ctx)
}

// CountMembers counts this node's members (NodeInfo).
func (s *Service) CountMembers(ctx context.Context) (int, error) {
	return s.store.CountLocalMembers(ctx)
}
