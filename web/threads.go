package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/uris"
)

// postItem is a post with what the viewer may do to it.
type postItem struct {
	*forum.Post
	Author     *forum.Member
	CanEdit    bool
	CanDelete  bool
	CanHelpful bool
	CanReport  bool
	CanReply   bool // the viewer may answer in the thread (Reply links)
	Own        bool // the viewer wrote it (delete labels: "my" vs moderation)
	Marked     bool // the viewer marked it helpful
	// CanTranslate: the viewer may add a version in another language.
	CanTranslate bool
	// Shown is the version the reader sees: theirs when it exists;
	// OriginalTitle the question's title as written (shown beside a
	// translation).
	Shown         forum.Shown
	OriginalTitle string
}

type threadData struct {
	View      *forum.ThreadView
	ForumText map[string]string
	Question  *postItem // only on the first page
	Posts     []*postItem
	// QuestionHTML and PostsHTML are Question and Posts rendered with the
	// post partial (see threadCache).
	QuestionHTML, PostsHTML template.HTML
	CanReply                bool
	Locked                  bool
	Reply                   composeData
	ReplyTo                 *postItem // the answer being replied to, if any
	// ReplyQuote is the start of ReplyTo's text, quoted above the form.
	ReplyQuote string
	Forums     []*forum.Forum
	Deleted    bool
	// FollowHandle is the thread actor's handle (@t-<id>@host), for people
	// to follow the question from Mastodon; empty for other nodes' threads.
	FollowHandle string
	// LiveURL is the thread's event stream, for the live-answers script
	// (empty: no live updates on this page).
	LiveURL string
	// Watch is the member's watch control; FirstUnread the anchor of the
	// first answer on this page posted since their last visit.
	Watch       *watchState
	FirstUnread string
	// Heading is the question's title in the reader's language when it
	// has a version in it.
	Heading forum.Shown
	// Webinar is the event this thread is the discussion of, if any.
	Webinar *forum.Webinar
	// Sort is the answers' order: "" oldest first, "helpful" the most
	// helpful first (?sort=helpful).
	Sort string
}

func (s *Server) threadPage(w http.ResponseWriter, r *http.Request) error {
	return s.showThread(w, r, http.StatusOK, nil)
}

