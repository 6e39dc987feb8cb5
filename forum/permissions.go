package forum

// The rules of who may do what, in one place. Each returns nil or
// ErrForbidden; the service calls them before changing anything, and web
// calls them to decide which buttons to show.

func signedIn(actor *Member) bool { return actor != nil && actor.Role.Valid() }

func isModerator(actor *Member) bool { return signedIn(actor) && actor.Role.AtLeast(RoleModerator) }

func isAdmin(actor *Member) bool { return signedIn(actor) && actor.Role.AtLeast(RoleAdmin) }

func allow(ok bool) error {
	if ok {
		return nil
	}
	return ErrForbidden
}

// CanAdminister: manage members, invitations and forums.
func CanAdminister(actor *Member) error { return allow(isAdmin(actor)) }

// CanModerate: lock, pin, move and delete threads; mark good practices.
func CanModerate(actor *Member) error { return allow(isModerator(actor)) }

// CanAsk: start a thread in a forum.
func CanAsk(actor *Member) error { return allow(signedIn(actor) && actor.Local()) }

// CanReply: answer in a thread. A locked thread takes answers from moderators only.
func CanReply(actor *Member, t *Thread) error {
	if !signedIn(actor) || !actor.Local() || t.DeletedAt != nil {
		return ErrForbidden
	}
	if t.Locked && !isModerator(actor) {
		return ErrLocked
	}
	return nil
}

// CanEdit: the author may edit a post while its thread is open; moderators always.
func CanEdit(actor *Member, t *Thread, p *Post) error {
	if !signedIn(actor) || p.Deleted() || t.DeletedAt != nil {
		return ErrForbidden
	}
	if isModerator(actor) {
		return nil
	}
	if actor.ID != p.AuthorID {
		return ErrForbidden
	}
	if t.Locked {
		return ErrLocked
	}
	return nil
}

// CanDeletePost: the author or a moderator may delete an answer. The question
// goes with its thread (CanDeleteThread).
func CanDeletePost(actor *Member, t *Thread, p *Post) error {
	if !signedIn(actor) || p.Deleted() || p.IsQuestion() {
		return ErrForbidden
	}
	return allow(isModerator(actor) || (actor.ID == p.AuthorID && !t.Locked))
}

// CanDeleteThread: moderators, or the asker while nobody has answered.
func CanDeleteThread(actor *Member, t *Thread) error {
	if !signedIn(actor) || t.DeletedAt != nil {
		return ErrForbidden
	}
	return allow(isModerator(actor) || (actor.ID == t.AuthorID && t.ReplyCount == 0))
}

// CanMarkHelpful: any member, on someone else's answer that still stands.
func CanMarkHelpful(actor *Member, p *Post) error {
	return allow(signedIn(actor) && !p.IsQuestion() && !p.Deleted() && actor.ID != p.AuthorID)
}

// CanPostFrom: may members of another node (host) post in forum f? Local
// forums with a listed-only policy take posts from the listed instances
// only. A remote forum's own node decides for it: its announces are
// accepted as they come.
func CanPostFrom(f *Forum, host string) error {
	if !f.Local() || !f.Policy.ListedOnly {
		return nil
	}
	for _, h := range f.Policy.Instances {
		if h == host {
			return nil
		}
	}
	return ErrForbidden
}

// CanSeeHistory: everyone sees the edits of a standing post; once it is
// deleted, only moderators see what it said.
func CanSeeHistory(actor *Member, p *Post) error {
	return allow(!p.Deleted() || isModerator(actor))
}

// CanEditProfile: members edit their own profile; admins anyone's.
func CanEditProfile(actor *Member, target *Member) error {
	return allow(signedIn(actor) && target.Local() && (actor.ID == target.ID || isAdmin(actor)))
}
