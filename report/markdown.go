package report

import (
	"fmt"
	"strings"
)

// Markdown is the report as one Markdown document, in the document's
// language: the same parts and notices as the page, the charts as their
// text alternatives (tables), good practices as block quotes under their
// city. Answers shown in their original language keep the markdown their
// authors wrote; translations (HTML) are turned into text.
func (d *Document) Markdown(w Words, pageURL string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", oneLine(d.Title.Text))
	fmt.Fprintf(&b, "%s  \n", oneLine(d.ForumTitle.Text))
	if p := d.Report.PublishedAt; p != nil {
		fmt.Fprintf(&b, "%s  \n", w.T("forumreport.published_on", "Date", w.Date(*p)))
	} else {
		fmt.Fprintf(&b, "%s  \n", w.T("forumreport.draft"))
	}
	if pageURL != "" {
		fmt.Fprintf(&b, "<%s>\n", pageURL)
	}
	b.WriteString("\n")
	section := func(title string, l Localized) {
		if l.Text == "" {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n", title)
		notice(&b, w, l)
		b.WriteString(l.Text)
		b.WriteString("\n\n")
	}
	section(w.T("forumreport.introduction"), d.Introduction)

	fmt.Fprintf(&b, "## %s\n\n%s\n\n", w.T("forumreport.numbers"), w.Summary(d.Stats))
	for _, c := range d.Charts(w) {
		fmt.Fprintf(&b, "### %s\n\n", c.Title)
		if len(c.Bars) == 0 {
			fmt.Fprintf(&b, "%s\n\n", c.Desc)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s |\n|---|---:|\n", w.T("forumreport.table_label"), w.T("forumreport.table_answers"))
		for _, bar := range c.Bars {
			if c.Columns && bar.N == 0 {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d |\n", cell(bar.Label), bar.N)
		}
		b.WriteString("\n")
	}

	for _, s := range d.Sections {
		fmt.Fprintf(&b, "## %s\n\n", oneLine(w.T("forumreport.question_heading", "Number", s.Number, "Title", s.Title.Text)))
		notice(&b, w, s.Title)
		fmt.Fprintf(&b, "*%s*\n\n", w.T("forumreport.answers", "Count", s.Answers))
		if s.Highlights.Text != "" {
			fmt.Fprintf(&b, "### %s\n\n", w.T("forumreport.highlights"))
			notice(&b, w, s.Highlights)
			b.WriteString(s.Highlights.Text)
			b.WriteString("\n\n")
		}
		if len(s.Cities) > 0 {
			fmt.Fprintf(&b, "### %s\n\n", w.T("forumreport.good_practices"))
		}
		for _, box := range s.Cities {
			fmt.Fprintf(&b, "#### %s\n\n", oneLine(w.city(box.City)))
			for _, p := range box.Practices {
				body := p.Source
				if body == "" {
					body = Blocks(p.HTML.Text).Text()
				}
				if n := w.Notice(p.HTML); n != "" {
					fmt.Fprintf(&b, "> *%s*\n>\n", n)
				}
				for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
					fmt.Fprintf(&b, "> %s\n", line)
				}
				fmt.Fprintf(&b, ">\n> — %s\n\n", oneLine(byline(p)))
			}
		}
	}
	section(w.T("forumreport.conclusion"), d.Conclusion)
	return []byte(b.String())
}

func notice(b *strings.Builder, w Words, l Localized) {
	if n := w.Notice(l); n != "" {
		fmt.Fprintf(b, "*%s*\n\n", n)
	}
}

// byline is "Name, Role · City".
func byline(p *Practice) string {
	if p.Author == nil {
		return ""
	}
	s := p.Author.DisplayName
	if p.Author.Title != "" {
		s += ", " + p.Author.Title
	}
	if p.City != "" {
		s += " · " + p.City
	}
	return s
}

// oneLine keeps a title on one line (a heading must not be broken).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell escapes a table cell.
func cell(s string) string { return strings.ReplaceAll(oneLine(s), "|", `\|`) }
