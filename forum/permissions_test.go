package forum

import (
	"errors"
	"testing"
	"time"
)

func TestPermissions(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	admin := &Member{ID: "a", Role: RoleAdmin}
	mod := &Member{ID: "m", Role: RoleModerator}
	author := &Member{ID: "u", Role: RoleMember}
	other := &Member{ID: "o", Role: RoleMember}
	remote := &Member{ID: "r", Role: RoleMember, Domain: "city.example"}
	open := &Thread{ID: "t", AuthorID: "u"}
	answered := &Thread{ID: "t", AuthorID: "u", ReplyCount: 2}
	locked := &Thread{ID: "t", AuthorID: "u", Locked: true}
	deleted := &Thread{ID: "t", AuthorID: "u", DeletedAt: &now}
	question := &Post{ID: "t", AuthorID: "u"}
	answer := &Post{ID: "p", AuthorID: "u", ParentID: "t"}
	gone := &Post{ID: "p", AuthorID: "u", ParentID: "t", DeletedAt: &now}

	tests := []struct {
		name string
		err  error
		want error
	}{
		{"visitor cannot ask", CanAsk(nil), ErrForbidden},
		{"member asks", CanAsk(author), nil},
		{"remote author cannot ask here", CanAsk(remote), ErrForbidden},
		{"member replies to open thread", CanReply(other, open), nil},
		{"member cannot reply to locked thread", CanReply(other, locked), ErrLocked},
		{"moderator replies to locked thread", CanReply(mod, locked), nil},
		{"nobody replies to deleted thread", CanReply(mod, deleted), ErrForbidden},
		{"visitor cannot reply", CanReply(nil, open), ErrForbidden},
		{"author edits own answer", CanEdit(author, open, answer), nil},
		{"other member cannot edit", CanEdit(other, open, answer), ErrForbidden},
		{"author cannot edit in locked thread", CanEdit(author, locked, answer), ErrLocked},
		{"moderator edits in locked thread", CanEdit(mod, locked, answer), nil},
		{"nobody edits a tombstone", CanEdit(admin, open, gone), ErrForbidden},
		{"author deletes own answer", CanDeletePost(author, open, answer), nil},
		{"other cannot delete answer", CanDeletePost(other, open, answer), ErrForbidden},
		{"moderator deletes answer", CanDeletePost(mod, open, answer), nil},
		{"question is deleted with its thread only", CanDeletePost(mod, open, question), ErrForbidden},
		{"asker deletes unanswered thread", CanDeleteThread(author, open), nil},
		{"asker cannot delete answered thread", CanDeleteThread(author, answered), ErrForbidden},
		{"moderator deletes answered thread", CanDeleteThread(mod, answered), nil},
		{"other member cannot delete thread", CanDeleteThread(other, open), ErrForbidden},
		{"member marks another's answer helpful", CanMarkHelpful(other, answer), nil},
		{"author cannot mark own answer", CanMarkHelpful(author, answer), ErrForbidden},
		{"question cannot be marked helpful", CanMarkHelpful(other, question), ErrForbidden},
		{"tombstone cannot be marked helpful", CanMarkHelpful(other, gone), ErrForbidden},
		{"member cannot moderate", CanModerate(author), ErrForbidden},
		{"moderator moderates", CanModerate(mod), nil},
		{"admin moderates", CanModerate(admin), nil},
		{"moderator cannot administer", CanAdminister(mod), ErrForbidden},
		{"admin administers", CanAdminister(admin), nil},
		{"everyone sees history of a standing post", CanSeeHistory(nil, answer), nil},
		{"visitor cannot see history of a tombstone", CanSeeHistory(nil, gone), ErrForbidden},
		{"moderator sees history of a tombstone", CanSeeHistory(mod, gone), nil},
		{"member edits own profile", CanEditProfile(author, author), nil},
		{"member cannot edit another profile", CanEditProfile(author, other), ErrForbidden},
		{"admin edits any local profile", CanEditProfile(admin, other), nil},
		{"nobody edits a remote profile", CanEditProfile(admin, remote), ErrForbidden},
		{"unknown role has no rights", CanAsk(&Member{ID: "x", Role: "owner"}), ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) || (tt.want == nil && tt.err != nil) {
				t.Errorf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"01m6dsg7e0eezt7vf0859w68z6", true},
		{"01M6DSG7E0EEZT7VF0859W68Z6", false}, // ids are lowercase
		{"01m6dsg7e0eezt7vf0859w68z", false},
		{"../../etc/passwd0000000000", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.in); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCursors(t *testing.T) {
	bad := []string{"x", "1.a.b", "2.01m6dsg7e0eezt7vf0859w68z6.01m6dsg7e0eezt7vf0859w68z6"}
	for _, s := range bad {
		if _, err := decodeThreadCursor(s); !IsValidation(err) {
			t.Errorf("thread cursor %q accepted", s)
		}
	}
	th := &Thread{Pinned: true, LastPostID: "01m6dsg7e0eezt7vf0859w68z6", ID: "01m6dsg7e0eezt7vf0859w68z7"}
	c, err := decodeThreadCursor(encodeThreadCursor(th))
	if err != nil || c != (ThreadCursor{Pinned: true, LastPostID: th.LastPostID, ID: th.ID}) {
		t.Errorf("thread cursor round trip = %+v, %v", c, err)
	}
	p := &Post{BranchID: "01m6dsg7e0eezt7vf0859w68z6", ID: "01m6dsg7e0eezt7vf0859w68z7"}
	pc, err := decodePostCursor(encodePostCursor(p))
	if err != nil || pc != (PostCursor{BranchID: p.BranchID, ID: p.ID}) {
		t.Errorf("post cursor round trip = %+v, %v", pc, err)
	}
	f := &Forum{Position: 3, ID: "01m6dsg7e0eezt7vf0859w68z6"}
	fc, err := decodeForumCursor(encodeForumCursor(f))
	if err != nil || fc != (ForumCursor{Position: 3, ID: f.ID}) {
		t.Errorf("forum cursor round trip = %+v, %v", fc, err)
	}
	if _, err := decodeForumCursor("x.y"); !IsValidation(err) {
		t.Error("bad forum cursor accepted")
	}
	if _, err := decodePostCursor("nodot"); !IsValidation(err) {
		t.Error("bad post cursor accepted")
	}
}
