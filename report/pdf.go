package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The PDF is made by go-pdf/fpdf (the maintained continuation of gofpdf)
// with DejaVu Sans embedded (fonts/README.md): accents of every Latin
// language, and Arabic shaped by arabic.go.

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

const (
	fontFamily = "dejavu"
	pageMargin = 20.0 // mm
	lineHeight = 5.5  // mm, for body text at 10.5 pt
)

// tocEntry is a heading of the table of contents and the page it starts.
type tocEntry struct {
	key   string
	title string
	lang  string
	level int
}

// PDF renders the document as an A4 PDF: a title page with the table of
// contents (its page numbers are those of the second pass, so they are
// right), each part on a new page, page numbers in the footer, the outline
// (bookmarks) and the charts drawn as vector bars with their descriptions.
func (d *Document) PDF(w Words, pageURL string) ([]byte, error) {
	first, err := d.pdfRender(w, pageURL, map[string]int{})
	if err != nil {
		return nil, err
	}
	out, err := d.pdfRender(w, pageURL, first.pages)
	if err != nil {
		return nil, err
	}
	return out.bytes, nil
}

// pdfResult is one pass's PDF and where each part of it starts.
type pdfResult struct {
	bytes []byte
	pages map[string]int
}

// pdfRender lays the document out once; pages are where each entry of the
// contents started in the previous pass (empty in the first).
func (d *Document) pdfRender(w Words, pageURL string, pages map[string]int) (*pdfResult, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(true, pageMargin)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetTitle(d.Title.Text, true)
	f.SetSubject(d.ForumTitle.Text, true)
	f.SetCreator("agora", true)
	f.SetLang(w.Lang)
	stamp := d.Report.UpdatedAt
	if stamp.IsZero() {
		stamp = time.Unix(0, 0)
	}
	f.SetCreationDate(stamp)
	f.SetModificationDate(stamp)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(fontFamily, "", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, fmt.Sprintf("%d / {nb}", f.PageNo()), "", 0, "C", false, 0, "")
	})
	p := &pdfWriter{f: f, w: w, pages: map[string]int{}}

	toc := d.contents(w)
	// Title page: title, forum, date, summary, contents.
	f.AddPage()
	f.SetY(45)
	p.text(d.Title.Text, d.Title.Lang, 22, "B", 10)
	f.Ln(2)
	p.text(d.ForumTitle.Text, d.ForumTitle.Lang, 13, "", 6.5)
	status := w.T("forumreport.draft")
	if pub := d.Report.PublishedAt; pub != nil {
		status = w.T("forumreport.published_on", "Date", w.Date(*pub))
	}
	p.text(status, w.Lang, 10.5, "", lineHeight)
	if pageURL != "" {
		p.gray()
		f.SetFont(fontFamily, "", 9)
		f.CellFormat(0, lineHeight, pageURL, "", 1, p.align(w.Lang), false, 0, pageURL)
		p.black()
	}
	f.Ln(4)
	p.text(w.Summary(d.Stats), w.Lang, 10.5, "", lineHeight)
	f.Ln(6)
	p.text(w.T("forumreport.contents"), w.Lang, 14, "B", 7)
	for _, e := range toc {
		n := ""
		if pages[e.key] > 0 {
			n = fmt.Sprint(pages[e.key])
		}
		p.tocLine(e, n)
	}

	heading := func(e tocEntry) {
		f.AddPage()
		p.pages[e.key] = f.PageNo()
		f.Bookmark(e.title, e.level, -1)
		p.text(e.title, e.lang, 16, "B", 8)
		f.Ln(2)
	}
	for _, e := range toc {
		switch {
		case e.key == "introduction":
			heading(e)
			p.localized(d.Introduction)
		case e.key == "numbers":
			heading(e)
			p.text(w.Summary(d.Stats), w.Lang, 10.5, "", lineHeight)
			for _, c := range d.Charts(w) {
				p.chart(c)
			}
		case e.key == "conclusion":
			heading(e)
			p.localized(d.Conclusion)
		case strings.HasPrefix(e.key, "q"):
			var s *Section
			for _, sec := range d.Sections {
				if fmt.Sprintf("q%d", sec.Number) == e.key {
					s = sec
				}
			}
			heading(e)
			p.section(s)
		}
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("report PDF: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("report PDF: %w", err)
	}
	return &pdfResult{bytes: buf.Bytes(), pages: p.pages}, nil
}

