package serving

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/forum"
)

// Seeded is what Seed made.
type Seeded struct {
	// Session is a signed-in session of Members[0] (cookie agora_session):
	// members' pages are rendered on every request, visitors' are cached.
	Session string
	Forum   *forum.Forum
	Thread  *forum.Thread
	Answers []*forum.Post
	Members []*forum.Member
}

// answerBody is a realistic answer: a few paragraphs of markdown with
// emphasis, a list and a link, about 900 characters.
const answerBody = `In **Barcelona** we started with the budget data, because it is what residents ask for first
and what the finance department already publishes as spreadsheets. Answer %d.

What worked for us:

- publish on a fixed day every month, even when little changed;
- one page per dataset, with a named contact person and the date of the last update;
- a short note in plain language next to every table, in Catalan, Spanish and English.

What did not work: asking every department to clean its own data before publishing. We now publish first
and fix in the open; the [portal's changelog](https://opendata.example/changelog) lists every correction.
Two years later about a third of the requests we get come from journalists and a third from schools.`

// BenchPassword is the seeded members' password.
const BenchPassword = "learning-forum-bench-2026"

// Seed creates members, a forum "bench" and a thread with answers answers
// through the forum service, as members would.
func Seed(ctx context.Context, svc *forum.Service, answers int) (*Seeded, error) {
	out := &Seeded{}
	for i := range 10 {
		m, err := svc.CreateMember(ctx, forum.SystemActor(), forum.NewAccount{Username: fmt.Sprintf("member%d", i), Password: BenchPassword,
			Profile: forum.Profile{DisplayName: fmt.Sprintf("Member %d", i), Title: "Innovation Coordinator",
				Organisation: "Barcelona Metropolitan Area", Languages: []string{"en", "es"}}}, forum.RoleAdmin)
		if err != nil {
			return nil, fmt.Errorf("member: %w", err)
		}
		out.Members = append(out.Members, m)
	}
	_, session, err := svc.SignIn(ctx, "member0", BenchPassword)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	out.Session = session
	f, err := svc.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "bench", Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "Learning forum on digitalisation",
			Description: "How cities open their data and services."}}})
	if err != nil {
		return nil, fmt.Errorf("forum: %w", err)
	}
	out.Forum = f
	t, err := svc.Ask(ctx, out.Members[0], f.ID, forum.Question{Title: "Open data portals: what worked?",
		Body: "Which datasets did you publish first, and **who** uses them?", Language: "en"})
	if err != nil {
		return nil, fmt.Errorf("ask: %w", err)
	}
	out.Thread = t
	for i := range answers {
		p, err := svc.Reply(ctx, out.Members[i%len(out.Members)], t.ID, "", forum.Answer{
			Body: fmt.Sprintf(answerBody, i+1), Language: "en"})
		if err != nil {
			return nil, fmt.Errorf("reply %d: %w", i, err)
		}
		out.Answers = append(out.Answers, p)
	}
	return out, nil
}

// SeedThreads fills a new forum slug with n threads, written straight
// through the store in transactions of 1,000 (the service would take
// minutes for 100,000). Each thread has its question post; they are
// spaced a second apart so the list has a stable order.
func SeedThreads(ctx context.Context, store forum.Store, svc *forum.Service, slug string, author *forum.Member, n int) (*forum.Forum, error) {
	f, err := svc.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: slug, Language: "en",
		Texts: map[string]forum.ForumText{"en": {Title: "A forum with many threads"}}})
	if err != nil {
		return nil, fmt.Errorf("forum: %w", err)
	}
	ids := forum.NewULIDs(forum.SystemClock{}, nil)
	start := time.Now().Add(-time.Duration(n) * time.Second)
	for done := 0; done < n; {
		batch := min(1000, n-done)
		err := store.Atomic(ctx, func(ctx context.Context, tx forum.Store) error {
			for i := range batch {
				at := start.Add(time.Duration(done+i) * time.Second)
				id := ids.NewAt(at)
				t := &forum.Thread{ID: id, ForumID: f.ID, AuthorID: author.ID, RootPostID: id,
					Title: fmt.Sprintf("Question number %d about digital services", done+i), Language: "en",
					LastPostID: id, LastPostAt: at, CreatedAt: at}
				p := &forum.Post{ID: id, ThreadID: id, AuthorID: author.ID, BranchID: id, Language: "en",
					Source: "A question.", HTML: "<p>A question.</p>", CreatedAt: at}
				if err := tx.CreateThread(ctx, t, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("threads: %w", err)
		}
		done += batch
	}
	return f, nil
}
