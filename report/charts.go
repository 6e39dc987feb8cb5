package report

import (
	"fmt"
	"html"
	"strings"
)

// Chart is a bar chart of counts with its text alternative: the title and
// a description that says in words what the bars show, so a screen reader,
// a text browser and the Markdown export all carry the same facts.
type Chart struct {
	ID    string // unique in the page: the SVG's title and desc ids derive from it
	Title string
	Desc  string
	Bars  []Count
	// Columns draws vertical bars in label order (a timeline); otherwise
	// bars are horizontal, one row per label.
	Columns bool
	// RTL draws the chart right to left (Arabic pages).
	RTL bool
}

// Geometry of the drawings, in SVG user units (CSS pixels at 100 %).
const (
	chartWidth   = 640
	rowHeight    = 26
	labelWidth   = 200
	columnHeight = 180
	maxBars      = 60 // a longer timeline is summed into this many columns
)

// SVG draws the chart. The result is a complete <svg> element with
// role="img" and its <title> and <desc>, safe to put in a page: every text
// is escaped, nothing is scripted, and colours come from the page's CSS
// (classes) with fallbacks that print in black and white.
func (c *Chart) SVG() string {
	if c.Columns {
		return c.columnsSVG()
	}
	return c.rowsSVG()
}

func (c *Chart) open(b *strings.Builder, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" width="%d" height="%d" aria-labelledby="%s-title %s-desc">`,
		w, h, w, h, c.ID, c.ID)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`,
		c.ID, html.EscapeString(c.Title), c.ID, html.EscapeString(c.Desc))
}

func (c *Chart) rowsSVG() string {
	var b strings.Builder
	h := rowHeight*len(c.Bars) + 10
	c.open(&b, chartWidth, h)
	most := maxCount(c.Bars)
	barSpace := float64(chartWidth - labelWidth - 60)
	for i, bar := range c.Bars {
		y := 5 + i*rowHeight
		w := 0.0
		if most > 0 {
			w = barSpace * float64(bar.N) / float64(most)
		}
		labelX, anchor, barX, numX, numAnchor := labelWidth-8, "end", float64(labelWidth), float64(labelWidth)+w+6, "start"
		if c.RTL {
			labelX, anchor = chartWidth-labelWidth+8, "start"
			barX, numX, numAnchor = float64(chartWidth-labelWidth)-w, float64(chartWidth-labelWidth)-w-6, "end"
		}
		fmt.Fprintf(&b, `<g><text x="%d" y="%d" text-anchor="%s" class="label" fill="#222" font-size="13">%s</text>`,
			labelX, y+17, anchor, html.EscapeString(shorten(bar.Label, 28)))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" class="bar" fill="#1f5f8b"/>`, barX, y+3, w, rowHeight-8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" class="value" fill="#222" font-size="13">%d</text></g>`,
			numX, y+17, numAnchor, bar.N)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (c *Chart) columnsSVG() string {
	bars := squeeze(c.Bars, maxBars)
	var b strings.Builder
	h := columnHeight + 50
	c.open(&b, chartWidth, h)
	most := maxCount(bars)
	slot := float64(chartWidth-20) / float64(max(len(bars), 1))
	for i, bar := range bars {
		at := i
		if c.RTL {
			at = len(bars) - 1 - i
		}
		x := 10 + slot*float64(at)
		bh := 0.0
		if most > 0 {
			bh = float64(columnHeight) * float64(bar.N) / float64(most)
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar" fill="#1f5f8b"><title>%s: %d</title></rect>`,
			x+slot*0.15, float64(columnHeight)+10-bh, slot*0.7, bh, html.EscapeString(bar.Label), bar.N)
		if bar.N > 0 && slot >= 14 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" class="value" fill="#222" font-size="11">%d</text>`,
				x+slot/2, float64(columnHeight)+6-bh, bar.N)
		}
	}
	// The first and last labels say where the time axis starts and ends.
	if len(bars) > 0 {
		first, last := bars[0].Label, bars[len(bars)-1].Label
		if c.RTL {
			first, last = last, first
		}
		fmt.Fprintf(&b, `<text x="10" y="%d" class="label" fill="#222" font-size="12">%s</text>`, columnHeight+30, html.EscapeString(first))
		if len(bars) > 1 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="label" fill="#222" font-size="12">%s</text>`,
				chartWidth-10, columnHeight+30, html.EscapeString(last))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func maxCount(bars []Count) int {
	m := 0
	for _, b := range bars {
		m = max(m, b.N)
	}
	return m
}

// squeeze sums consecutive bars so at most n remain; each keeps the label
// of its first bar.
func squeeze(bars []Count, n int) []Count {
	if len(bars) <= n {
		return bars
	}
	per := (len(bars) + n - 1) / n
	var out []Count
	for i := 0; i < len(bars); i += per {
		c := Count{Label: bars[i].Label}
		for j := i; j < min(i+per, len(bars)); j++ {
			c.N += bars[j].N
		}
		out = append(out, c)
	}
	return out
}

// shorten cuts a label to n characters with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
