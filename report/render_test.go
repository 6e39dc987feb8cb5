package report_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/metropolis/agora/report"
)

// svgNode is enough of an SVG document to check its text alternative.
type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Title   []string   `xml:"title"`
	Desc    []string   `xml:"desc"`
	Rects   []struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
	} `xml:"rect"`
	Groups []struct {
		Rects []struct {
			Width string `xml:"width,attr"`
		} `xml:"rect"`
		Texts []string `xml:"text"`
	} `xml:"g"`
}

func attr(n svgNode, name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// TestChartsRender: each chart is well-formed SVG (a strict XML parse),
// an image with a title and a description that says its numbers, and
// bars proportional to them; labels are escaped, never markup.
func TestChartsRender(t *testing.T) {
	w := newWorld(t)
	d, err := w.reports.Build(w.ctx, w.published(t), "en")
	if err != nil {
		t.Fatal(err)
	}
	charts := d.Charts(words("en"))
	// A hostile city name is text, not markup.
	charts = append(charts, &report.Chart{ID: "hostile", Title: "Cities & <friends>", Desc: `"quoted" <script>`,
		Bars: []report.Count{{Label: "<script>alert(1)</script>", N: 2}, {Label: "Córdoba", N: 1}}})
	wantDesc := map[string]string{
		"chart-cities":    "List=Nouakchott: 2; Barcelona Metropolitan Area: 1; Belo Horizonte: 1; Seoul: 1; Toronto: 1; Metropolis: 0",
		"chart-languages": "List=lang:en: 2; lang:ar: 1; lang:es: 1; lang:fr: 1; lang:pt: 1",
		"chart-time":      "First=2026-11-02 Last=2026-11-05 List=2026-11-02: 2; 2026-11-03: 3; 2026-11-05: 1",
		"hostile":         `"quoted" <script>`,
	}
	for _, c := range charts {
		svg := c.SVG()
		var root svgNode
		dec := xml.NewDecoder(strings.NewReader(svg))
		dec.Strict = true
		if err := dec.Decode(&root); err != nil {
			t.Fatalf("%s: not well-formed SVG: %v\n%s", c.ID, err, svg)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			t.Errorf("%s: content after the <svg> element", c.ID)
		}
		if root.XMLName.Local != "svg" || attr(root, "role") != "img" ||
			attr(root, "aria-labelledby") != c.ID+"-title "+c.ID+"-desc" {
			t.Errorf("%s: root %v role %q labelledby %q", c.ID, root.XMLName, attr(root, "role"), attr(root, "aria-labelledby"))
		}
		if len(root.Title) != 1 || root.Title[0] != c.Title || len(root.Desc) != 1 || !strings.Contains(root.Desc[0], wantDesc[c.ID]) {
			t.Errorf("%s: title %q desc %q, want desc containing %q", c.ID, root.Title, root.Desc, wantDesc[c.ID])
		}
		if strings.Contains(svg, "<script") {
			t.Errorf("%s: unescaped markup in %s", c.ID, svg)
		}
		if c.ID == "chart-cities" {
			// Nouakchott (2) is drawn twice as long as Seoul (1).
			var nk, seoul string
			for _, g := range root.Groups {
				if len(g.Texts) > 0 && len(g.Rects) == 1 {
					switch g.Texts[0] {
					case "Nouakchott":
						nk = g.Rects[0].Width
					case "Seoul":
						seoul = g.Rects[0].Width
					}
				}
			}
			if nk == "" || seoul == "" || nk != "380.0" || seoul != "190.0" {
				t.Errorf("bar widths: Nouakchott %q, Seoul %q", nk, seoul)
			}
		}
	}
}

// TestMarkdownExport: the export holds each part with its notice, the
// good practices under their city and the charts as tables.
func TestMarkdownExport(t *testing.T) {
	w := newWorld(t)
	d, err := w.reports.Build(w.ctx, w.published(t), "es")
	if err != nil {
		t.Fatal(err)
	}
	md := string(d.Markdown(words("es"), "https://hub.example/f/digitalisation/reports/x"))
	for _, want := range []string{
		"# Foro de aprendizaje sobre digitalización: informe\n",
		"Lanzado el **17 de mayo de 2026**.",
		"## forumreport.conclusion\n\n*forumreport.only_original Language=lang:en*\n\nCities learn from cities.",
		"#### Belo Horizonte\n\n> Belo Horizonte abrió 50 telecentros con computadoras reacondicionadas.",
		"#### Nouakchott\n\n> *forumreport.only_original Language=lang:fr*",
		"| Nouakchott | 2 |",
		"— Min-ji Kim, Digital Policy Officer · Seoul",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// pdfText runs Poppler's pdftotext on a PDF. Without AGORA_TEST_PDF a
// missing pdftotext skips; with it (CI), it fails.
func pdfText(t *testing.T, pdf []byte) string {
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
	if errOut.Len() > 0 {
		t.Errorf("pdftotext complained: %s", errOut.String())
	}
	// Presentation forms (shaped Arabic) read back as their letters.
	return norm.NFKC.String(out.String())
}

// TestReportPDF: a real reader opens the PDF and finds, in the language
// asked for, the good practices' text (translated where a translation
// exists, original with its notice elsewhere), the accents, the contents
// with page numbers, and the Arabic answer's words.
func TestReportPDF(t *testing.T) {
	w := newWorld(t)
	r := w.published(t)
	tests := []struct {
		lang string
		want []string
	}{
		{"es", []string{
			"Foro de aprendizaje sobre digitalización: informe",
			"Belo Horizonte abrió 50 telecentros con computadoras reacondicionadas.",
			"Nouakchott a prêté des ordinateurs portables aux élèves des quartiers vulnérables.",
			"forumreport.only_original Language=lang:fr",
			"El acceso es desigual.",
			"Min-ji Kim, Digital Policy Officer · Seoul",
		}},
		{"en", []string{
			"Learning Forum on Digitalisation: report",
			"Belo Horizonte abriu 50 telecentros com computadores recondicionados.",
			"Seoul trained tech-savvy seniors who taught 8,000 peers to use kiosks.",
			"Access is unequal.",
		}},
	}
	for _, tt := range tests {
		d, err := w.reports.Build(w.ctx, r, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := d.PDF(words(tt.lang), "https://hub.example/f/digitalisation/reports/"+r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF: %q", tt.lang, pdf[:min(len(pdf), 20)])
		}
		text := pdfText(t, pdf)
		flat := strings.Join(strings.Fields(text), " ")
		for _, want := range tt.want {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", tt.lang, want, text)
			}
		}
		// The contents give each question the page it starts on: the
		// title page is 1, the introduction 2, the numbers 3, the
		// questions from 4.
		if !strings.Contains(flat, "forumreport.question_heading Number=1 Title=Which are the challenges") {
			t.Errorf("%s: no contents entry for question 1:\n%s", tt.lang, text)
		}
		for _, word := range []string{"موريتانيا", "الإلكترونية", "البيانات"} {
			if !strings.Contains(text, word) && !strings.Contains(text, reverse(word)) {
				t.Errorf("%s: the Arabic answer's word %q is not in the PDF's text", tt.lang, word)
			}
		}
	}
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
