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
}

var cityPeople = map[string][]person{
	"barcelona":      {{"marta", "Marta Puig", "Innovation Coordinator", "Barcelona Metropolitan Area", "es, ca, en", "member"}},
	"belo-horizonte": {{"joao", "João Silva", "Digital Inclusion Lead", "Belo Horizonte", "pt, es, fr", "member"}},
}

type question struct{ asker, title, body, lang string }

var questions = []question{
	{"priya", "How can local governments leverage digitisation for equity?",
		"Digital services can widen the gap for residents without devices or skills. What has your city done so that digitisation *reduces* inequality?", "en"},
	{"nadia", "La Covid-19 a-t-elle été un tournant pour l’accès à internet ?",
		"Pendant la pandémie, l’école et le travail sont passés en ligne. Quels programmes d’accès votre ville a-t-elle lancés, et lesquels sont restés ?", "fr"},
	{"priya", "How do we measure the digital divide in our cities?",
		"Which indicators do you track (coverage, affordability, skills), and how often?", "en"},
}

// answers are given from the cities, one per question per city.
var answers = map[string][]struct{ body, lang string }{
	"barcelona": {
		{"Hemos abierto puntos de acceso **gratuitos** en bibliotecas y centros cívicos, con formación para mayores.", "es"},
		{"Oui : nous avons prêté des ordinateurs portables aux familles et gardé le programme après la pandémie.", "fr"},
		{"We publish a yearly digital inclusion index by district: coverage, price per GB and basic skills.", "en"},
	},
	"belo-horizonte": {
		{"Contratamos agentes digitales en los barrios para ayudar con los trámites en línea.", "es"},
		{"Les écoles publiques restent ouvertes le soir comme points d’accès wifi.", "fr"},
		{"We survey 2,000 households twice a year and map the results with the university.", "en"},
	},
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
	if _, _, err := admins[hub.name].submit("/admin/forums", url.Values{
		"slug": {"digitalisation"}, "language": {"en"}, "position": {"1"},
		"title_en": {"Learning forum on digitalisation"}, "description_en": {"City officials ask and answer each other on digital inclusion, services and rights."},
		"title_es": {"Foro de aprendizaje sobre digitalización"}, "description_es": {"Responsables municipales se preguntan y responden sobre inclusión, servicios y derechos digitales."},
		"title_fr": {"Forum d’apprentissage sur la numérisation"}, "description_fr": {"Des responsables municipaux s’interrogent et se répondent sur l’inclusion, les services et les droits numériques."},
	}); err != nil {
		return nil, fmt.Errorf("create forum: %w", err)
	}
	for _, q := range questions {
		if _, _, err := members[q.asker].submit("/f/digitalisation/ask", url.Values{"title": {q.title}, "body": {q.body}, "language": {q.lang}}); err != nil {
			return nil, fmt.Errorf("ask %q: %w", q.title, err)
		}
	}
	fmt.Fprintln(out, "created the learning forum on digitalisation with its questions on the hub")
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
		for _, p := range cityPeople[c.name] {
			for j, a := range answers[c.name] {
				if _, _, err := members[p.username].submit(threads[questions[j].title]+"/reply", url.Values{"body": {a.body}, "language": {a.lang}}); err != nil {
					return nil, fmt.Errorf("%s answers: %w", p.username, err)
				}
			}
		}
		fmt.Fprintf(out, "%s joined %s and answered from its own node\n", c.name, handle)
	}
	return accounts, waitForAnswers(ctx, admins[hub.name], len(cities))
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
		return len(last) >= n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("questions did not arrive from the hub (%d of %d): %w", len(last), n, err)
	}
	return last, nil
}

// waitForAnswers polls the hub's forum until each question shows its
// answers, one from each city.
func waitForAnswers(ctx context.Context, b *browser, perQuestion int) error {
	want := fmt.Sprintf("%d answers", perQuestion)
	return poll(ctx, func() (bool, error) {
		page, err := b.get("/f/digitalisation")
		if err != nil {
			return false, err
		}
		return strings.Count(page, want) == len(questions), nil
	})
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