// contents lists the parts of the document in order.
func (d *Document) contents(w Words) []tocEntry {
	var toc []tocEntry
	if d.Introduction.Text != "" {
		toc = append(toc, tocEntry{key: "introduction", title: w.T("forumreport.introduction"), lang: w.Lang})
	}
	toc = append(toc, tocEntry{key: "numbers", title: w.T("forumreport.numbers"), lang: w.Lang})
	for _, s := range d.Sections {
		toc = append(toc, tocEntry{key: fmt.Sprintf("q%d", s.Number), lang: s.Title.Lang,
			title: w.T("forumreport.question_heading", "Number", s.Number, "Title", s.Title.Text)})
	}
	if d.Conclusion.Text != "" {
		toc = append(toc, tocEntry{key: "conclusion", title: w.T("forumreport.conclusion"), lang: w.Lang})
	}
	return toc
}

// pdfWriter writes text in the document's direction for each language.
type pdfWriter struct {
	f     *fpdf.Fpdf
	w     Words
	pages map[string]int
}

func (p *pdfWriter) gray()  { p.f.SetTextColor(90, 90, 90) }
func (p *pdfWriter) black() { p.f.SetTextColor(20, 20, 20) }

func (p *pdfWriter) align(lang string) string {
	if IsRTL(lang) {
		return "R"
	}
	return "L"
}

// text writes a paragraph in lang at size (pt), wrapped to the width.
// Right-to-left text is wrapped here, line by line in visual order; other
// text goes through the library's MultiCell.
func (p *pdfWriter) text(s, lang string, size float64, style string, lh float64) {
	p.f.SetFont(fontFamily, style, size)
	if !IsRTL(lang) && !HasArabic(s) {
		p.f.MultiCell(0, lh, s, "", "L", false)
		return
	}
	p.rtlLines(s, lh, false)
}

// rtlLines wraps right-to-left text by words at the page width and draws
// each line right-aligned, in visual order.
func (p *pdfWriter) rtlLines(s string, lh float64, fill bool) {
	width, _ := p.f.GetPageSize()
	avail := width - 2*pageMargin - 2
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		for len(words) > 0 {
			n := 1
			for n < len(words) && p.f.GetStringWidth(VisualRTL(strings.Join(words[:n+1], " "))) <= avail {
				n++
			}
			p.f.CellFormat(0, lh, VisualRTL(strings.Join(words[:n], " ")), "", 1, "R", fill, 0, "")
			words = words[n:]
		}
	}
}

// notice writes "only in its original language" when l is not in the
// language asked for.
func (p *pdfWriter) notice(l Localized) {
	if n := p.w.Notice(l); n != "" {
		p.gray()
		p.text(n, p.w.Lang, 8.5, "", 4.5)
		p.black()
		p.f.Ln(1)
	}
}

// localized writes a moderators' text (rendered markdown) as blocks.
func (p *pdfWriter) localized(l Localized) {
	p.notice(l)
	p.blocks(Blocks(l.HTML), l.Lang, false)
}

func (p *pdfWriter) blocks(bl BlockList, lang string, fill bool) {
	for _, b := range bl {
		switch b.Kind {
		case "h":
			p.f.Ln(1)
			p.paragraph(b.Text, lang, 12, "B", 6, fill)
		case "li":
			p.paragraph("• "+b.Text, lang, 10.5, "", lineHeight, fill)
		default:
			p.paragraph(b.Text, lang, 10.5, "", lineHeight, fill)
		}
		p.f.Ln(1.5)
	}
}

// paragraph is text with an optional fill (the good-practice boxes).
func (p *pdfWriter) paragraph(s, lang string, size float64, style string, lh float64, fill bool) {
	p.f.SetFont(fontFamily, style, size)
	if !IsRTL(lang) && !HasArabic(s) {
		p.f.MultiCell(0, lh, s, "", "L", fill)
		return
	}
	p.rtlLines(s, lh, fill)
}

// tocLine writes an entry of the contents with its page number.
func (p *pdfWriter) tocLine(e tocEntry, page string) {
	p.f.SetFont(fontFamily, "", 10.5)
	width, _ := p.f.GetPageSize()
	avail := width - 2*pageMargin - 15
	title := e.title
	for p.f.GetStringWidth(title) > avail && len([]rune(title)) > 4 {
		title = shorten(title, len([]rune(title))-2)
	}
	if IsRTL(p.w.Lang) {
		p.f.CellFormat(15, 6.5, page, "", 0, "L", false, 0, "")
		p.f.CellFormat(0, 6.5, VisualRTL(title), "", 1, "R", false, 0, "")
		return
	}
	p.f.CellFormat(avail, 6.5, title, "", 0, "L", false, 0, "")
	p.f.CellFormat(0, 6.5, page, "", 1, "R", false, 0, "")
}

