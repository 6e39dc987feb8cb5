package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// person is a member of one of the demo's nodes, modelled on the
// Metropolis learning forum's participants.
type person struct {
	username, name, title, org, langs, role string
}

// account is what the demo prints so people can sign in.
type account struct{ site, username, password string }

var hubPeople = []person{
	{"nadia", "Nadia Ould Ahmed", "Digital Strategy Advisor", "Nouakchott", "fr, ar", "moderator"},
	{"priya", "Priya Shah", "Smart City Analyst", "Toronto", "en, fr", "member"},
	{"minji", "Min-ji Kim", "Digital Inclusion Officer", "Seoul", "ko, en", "member"},
}

var cityPeople = map[string][]person{
	"barcelona":      {{"marta", "Marta Puig", "Innovation Coordinator", "Barcelona Metropolitan Area", "es, ca, en", "member"}},
	"belo-horizonte": {{"joao", "João Silva", "Digital Inclusion Lead", "Belo Horizonte", "pt, es, fr", "member"}},
}

// seed creates the members (first admin link, invitations), the forum and
// its questions on the hub, has each city join and answer.
func seed(ctx context.Context, hub *site, cities []*site, out io.Writer) ([]account, error) {
	var accounts []account
	members := map[string]*browser{} // by username
	everyone := append([]*site{hub}, cities...)
	admins := map[string]*browser{}
	for _, s := range everyone {
		admin, pw, err := firstAdmin(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		admins[s.name] = admin
		accounts = append(accounts, account{s.name, "admin", pw})
		people := cityPeople[s.name]
		if s == hub {
			people = hubPeople
		}
		for _, p := range people {
			b, pw, err := invite(admin, s.base, p)
			if err != nil {
				return nil, fmt.Errorf("%s: invite %s: %w", s.name, p.username, err)
			}
			members[p.username] = b
			accounts = append(accounts, account{s.name, p.username, pw})
		}
	}
	fmt.Fprintln(out, "seeded members on the three nodes")
	forumForm := url.Values{"slug": {"digitalisation"}, "language": {"en"}, "position": {"1"}}
	for lang, t := range conceptNote {
		forumForm.Set("title_"+lang, t[0])
		forumForm.Set("description_"+lang, t[1])
	}
	if _, _, err := admins[hub.name].submit("/admin/forums", forumForm); err != nil {
		return nil, fmt.Errorf("create forum: %w", err)
	}
	eventPath, err := createWebinar(members["nadia"])
	if err != nil {
		return nil, fmt.Errorf("launch webinar: %w", err)
	}
	fmt.Fprintf(out, "created the 17 May 2026 launch webinar as the forum's event: %s%s\n", hub.base, eventPath)
	for _, q := range questions {
		if _, _, err := members[q.asker].submit("/f/digitalisation/ask", url.Values{"title": {q.title}, "body": {q.body}, "language": {q.lang}}); err != nil {
			return nil, fmt.Errorf("ask %q: %w", q.title, err)
		}
	}
	fmt.Fprintln(out, "created the Learning Forum on Digitalisation (17 May 2026 launch, concept note in English, Spanish and French) with its three debate questions on the hub")
	cityThreads := map[string]map[string]string{} // by city, question paths by title
	handle := "@digitalisation@" + strings.TrimPrefix(hub.base, "http://")
	for _, c := range cities {
		if _, _, err := admins[c.name].submit("/admin/join", url.Values{"target": {handle}}); err != nil {
			return nil, fmt.Errorf("%s joins: %w", c.name, err)
		}
		// The join is a job of the city's node: its mirror, name@host,
		// appears once the forum is resolved.
		threads, err := waitForThreads(ctx, admins[c.name], "/f/"+strings.TrimPrefix(handle, "@"), len(questions))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		cityThreads[c.name] = threads
		if err := answerAll(members, cityPeople[c.name], threads); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "%s joined %s and answered from its own node\n", c.name, handle)
	}
	hubThreads, err := waitForThreads(ctx, admins[hub.name], "/f/digitalisation", len(questions))
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	if err := answerAll(members, hubPeople, hubThreads); err != nil {
		return nil, err
	}
	if err := waitForAnswers(ctx, admins[hub.name], hubThreads); err != nil {
		return nil, err
	}
	// One translation, by a member of a city: Marta's Spanish version of
	// the first question, written on her node and offered to the hub.
	if err := translateQuestion(members["marta"], cityThreads["barcelona"][questions[0].title], martaTranslation); err != nil {
		return nil, fmt.Errorf("marta translates: %w", err)
	}
	fmt.Fprintln(out, "marta translated the first debate question into Spanish on her node; the hub keeps her version")
	fmt.Fprintln(out, "answers from Barcelona, Belo Horizonte, Nouakchott, Seoul and Toronto reached the hub")
	reportPath, err := publishReport(members["nadia"], hubThreads)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(out, "marked the good practices and published the report: %s%s (PDF: %s%s/report.pdf)\n",
		hub.base, reportPath, hub.base, reportPath)
	return accounts, nil
}

