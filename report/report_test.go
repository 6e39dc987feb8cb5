package report_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/testrig"
)

// world is a forum with a discussion to report on: three questions,
// answers from several cities in their languages, good practices marked.
type world struct {
	ctx     context.Context
	rig     *testrig.Rig
	cast    *testrig.Cast
	reports *report.Service
	seoul   *forum.Member
	nkc     *forum.Member
	q       [4]*forum.Thread // q[3] is a question the report leaves out
	a       map[string]*forum.Post
}

func newWorld(t testing.TB) *world {
	t.Helper()
	rig := testrig.New(t)
	w := &world{ctx: context.Background(), rig: rig, cast: rig.Seed(t), a: map[string]*forum.Post{}}
	svc, err := report.NewService(report.Deps{Store: rig.DB.Store(), Discussion: rig.DB.Store(), Clock: rig.Clock,
		IDs: forum.NewULIDs(rig.Clock, rand.Reader), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	w.reports = svc
	w.seoul = rig.Member(t, "minji", forum.RoleMember, "Min-ji Kim", "Digital Policy Officer", "Seoul", "ko", "en")
	w.nkc = rig.Member(t, "aminetou", forum.RoleMember, "Aminetou Mint", "Conseillère numérique", "Nouakchott", "fr", "ar")
	c := w.cast
	titles := []string{
		"Which are the challenges and opportunities of the use of ICTs in metropolitan spaces?",
		"How can local and regional governments better leverage digitisation?",
		"Has Covid-19 been the turning point to make visible the barriers of not having internet access?",
		"Off topic: where do we meet next?",
	}
	for i, title := range titles {
		th, err := rig.Service.Ask(w.ctx, c.Admin, c.Forum.ID, forum.Question{Title: title, Body: "Debate question.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		w.q[i] = th
	}
	// Answers: day 0 (the webinar), day 1, day 3.
	w.answer(t, "bh", c.BeloHz, 0, "pt", "Belo Horizonte abriu **50 telecentros** com computadores recondicionados.")
	w.answer(t, "bcn", c.Barcelona, 0, "es", "En Barcelona, la brecha digital se mide barrio a barrio.")
	w.rig.Clock.Advance(24 * time.Hour)
	w.answer(t, "nkc", w.nkc, 0, "fr", "Nouakchott a prêté des ordinateurs portables aux élèves des quartiers vulnérables.")
	w.answer(t, "seoul", w.seoul, 1, "en", "Seoul trained tech-savvy seniors who taught 8,000 peers to use kiosks.")
	w.answer(t, "tor", c.Toronto, 1, "en", "Toronto publishes its digital equity plan.")
	w.rig.Clock.Advance(48 * time.Hour)
	w.answer(t, "nkc2", w.nkc, 2, "ar", "أصدرت موريتانيا قوانين بشأن الجرائم الإلكترونية وحماية البيانات.")
	w.answer(t, "gone", c.Toronto, 2, "en", "This answer will be deleted.")
	w.answer(t, "off", c.Barcelona, 3, "es", "En Barcelona, claro.")
	if _, err := rig.Service.DeletePost(w.ctx, c.Moderator, w.a["gone"].ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bh", "nkc", "seoul", "nkc2"} {
		if _, err := rig.Service.SetGoodPractice(w.ctx, c.Moderator, w.a[k].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	// A Spanish version of Belo Horizonte's answer.
	p, err := rig.DB.Store().PostByID(w.ctx, w.a["bh"].ID)
	if err != nil {
		t.Fatal(err)
	}
	p.Translations = map[string]forum.Translation{"es": {HTML: "<p>Belo Horizonte abrió <strong>50 telecentros</strong> con computadoras reacondicionadas.</p>"}}
	if err := rig.DB.Store().UpdatePost(w.ctx, p); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) answer(t testing.TB, key string, by *forum.Member, q int, lang, body string) {
	t.Helper()
	w.rig.Clock.Advance(time.Minute)
	p, err := w.rig.Service.Reply(w.ctx, by, w.q[q].ID, "", forum.Answer{Body: body, Language: lang})
	if err != nil {
		t.Fatalf("answer %s: %v", key, err)
	}
	w.a[key] = p
}

// input is the report Metropolis composes: the three debate questions,
// highlights in English (and Spanish for the first), boxes.
func (w *world) input() report.Input {
	return report.Input{
		Language: "en",
		Texts: map[string]report.Text{
			"en": {Title: "Learning Forum on Digitalisation: report", Introduction: "Launched on **17 May 2026**.", Conclusion: "Cities learn from cities."},
			"es": {Title: "Foro de aprendizaje sobre digitalización: informe", Introduction: "Lanzado el **17 de mayo de 2026**."},
		},
		Questions: []report.Question{
			{ThreadID: w.q[0].ID, Highlights: map[string]string{"en": "Access is unequal.", "es": "El acceso es desigual."},
				Boxes: []forum.ID{w.a["bh"].ID, w.a["nkc"].ID}},
			{ThreadID: w.q[1].ID, Highlights: map[string]string{"en": "Seniors teach seniors."}, Boxes: []forum.ID{w.a["seoul"].ID}},
			{ThreadID: w.q[2].ID, Boxes: []forum.ID{w.a["nkc2"].ID}},
		},
	}
}

func (w *world) published(t testing.TB) *report.Report {
	t.Helper()
	r, err := w.reports.Create(w.ctx, w.cast.Moderator, w.cast.Forum.ID, w.input())
	if err != nil {
		t.Fatal(err)
	}
	if r, err = w.reports.Publish(w.ctx, w.cast.Moderator, r.ID); err != nil {
		t.Fatal(err)
	}
	return r
}

// words is a catalog that writes the key and its arguments, so a test
// sees which message a renderer chose and with what.
func words(lang string) report.Words {
	return report.Words{Lang: lang,
		T: func(id string, args ...any) string {
			var b strings.Builder
			b.WriteString(id)
			for i := 0; i+1 < len(args); i += 2 {
				fmt.Fprintf(&b, " %v=%v", args[i], args[i+1])
			}
			return b.String()
		},
		LangName: func(tag string) string { return "lang:" + tag },
		Date:     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	}
}

// TestReportNumbers: the numbers of the report are the discussion's, over
// the report's questions only, without deleted answers.
func TestReportNumbers(t *testing.T) {
	w := newWorld(t)
	r := w.published(t)
	d, err := w.reports.Build(w.ctx, r, "en")
	if err != nil {
		t.Fatal(err)
	}
	st := d.Stats
	day := func(n int) string { return testrig.Epoch.AddDate(0, 0, n).Format("2006-01-02") }
	counts := func(cs []report.Count) string {
		var parts []string
		for _, c := range cs {
			parts = append(parts, fmt.Sprintf("%s=%d", c.Label, c.N))
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"questions", st.Questions, 3},
		// bh, bcn, nkc, seoul, tor, nkc2 ("gone" is deleted, "off" is
		// outside the report).
		{"answers", st.Answers, 6},
		// the admin who asked, and five who answered.
		{"members", st.Members, 6},
		{"cities", counts(st.Cities), "Nouakchott=2,Barcelona Metropolitan Area=1,Belo Horizonte=1,Seoul=1,Toronto=1,Metropolis=0"},
		{"languages", counts(st.Languages), "en=2,ar=1,es=1,fr=1,pt=1"},
		{"members of Nouakchott", st.CityMembers["Nouakchott"], 1},
		{"timeline", counts(st.Timeline), day(0) + "=2," + day(1) + "=3," + day(2) + "=0," + day(3) + "=1"},
		{"weekly", st.Weekly, false},
		{"answers to question 1", d.Sections[0].Answers, 3},
		{"answers to question 2", d.Sections[1].Answers, 2},
		{"answers to question 3", d.Sections[2].Answers, 1},
		{"good practices", st.GoodPractices, 4},
		{"cities boxed under question 1", len(d.Sections[0].Cities), 2},
		{"first city boxed", d.Sections[0].Cities[0].City, "Belo Horizonte"},
		{"missing", d.Missing, 0},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestReportLanguages: a part is shown in the language asked for when it
// exists, else in the original with Original set (the renderers' notice).
func TestReportLanguages(t *testing.T) {
	w := newWorld(t)
	r := w.published(t)
	tests := []struct {
		lang                        string
		title, intro, conclusion    string
		introOriginal, conclusionOr bool
		bhText                      string
		bhOriginal                  bool
		hl1                         string
	}{
		{"en", "Learning Forum on Digitalisation: report", "Launched on **17 May 2026**.", "Cities learn from cities.", false, false, "50 telecentros</strong> com", true, "Access is unequal."},
		{"es", "Foro de aprendizaje sobre digitalización: informe", "Lanzado el **17 de mayo de 2026**.", "Cities learn from cities.", false, true, "50 telecentros</strong> con computadoras", false, "El acceso es desigual."},
		{"fr", "Learning Forum on Digitalisation: report", "Launched on **17 May 2026**.", "Cities learn from cities.", true, true, "50 telecentros</strong> com", true, "Access is unequal."},
	}
	for _, tt := range tests {
		d, err := w.reports.Build(w.ctx, r, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		bh := d.Sections[0].Cities[0].Practices[0]
		if d.Title.Text != tt.title || d.Introduction.Text != tt.intro || d.Conclusion.Text != tt.conclusion ||
			d.Introduction.Original != tt.introOriginal || d.Conclusion.Original != tt.conclusionOr ||
			!strings.Contains(bh.HTML.Text, tt.bhText) || bh.HTML.Original != tt.bhOriginal ||
			d.Sections[0].Highlights.Text != tt.hl1 {
			t.Errorf("%s: title %q intro %+v conclusion %+v bh %+v highlights %+v", tt.lang, d.Title.Text, d.Introduction,
				d.Conclusion, bh.HTML, d.Sections[0].Highlights)
		}
		if !strings.Contains(d.Introduction.HTML, "<strong>") {
			t.Errorf("%s: introduction not rendered: %q", tt.lang, d.Introduction.HTML)
		}
	}
}

// TestReportBadInput: refusals are validation errors with a catalog code,
// and a refused save leaves the stored report as it was.
func TestReportBadInput(t *testing.T) {
	w := newWorld(t)
	r, err := w.reports.Create(w.ctx, w.cast.Moderator, w.cast.Forum.ID, w.input())
	if err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("Una frase larga. ", 10<<20/17) // 10 MB
	tests := []struct {
		name string
		edit func(in *report.Input)
		code string
	}{
		{"10 MB introduction", func(in *report.Input) {
			tx := in.Texts["es"]
			tx.Introduction = huge
			in.Texts["es"] = tx
		}, "error.forumreport_text_too_long"},
		{"10 MB highlights", func(in *report.Input) { in.Questions[1].Highlights["fr"] = huge }, "error.forumreport_text_too_long"},
		{"no title", func(in *report.Input) { in.Texts["en"] = report.Text{Introduction: "x"} }, "error.forumreport_title_required"},
		{"question twice", func(in *report.Input) { in.Questions = append(in.Questions, in.Questions[0]) }, "error.forumreport_question_twice"},
		{"question of another forum", func(in *report.Input) { in.Questions[0].ThreadID = "01NOPE" }, "error.forumreport_question_gone"},
		{"a deleted answer", func(in *report.Input) { in.Questions[2].Boxes = append(in.Questions[2].Boxes, w.a["gone"].ID) }, "error.forumreport_answer_gone"},
		{"an answer of another question", func(in *report.Input) { in.Questions[1].Boxes = []forum.ID{w.a["bh"].ID} }, "error.forumreport_answer_gone"},
		{"the question itself", func(in *report.Input) { in.Questions[1].Boxes = []forum.ID{w.q[1].RootPostID} }, "error.not_an_answer"},
		{"bad language", func(in *report.Input) { in.Language = "english!" }, "error.language"},
	}
	for _, tt := range tests {
		in := w.input()
		tt.edit(&in)
		_, err := w.reports.Update(w.ctx, w.cast.Moderator, r.ID, in)
		var ve *forum.ValidationError
		if !errors.As(err, &ve) || ve.Code != tt.code {
			t.Errorf("%s: error %v, want code %s", tt.name, err, tt.code)
		}
	}
	got, err := w.reports.Get(w.ctx, w.cast.Moderator, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Texts["es"].Introduction != "Lanzado el **17 de mayo de 2026**." || len(got.Questions) != 3 || len(got.Questions[0].Boxes) != 2 {
		t.Errorf("a refused save changed the report: %+v", got)
	}

	// An answer deleted after the draft was saved: publishing is refused,
	// the draft stays as it was, and the page leaves the box out.
	if _, err := w.rig.Service.DeletePost(w.ctx, w.cast.Moderator, w.a["seoul"].ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.reports.Publish(w.ctx, w.cast.Moderator, r.ID)
	var ve *forum.ValidationError
	if !errors.As(err, &ve) || ve.Code != "error.forumreport_answer_gone" {
		t.Fatalf("publish with a deleted answer: %v", err)
	}
	got, err = w.reports.Get(w.ctx, w.cast.Moderator, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Published() || len(got.Questions[1].Boxes) != 1 {
		t.Errorf("refused publish changed the report: %+v", got)
	}
	d, err := w.reports.Build(w.ctx, got, "en")
	if err != nil {
		t.Fatal(err)
	}
	if d.Missing != 1 || len(d.Sections[1].Cities) != 0 {
		t.Errorf("deleted answer: missing %d, boxes under question 2: %d", d.Missing, len(d.Sections[1].Cities))
	}
	events, err := w.rig.Service.Events(w.ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == report.EventPublished {
			t.Errorf("a refused publish recorded %+v", e)
		}
	}
}

// TestDraftsHidden: a draft is the moderators'; members and visitors get
// "not found" and do not see it listed; once published, everyone does.
func TestDraftsHidden(t *testing.T) {
	w := newWorld(t)
	r, err := w.reports.Create(w.ctx, w.cast.Moderator, w.cast.Forum.ID, w.input())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.reports.Create(w.ctx, w.cast.Barcelona, w.cast.Forum.ID, w.input()); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a member composed a report: %v", err)
	}
	if _, err := w.reports.Publish(w.ctx, w.cast.Barcelona, r.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a member published a report: %v", err)
	}
	viewers := []struct {
		name  string
		who   *forum.Member
		draft bool
	}{{"visitor", nil, false}, {"member", w.cast.Barcelona, false}, {"moderator", w.cast.Moderator, true}, {"admin", w.cast.Admin, true}}
	check := func(stage string, published bool) {
		for _, v := range viewers {
			_, err := w.reports.Get(w.ctx, v.who, r.ID)
			list, lerr := w.reports.List(w.ctx, v.who, w.cast.Forum.ID)
			if lerr != nil {
				t.Fatal(lerr)
			}
			sees := v.draft || published
			if (err == nil) != sees || (len(list) == 1) != sees {
				t.Errorf("%s, %s: get %v, listed %d", stage, v.name, err, len(list))
			}
			if !sees && !errors.Is(err, forum.ErrNotFound) {
				t.Errorf("%s, %s: hidden draft answered %v, want not found", stage, v.name, err)
			}
		}
	}
	check("draft", false)
	if _, err := w.reports.Publish(w.ctx, w.cast.Moderator, r.ID); err != nil {
		t.Fatal(err)
	}
	check("published", true)
	events, err := w.rig.Service.Events(w.ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == report.EventPublished && e.ID == r.ID && e.ForumID == w.cast.Forum.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("publish events: %d, want 1", n)
	}
	// Publishing again changes nothing.
	if _, err := w.reports.Publish(w.ctx, w.cast.Moderator, r.ID); err != nil {
		t.Fatal(err)
	}
}