// section writes a debate question: answers, highlights, good practices
// by city (in shaded boxes).
func (p *pdfWriter) section(s *Section) {
	if s == nil {
		return
	}
	p.notice(s.Title)
	p.gray()
	p.text(p.w.T("forumreport.answers", "Count", s.Answers), p.w.Lang, 9, "", 4.5)
	p.black()
	p.f.Ln(3)
	if s.Highlights.Text != "" {
		p.text(p.w.T("forumreport.highlights"), p.w.Lang, 13, "B", 7)
		p.localized(s.Highlights)
		p.f.Ln(2)
	}
	if len(s.Cities) == 0 {
		return
	}
	p.text(p.w.T("forumreport.good_practices"), p.w.Lang, 13, "B", 7)
	for _, box := range s.Cities {
		p.f.Ln(2)
		p.f.SetTextColor(31, 95, 139)
		p.text(p.w.city(box.City), p.w.Lang, 11.5, "B", 6.5)
		p.black()
		for _, pr := range box.Practices {
			p.f.SetFillColor(238, 244, 248)
			p.f.Ln(1)
			if n := p.w.Notice(pr.HTML); n != "" {
				p.gray()
				p.paragraph(n, p.w.Lang, 8.5, "", 4.5, true)
				p.black()
			}
			p.blocks(Blocks(pr.HTML.Text), pr.HTML.Lang, true)
			p.gray()
			p.paragraph("— "+byline(pr), p.w.Lang, 9, "", 4.5, true)
			p.black()
			p.f.Ln(2)
		}
	}
}

// chart draws a chart as bars, with its title and its description (the
// same text alternative as the page's).
func (p *pdfWriter) chart(c *Chart) {
	f := p.f
	f.Ln(4)
	p.text(c.Title, p.w.Lang, 12, "B", 6.5)
	width, height := f.GetPageSize()
	left, avail := pageMargin, width-2*pageMargin
	if len(c.Bars) > 0 {
		if c.Columns {
			bars := squeeze(c.Bars, maxBars)
			h := 45.0
			if f.GetY()+h+12 > height-pageMargin {
				f.AddPage()
			}
			top := f.GetY() + 2
			most := float64(maxCount(bars))
			slot := avail / float64(len(bars))
			for i, b := range bars {
				at := i
				if c.RTL {
					at = len(bars) - 1 - i
				}
				bh := 0.0
				if most > 0 {
					bh = h * float64(b.N) / most
				}
				f.SetFillColor(31, 95, 139)
				f.Rect(left+slot*float64(at)+slot*0.15, top+h-bh, slot*0.7, bh, "F")
			}
			f.SetDrawColor(120, 120, 120)
			f.Line(left, top+h, left+avail, top+h)
			f.SetY(top + h + 1)
			f.SetFont(fontFamily, "", 8)
			f.CellFormat(avail/2, 4, bars[0].Label, "", 0, "L", false, 0, "")
			f.CellFormat(0, 4, bars[len(bars)-1].Label, "", 1, "R", false, 0, "")
		} else {
			most := float64(maxCount(c.Bars))
			label := 55.0
			for _, b := range c.Bars {
				if f.GetY()+7 > height-pageMargin {
					f.AddPage()
				}
				y := f.GetY()
				w := 0.0
				if most > 0 {
					w = (avail - label - 15) * float64(b.N) / most
				}
				f.SetFont(fontFamily, "", 9)
				name := shorten(b.Label, 30)
				f.SetFillColor(31, 95, 139)
				if c.RTL {
					if HasArabic(name) {
						name = VisualRTL(name)
					}
					f.SetXY(left+avail-label, y)
					f.CellFormat(label, 6, name, "", 0, "R", false, 0, "")
					f.Rect(left+avail-label-2-w, y+1, w, 4, "F")
					f.SetXY(left, y)
					f.CellFormat(avail-label-w-4, 6, fmt.Sprint(b.N), "", 0, "R", false, 0, "")
				} else {
					f.SetXY(left, y)
					f.CellFormat(label, 6, name, "", 0, "L", false, 0, "")
					f.Rect(left+label+2, y+1, w, 4, "F")
					f.SetXY(left+label+4+w, y)
					f.CellFormat(15, 6, fmt.Sprint(b.N), "", 0, "L", false, 0, "")
				}
				f.SetXY(left, y+6.5)
			}
		}
	}
	f.Ln(1)
	p.gray()
	p.text(c.Desc, p.w.Lang, 8.5, "", 4.2)
	p.black()
}