// answerAll has each of people give their answers, on their own node
// (threads are the question paths there, by title).
func answerAll(members map[string]*browser, people []person, threads map[string]string) error {
	for _, p := range people {
		for _, a := range answers {
			if a.who != p.username {
				continue
			}
			path := threads[questions[a.question].title]
			if _, _, err := members[p.username].submit(path+"/reply", url.Values{"body": {a.body}, "language": {a.lang}}); err != nil {
				return fmt.Errorf("%s answers: %w", p.username, err)
			}
		}
	}
	return nil
}

// firstAdmin uses the node's first-start link, as its operator would.
func firstAdmin(ctx context.Context, s *site) (*browser, string, error) {
	_, token, created, err := s.n.Service.Bootstrap(ctx, "admin")
	if err != nil {
		return nil, "", err
	}
	if !created {
		return nil, "", fmt.Errorf("the database in use already has members: use an empty --dir")
	}
	b, pw := newBrowser(s.base), newPassword()
	if _, _, err := b.submit(s.n.URLs.LoginToken(token)[len(s.base):], url.Values{"password": {pw}}); err != nil {
		return nil, "", err
	}
	return b, pw, nil
}

var invitationLink = regexp.MustCompile(`/invite/[A-Za-z0-9_-]{43}`)

// invite creates an invitation on the admin page and accepts it.
func invite(admin *browser, base string, p person) (*browser, string, error) {
	_, page, err := admin.submit("/admin/invitations", url.Values{"role": {p.role}, "note": {p.name}})
	if err != nil {
		return nil, "", err
	}
	link := invitationLink.FindString(page)
	if link == "" {
		return nil, "", fmt.Errorf("no invitation link on the admin page")
	}
	b, pw := newBrowser(base), newPassword()
	_, _, err = b.submit(link, url.Values{"username": {p.username}, "password": {pw}, "display_name": {p.name},
		"title": {p.title}, "organisation": {p.org}, "languages": {p.langs}})
	return b, pw, err
}

var threadLink = regexp.MustCompile(`<a href="(/t/[0-9a-z]{26})">([^<]*)</a>`)

// waitForThreads polls a joined forum's page until its questions are
// there, and returns their paths by title.
func waitForThreads(ctx context.Context, b *browser, forumPath string, n int) (map[string]string, error) {
	var last map[string]string
	err := poll(ctx, func() (bool, error) {
		page, err := b.get(forumPath)
		if err != nil {
			return false, err
		}
		last = map[string]string{}
		for _, m := range threadLink.FindAllStringSubmatch(page, -1) {
			last[html.UnescapeString(m[2])] = m[1]
		}
		// Every debate question, by title: the forum holds the launch
		// webinar's discussion thread too.
		have := 0
		for _, q := range questions[:n] {
			if _, ok := last[q.title]; ok {
				have++
			}
		}
		return have == n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("questions did not arrive from the hub (%d of %d): %w", len(last), n, err)
	}
	return last, nil
}

// waitForAnswers polls the hub's thread pages until each shows every
// answer given to its question, wherever it was written.
func waitForAnswers(ctx context.Context, b *browser, threads map[string]string) error {
	return poll(ctx, func() (bool, error) {
		for i, q := range questions {
			page, err := b.get(threads[q.title])
			if err != nil {
				return false, err
			}
			for _, a := range answers {
				if a.question == i && !strings.Contains(page, answerSnippet(a)) {
					return false, nil
				}
			}
		}
		return true, nil
	})
}

// answerSnippet is text of an answer as its page shows it: its start, up
// to the first markup or punctuation (which the renderer may change).
func answerSnippet(a answer) string {
	s := a.body
	if i := strings.IndexAny(s, "*_'\"’,:;."); i > 0 {
		s = s[:i]
	}
	return html.EscapeString(strings.TrimSpace(s))
}

// poll retries cond every 100 ms for up to 60 s.
func poll(ctx context.Context, cond func() (bool, error)) error {
	deadline := time.Now().Add(60 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		if ok, err = cond(); ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err == nil {
		err = fmt.Errorf("timed out")
	}
	return err
}

func newPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