// showThread renders a thread page; draft (with its error) comes back after
// a refused answer so nothing typed is lost.
func (s *Server) showThread(w http.ResponseWriter, r *http.Request, status int, draft *composeData) error {
	st := stateOf(r)
	id := r.PathValue("id")
	order, sort := forum.ByTime, ""
	if r.URL.Query().Get("sort") == "helpful" {
		order, sort = forum.ByHelpful, "helpful"
	}
	v, version, versioned, err := s.readThread(r.Context(), id, r.URL.Query().Get("after"), order)
	if errors.Is(err, forum.ErrGone) {
		return s.goneThread(w, r, id)
	} else if err != nil {
		return err
	}
	marks, err := s.viewerMarks(r.Context(), st, v)
	if err != nil {
		return err
	}
	d := threadData{View: v, ForumText: forumText(v.Forum, st.tr.lang), Locked: v.Thread.Locked, Sort: sort,
		Heading: forum.Shown{Language: v.Thread.Language, Title: v.Thread.Title}}
	d.CanReply = forum.CanReply(st.viewer, v.Thread) == nil
	if s.cfg.Live != nil && r.URL.Query().Get("after") == "" {
		d.LiveURL = uris.ThreadEventsPath(v.Thread.ID)
	}
	replyTo := r.URL.Query().Get("reply_to")
	if draft != nil && draft.Parent != "" {
		replyTo = draft.Parent // a refused or previewed reply keeps its answer
	}
	for _, p := range v.Posts.Items {
		item := &postItem{Post: p, Author: v.Authors[p.AuthorID], Marked: v.Helpful[p.ID],
			CanEdit:      forum.CanEdit(st.viewer, v.Thread, p) == nil,
			CanHelpful:   forum.CanMarkHelpful(st.viewer, p) == nil,
			CanReport:    forum.CanReport(st.viewer, p) == nil,
			CanTranslate: forum.CanTranslate(st.viewer, v.Thread, p, "") == nil,
			Shown:        p.ShownIn(st.tr.lang, v.Thread.Title),
			CanReply:     d.CanReply, Own: st.viewer != nil && st.viewer.ID == p.AuthorID}
		if p.IsQuestion() {
			d.Heading, item.OriginalTitle = item.Shown, v.Thread.Title
			item.CanDelete = forum.CanDeleteThread(st.viewer, v.Thread) == nil
			d.Question = item
			continue
		}
		item.CanDelete = forum.CanDeletePost(st.viewer, v.Thread, p) == nil
		if p.ID == replyTo && item.CanReply && !p.Deleted() {
			d.ReplyTo = item
		}
		d.Posts = append(d.Posts, item)
	}
	if replyTo != "" && d.ReplyTo == nil && d.CanReply {
		if d.ReplyTo, err = s.replyTarget(r, v, replyTo); err != nil {
			return err
		}
	}
	if d.ReplyTo != nil {
		d.ReplyQuote = excerpt(d.ReplyTo.Shown.HTML)
	}
	if draft != nil {
		d.Reply = *draft
	} else {
		d.Reply = composeData{Language: defaultPostLanguage(st)}
	}
	d.Reply.Action = uris.ThreadReplyPath(v.Thread.ID)
	d.Reply.Languages = postLanguages(st.viewer, d.Reply.Language)
	d.Reply.Images = s.cfg.Media != nil
	if len(d.Reply.Alts) != forum.MaxImages {
		d.Reply.Alts = make([]string, forum.MaxImages)
	}
	if forum.CanModerate(st.viewer) == nil {
		if d.Forums, err = s.moveTargets(r.Context(), v.Thread.ID, version, versioned); err != nil {
			return err
		}
	}
	if s.cfg.Federation != nil && v.Forum.Local() {
		d.FollowHandle = "@" + uris.ThreadHandle(v.Thread.ID) + "@" + s.cfg.URLs.Host()
	}
	if err := s.readPosition(r.Context(), st, v, marks, &d); err != nil {
		return err
	}
	if q := d.Question; q != nil && q.URI == "" && q.Extras.Kind == forum.KindEvent {
		if d.Webinar, err = s.cfg.Service.WebinarOfThread(r.Context(), v.Thread.ID); err != nil && !errors.Is(err, forum.ErrNotFound) {
			return err
		}
	}
	page := s.pageView(r, d.Heading.Title, &d)
	if status == http.StatusOK {
		page.Feeds = s.pageFeeds(r, d.Heading.Title)
	}
	if d.Question != nil {
		q, err := s.appendPost(nil, page, d.Question, version, versioned)
		if err != nil {
			return fmt.Errorf("render question: %w", err)
		}
		d.QuestionHTML = template.HTML(strings.Join(q, ""))
	}
	// The answers are most of the page: the template writes a marker where
	// they go and renderView writes their pieces there, uncopied.
	chunks := make([]string, 0, 2*len(d.Posts))
	for _, item := range d.Posts {
		if chunks, err = s.appendPost(chunks, page, item, version, versioned); err != nil {
			return fmt.Errorf("render post %s: %w", item.ID, err)
		}
	}
	d.PostsHTML = template.HTML(s.spliceMarker)
	page.splice = chunks
	s.renderView(w, r, status, "thread", page)
	return nil
}

// replyTarget is the answer ?reply_to= names when it is not on the page
// read (the link is the same from every page of answers): nil when it is
// not an answer of this thread that can be answered.
func (s *Server) replyTarget(r *http.Request, v *forum.ThreadView, id string) (*postItem, error) {
	p, err := s.cfg.Service.Post(r.Context(), id)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("answer replied to: %w", err)
	}
	if p.ThreadID != v.Thread.ID || p.IsQuestion() || p.Deleted() {
		return nil, nil
	}
	authors, err := s.cfg.Service.Members(r.Context(), []forum.ID{p.AuthorID})
	if err != nil {
		return nil, fmt.Errorf("author of the answer replied to: %w", err)
	}
	return &postItem{Post: p, Author: authors[p.AuthorID], Shown: p.ShownIn(stateOf(r).tr.lang, v.Thread.Title)}, nil
}

