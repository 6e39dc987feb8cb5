package forum

import "time"

// Role is what a member may do on this node.
type Role string

// Roles, from least to most powerful.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleMember || r == RoleModerator || r == RoleAdmin
}

// AtLeast reports whether r has at least the powers of other.
func (r Role) AtLeast(other Role) bool { return r.rank() >= other.rank() }

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleModerator:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

// Member is an account on this node: an invited official.
type Member struct {
	ID       ID
	Username string // lowercase, unique on the node; the handle's local part
	// Domain is empty for members of this node. Remote authors (federation)
	// get the host of their server here.
	Domain string
	// URI is a remote member's ActivityPub id and ProfileURL their profile
	// page; both are empty for local members (their URLs are derived).
	URI          string
	ProfileURL   string
	DisplayName  string
	Title        string // job title, e.g. "Innovation Coordinator"
	Organisation string // organisation or city, e.g. "Barcelona Metropolitan Area": its City's name
	// CityID is the member's city (cities.go); "" for none.
	CityID    ID
	Languages []string
	// UILanguage is the interface language the member chose; empty means
	// "follow my browser".
	UILanguage string
	// TimeZone is the IANA zone the member reads times in; empty means
	// the node's.
	TimeZone     string
	Role         Role
	PasswordHash string // empty until the member sets a password
	CreatedAt    time.Time
	// Avatar names a local member's picture in the node's media store
	// ("" for none); remote members' pictures are not copied here.
	Avatar string
	// AvatarURL is a remote member's picture on their server (their
	// actor's icon), "" for none or for local members.
	AvatarURL string
}

// Local reports whether the member belongs to this node.
func (m *Member) Local() bool { return m.Domain == "" }

// Invitation lets one person create one account, once, before it expires.
type Invitation struct {
	ID        ID
	TokenHash string // SHA-256 of the secret in the link; the secret is never stored
	Note      string // for the admin: who it was meant for
	Role      Role
	CreatedBy ID
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    ID
}

// Usable reports whether the invitation can still be accepted at now.
func (i *Invitation) Usable(now time.Time) bool {
	return i.UsedAt == nil && now.Before(i.ExpiresAt)
}

// TokenPurpose says what a one-time sign-in link is for.
type TokenPurpose string

// Token purposes.
const (
	// PurposeSetPassword signs the member in and asks for a new password:
	// the first admin's link and password resets both use it.
	PurposeSetPassword TokenPurpose = "set-password"
)

// LoginToken is a one-time sign-in link.
type LoginToken struct {
	TokenHash string
	MemberID  ID
	Purpose   TokenPurpose
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Session is a signed-in browser.
type Session struct {
	TokenHash string
	MemberID  ID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ForumText is a forum's title and description in one language.
type ForumText struct {
	Title       string
	Description string
}

// Forum is a place for questions on one theme.
type Forum struct {
	ID       ID
	Slug     string
	Position int // forums are listed by position, then by ID
	// Language is the forum's original language: its texts exist at least in it.
	Language string
	Texts    map[string]ForumText // by language tag
	// URI and Domain are set for a forum of another node that this node
	// follows (a hub forum a city joined); its Slug is then "name@domain".
	URI       string
	Domain    string
	Policy    ForumPolicy
	CreatedAt time.Time
}

// Local reports whether the forum is hosted by this node.
func (f *Forum) Local() bool { return f.Domain == "" }

// ForumPolicy says who may follow a local forum and post in it from
// elsewhere.
type ForumPolicy struct {
	// ApproveFollows holds follow requests until an admin accepts them.
	ApproveFollows bool
	// ListedOnly lets only members of the listed instances (hosts) post
	// from other nodes: the hub lists its member cities.
	ListedOnly bool
	Instances  []string
}

// Text returns the forum's text in the first of langs it has, else in its
// original language, and the language it picked.
func (f *Forum) Text(langs ...string) (ForumText, string) {
	for _, l := range langs {
		if t, ok := f.Texts[l]; ok {
			return t, l
		}
	}
	return f.Texts[f.Language], f.Language
}

// Thread is a question and its answers.
type Thread struct {
	ID ID
	// URI is the question's ActivityPub id when it was asked on another
	// node, ContextURI its thread collection there; empty for local threads.
	URI        string
	ContextURI string
	ForumID    ID
	AuthorID   ID
	// RootPostID is the post holding the question's body (its ID equals the
	// thread's).
	RootPostID ID
	Title      string
	Language   string
	Pinned     bool
	Locked     bool
	// ReplyCount counts answers that are not deleted.
	ReplyCount int
	// LastPostID is the newest post: IDs sort by time, so it orders threads
	// by last activity without comparing timestamps across databases.
	LastPostID ID
	LastPostAt time.Time
	CreatedAt  time.Time
	DeletedAt  *time.Time
}

// Post is the body of a question or an answer.
type Post struct {
	ID ID
	// URI is the ActivityPub id of a post written on another node; empty
	// for local posts.
	URI      string
	ThreadID ID
	AuthorID ID
	// ParentID is the post this one answers; empty for the question itself.
	ParentID ID
	// BranchID is the top-level answer this post sits under (its own ID for
	// a top-level answer and for the question). Sorting by (BranchID, ID)
	// gives reading order with one level of nesting.
	BranchID ID
	Language string
	Source   string // markdown as written
	HTML     string // rendered and sanitized
	// Translations are the post's other language versions, kept by
	// language tag: made here (TranslatePost) or arrived in a contentMap;
	// never the original language.
	Translations map[string]Translation
	// Extras are what a post written on another server carries beside its
	// text (a content warning, media, a poll, a video, an event).
	Extras Extras
	// Images are the images a member of this node put in the post, in
	// order (at most MaxImages); received posts carry theirs in Extras.
	Images       []Image
	HelpfulCount int
	// ShareCount counts people who shared the post elsewhere (Mastodon
	// boosts).
	ShareCount int
	// GoodPractice is set when a moderator marks the answer as a good
	// practice; reports are built from these.
	GoodPracticeAt *time.Time
	GoodPracticeBy ID
	CreatedAt      time.Time
	EditedAt       *time.Time
	// OriginUpdatedAt is, for a remote post, the time its origin gave the
	// version held here (the object's `updated`, else its `published`);
	// an Update that is not newer is stale. Nil for local posts and when
	// the origin gave no usable time.
	OriginUpdatedAt *time.Time
	DeletedAt       *time.Time
	DeletedBy       ID
}

// IsQuestion reports whether the post is the thread's question.
func (p *Post) IsQuestion() bool { return p.ParentID == "" }

// Nested reports whether the post answers an answer (drawn indented).
func (p *Post) Nested() bool { return p.ParentID != "" && p.BranchID != p.ID }

// Deleted reports whether the post is a tombstone.
func (p *Post) Deleted() bool { return p.DeletedAt != nil }

// Translation is a post in another language. Title is set for questions.
type Translation struct {
	Title string
	HTML  string
	// Source is the markdown a translation made here was written in
	// ("" for one that arrived).
	Source string
	// TranslatorID is the member who wrote it, when known (a member of
	// this node, or a remote one who offered it).
	TranslatorID ID
	// CreatedAt is when it was added here; nil for versions stored
	// before translations were dated.
	CreatedAt *time.Time
}

// Revision is an earlier version of a post, kept when it is edited.
type Revision struct {
	ID       ID
	PostID   ID
	EditorID ID // who replaced this version
	Title    string
	Source   string
	Language string
	// CreatedAt is when this version was replaced.
	CreatedAt time.Time
}
