package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/forum/markup"
	"github.com/metropolis/agora/report"
	"github.com/metropolis/agora/testrig"
)

// reportService is the site's reports, on the rig's database.
func reportService(t *testing.T, rig *testrig.Rig) *report.Service {
	t.Helper()
	svc, err := report.NewService(report.Deps{Store: rig.DB.Store(), Discussion: rig.DB.Store(), Clock: rig.Clock,
		IDs: forum.NewULIDs(rig.Clock, nil), Renderer: markup.New()})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// reportDiscussion asks a debate question, has two cities answer and
// marks both answers as good practices.
func reportDiscussion(t *testing.T, s *site) (*forum.Thread, *forum.Post, *forum.Post) {
	t.Helper()
	ctx := context.Background()
	c := s.cast
	th, err := s.rig.Service.Ask(ctx, c.Admin, c.Forum.ID, forum.Question{Title: "Has Covid-19 been the turning point?",
		Body: "Debate question 3.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	bh, err := s.rig.Service.Reply(ctx, c.BeloHz, th.ID, "", forum.Answer{Body: "Belo Horizonte abriu 50 telecentros.", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	bcn, err := s.rig.Service.Reply(ctx, c.Barcelona, th.ID, "", forum.Answer{Body: "Barcelona prestó ordenadores portátiles a estudiantes.", Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*forum.Post{bh, bcn} {
		if _, err := s.rig.Service.SetGoodPractice(ctx, c.Moderator, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	return th, bh, bcn
}

func reportForm(th *forum.Thread, boxes ...*forum.Post) url.Values {
	f := url.Values{
		"language":            {"en"},
		"title.en":            {"Learning Forum on Digitalisation: report"},
		"title.es":            {"Foro de aprendizaje sobre digitalización: informe"},
		"introduction.en":     {"Launched on **17 May**."},
		"q":                   {th.ID},
		"pos." + th.ID:        {"1"},
		"hl." + th.ID + ".en": {"Access became visible."},
		"hl." + th.ID + ".es": {"El acceso se hizo visible."},
	}
	for _, b := range boxes {
		f.Add("box."+th.ID, b.ID)
	}
	return f
}

// TestReportPages walks a report from the form to its publication:
// drafts hidden from members, a 10 MB text and a deleted answer refused
// in the member's language with nothing lost, then the published page,
// its PDF and its Markdown.
func TestReportPages(t *testing.T) {
	s := newSite(t)
	th, bh, bcn := reportDiscussion(t, s)
	mod := s.signedIn("moderator")
	mod.lang = "es"
	member := s.signedIn("marta")
	visitor := s.browser()

	if p := member.get("/f/digitalisation/reports/new"); p.status != http.StatusForbidden {
		t.Errorf("a member opened the compose form: %d", p.status)
	}
	if p := visitor.get("/f/digitalisation/reports/new"); p.status != http.StatusSeeOther {
		t.Errorf("a visitor opened the compose form: %d", p.status)
	}
	form := mod.get("/f/digitalisation/reports/new")
	mustContain(t, form, "Has Covid-19 been the turning point?", "Belo Horizonte abriu 50 telecentros.", `name="box.`+th.ID+`"`)

	created := mod.post("/f/digitalisation/reports/new", reportForm(th, bh, bcn))
	if created.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", created.status, created.body)
	}
	at := location(created)
	if !strings.HasPrefix(at, "/f/digitalisation/reports/") {
		t.Fatalf("create went to %q", at)
	}
	draft := mod.get(at)
	mustContain(t, draft, "Foro de aprendizaje sobre digitalización: informe", "solo lo ven las personas moderadoras",
		"El acceso se hizo visible.", `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"`, "<title id=\"chart-cities-title\">Participación por ciudad</title>")
	for _, b := range []*browser{member, visitor} {
		if p := b.get(at); p.status != http.StatusNotFound {
			t.Errorf("a draft was shown to someone not a moderator: %d", p.status)
		}
		if p := b.get(at + "/report.pdf"); p.status != http.StatusNotFound {
			t.Errorf("a draft's PDF was served to someone not a moderator: %d", p.status)
		}
		if p := b.get("/f/digitalisation/reports"); strings.Contains(p.body, at) {
			t.Errorf("a draft was listed to someone not a moderator")
		}
	}

	// A 10 MB introduction: refused with the message in Spanish, the form
	// given back with what was typed, the draft as it was.
	big := reportForm(th, bh, bcn)
	big.Set("introduction.es", strings.Repeat("Una introducción muy larga. ", 10<<20/29))
	refused := mod.post(at+"/edit", big)
	if refused.status != http.StatusUnprocessableEntity {
		t.Fatalf("10 MB introduction: %d", refused.status)
	}
	mustContain(t, refused, "es demasiado largo: 50.000 caracteres como máximo", "Foro de aprendizaje sobre digitalización: informe",
		"Una introducción muy larga. Una introducción muy larga.", "El acceso se hizo visible.")
	if p := mod.get(at); strings.Contains(p.body, "Una introducción muy larga") || !strings.Contains(p.body, "Launched on") {
		t.Errorf("a refused save changed the draft")
	}

	// An answer deleted after it was boxed: publishing is refused with a
	// message, the draft kept; the form shows the deleted answer.
	if _, err := s.rig.Service.DeletePost(context.Background(), s.cast.Moderator, bcn.ID); err != nil {
		t.Fatal(err)
	}
	pub := mod.post(at+"/publish", nil)
	if pub.status != http.StatusUnprocessableEntity {
		t.Fatalf("publish with a deleted answer: %d", pub.status)
	}
	mustContain(t, pub, "una de las respuestas destacadas se eliminó", "solo lo ven las personas moderadoras")
	mustContain(t, mod.get(at+"/edit"), "Se eliminó una respuesta incluida aquí; desmárquela.")
	if p := member.get(at); p.status != http.StatusNotFound {
		t.Errorf("a refused publish made the report public: %d", p.status)
	}

	if p := mod.post(at+"/edit", reportForm(th, bh)); p.status != http.StatusSeeOther {
		t.Fatalf("save without the deleted answer: %d\n%s", p.status, p.body)
	}
	if p := mod.post(at+"/publish", nil); p.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", p.status, p.body)
	}
	mustContain(t, mod.get(at), "El informe se ha publicado: su dirección ya es pública")
	page := member.get(at + "?lang=es")
	if page.status != http.StatusOK {
		t.Fatalf("published report: %d", page.status)
	}
	mustContain(t, page, "Foro de aprendizaje sobre digitalización: informe", "Belo Horizonte abriu 50 telecentros.",
		`class="gp-box"`, "Published on", `href="#q1"`)
	if p := visitor.get("/f/digitalisation/reports"); !strings.Contains(p.body, at) {
		t.Errorf("the published report is not listed")
	}

	md := visitor.get(at + "/report.md?lang=es")
	if md.status != http.StatusOK || !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("markdown: %d %s", md.status, md.header.Get("Content-Type"))
	}
	for _, want := range []string{"# Foro de aprendizaje sobre digitalización: informe", "## Pregunta 1: Has Covid-19",
		"*Esta parte solo existe en su idioma original, English.*", "> Belo Horizonte abriu 50 telecentros.", "| Belo Horizonte | 1 |"} {
		if !strings.Contains(md.body, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.body)
		}
	}

	pdf := visitor.get(at + "/report.pdf?lang=es")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %s", pdf.status, pdf.header.Get("Content-Type"))
	}
	text := pdfToText(t, []byte(pdf.body))
	for _, want := range []string{"Foro de aprendizaje sobre digitalización: informe", "Belo Horizonte abriu 50 telecentros.",
		"Buenas prácticas por ciudad", "El acceso se hizo visible.", "Participación por ciudad"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

// pdfToText reads a PDF with Poppler's pdftotext: a skip without it,
// unless AGORA_TEST_PDF says the machine must have it.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("AGORA_TEST_PDF") != "" {
			t.Fatalf("AGORA_TEST_PDF is set but pdftotext is missing: apt-get install poppler-utils")
		}
		t.Skip("pdftotext (poppler-utils) not installed; set AGORA_TEST_PDF=1 to require it")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "-enc", "UTF-8", path, "-")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errOut.String())
	}
	return strings.Join(strings.Fields(out.String()), " ")
}

// TestPrintStylesheet: the stylesheet lays the report out on A4 with page
// numbers and starts each part on a new page.
func TestPrintStylesheet(t *testing.T) {
	s := newSite(t)
	css := s.browser().get("/static/style.css").body
	for _, want := range []string{"@page { size: A4;", "counter(page)", "@media print", ".report .part { break-before: page;",
		".report .gp-box, .report .chart-figure { break-inside: avoid; }"} {
		if !strings.Contains(css, want) {
			t.Errorf("style.css lacks %q", want)
		}
	}
}