// followFromServer sends a person to their own server's page for following
// a remote account, with this thread's actor filled in (see
// federation.FollowLink); a server that has none (GoToSocial) gets a page
// with the handle to copy and search for there. They type their server,
// or their whole handle.
func (s *Server) followFromServer(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.Service.Thread(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f, err := s.cfg.Service.ForumByID(r.Context(), t.ForumID)
	if err != nil {
		return err
	}
	if !f.Local() || s.cfg.Federation == nil {
		return forum.ErrNotFound // a joined forum's thread is followed at its node
	}
	typed := r.URL.Query().Get("server")
	host := serverHost(typed)
	if host == "" {
		return badRequest("error.server")
	}
	return s.followThere(w, r, typed, host, s.cfg.URLs.ThreadActor(t.ID), "@"+uris.ThreadHandle(t.ID)+"@"+s.cfg.URLs.Host())
}

var hostName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?$`)

// serverHost reads "mastodon.social", "https://mastodon.social/" or
// "@me@mastodon.social" as the host mastodon.social; "" if it is none.
func serverHost(in string) string {
	s := strings.ToLower(strings.TrimSpace(in))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimSuffix(s, "/")
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if !hostName.MatchString(s) {
		return ""
	}
	return s
}

// goneThread answers 410 with a tombstone page that still links the forum.
func (s *Server) goneThread(w http.ResponseWriter, r *http.Request, id string) error {
	st := stateOf(r)
	t, err := s.cfg.Service.Thread(r.Context(), id)
	if !errors.Is(err, forum.ErrGone) {
		return forum.ErrNotFound
	}
	f, err := s.cfg.Service.ForumByID(r.Context(), t.ForumID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusGone, "thread", st.tr.T("thread.deleted_title"),
		threadData{View: &forum.ThreadView{Thread: t, Forum: f}, ForumText: forumText(f, st.tr.lang), Deleted: true})
	return nil
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.viewer == nil {
		return errSignIn
	}
	id := r.PathValue("id")
	a := forum.Answer{Body: r.PostForm.Get("body"), Language: r.PostForm.Get("language")}
	if previewing(r) {
		draft := &composeData{Body: a.Body, Language: a.Language, Parent: r.PostForm.Get("parent"), Alts: typedAlts(r)}
		s.preview(st, draft)
		return s.showThread(w, r, http.StatusOK, draft)
	}
	images, refused, err := s.postImages(r, st)
	if err != nil {
		return err
	}
	if refused != "" {
		draft := &composeData{Body: a.Body, Language: a.Language, Parent: r.PostForm.Get("parent"), Alts: typedAlts(r), Error: refused}
		return s.showThread(w, r, http.StatusUnprocessableEntity, draft)
	}
	a.Images = images
	p, err := s.cfg.Service.Reply(r.Context(), st.viewer, id, r.PostForm.Get("parent"), a)
	if ve := asValidation(err); ve != nil {
		draft := &composeData{Body: a.Body, Language: a.Language, Parent: r.PostForm.Get("parent"), Alts: typedAlts(r), Error: s.validationMessage(st.tr, ve)}
		return s.showThread(w, r, http.StatusBadRequest, draft)
	} else if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.PostAnchor(id, p.ID), "flash.answer_posted")
}

// moderateThread applies one moderator action: lock, unlock, pin, unpin,
// move or delete.
func (s *Server) moderateThread(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	id, svc, ctx := r.PathValue("id"), s.cfg.Service, r.Context()
	var err error
	var t *forum.Thread
	switch r.PostForm.Get("action") {
	case "lock", "unlock":
		t, err = svc.SetLocked(ctx, st.viewer, id, r.PostForm.Get("action") == "lock")
	case "pin", "unpin":
		t, err = svc.SetPinned(ctx, st.viewer, id, r.PostForm.Get("action") == "pin")
	case "move":
		t, err = svc.MoveThread(ctx, st.viewer, id, r.PostForm.Get("forum"))
	case "delete":
		if !confirmed(r) {
			return s.confirmDeleteThread(w, r)
		}
		if t, err = svc.DeleteThread(ctx, st.viewer, id); err == nil {
			f, err := svc.ForumByID(ctx, t.ForumID)
			if err != nil {
				return err
			}
			return s.redirectFlash(w, r, uris.ForumPath(f.Slug), "flash.thread_deleted")
		}
	default:
		return badRequest("error.bad_action")
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, uris.ThreadPath(t.ID), "flash.thread_"+r.PostForm.Get("action"))
}
