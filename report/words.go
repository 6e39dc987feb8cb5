package report

import (
	"fmt"
	"strings"
	"time"
)

// Words are what the renderers need of the interface's language: the
// catalog (web's, so a report's headings read like the rest of the site),
// the names of languages, and how dates are written. Keys are listed in
// web/locales under "forumreport.".
type Words struct {
	Lang     string
	T        func(id string, args ...any) string
	LangName func(tag string) string
	Date     func(t time.Time) string
}

// RTL reports whether the words' language is written right to left.
func (w Words) RTL() bool { return IsRTL(w.Lang) }

// IsRTL reports whether lang is written right to left.
func IsRTL(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "ar", "fa", "he", "ur":
		return true
	}
	return false
}

// city names a city for the reader ("No city given" for none).
func (w Words) city(c string) string {
	if c == UnknownCity {
		return w.T("forumreport.unknown_city")
	}
	return c
}

// Notice says that a part is shown in its original language, or "" when
// it is in the language asked for.
func (w Words) Notice(l Localized) string {
	if !l.Original || l.Text == "" {
		return ""
	}
	return w.T("forumreport.only_original", "Language", w.LangName(l.Lang))
}

// Summary is the discussion's numbers in one sentence.
func (w Words) Summary(st Stats) string {
	if st.Answers == 0 {
		return w.T("forumreport.summary_none", "Members", st.Members)
	}
	return w.T("forumreport.summary", "Answers", st.Answers, "Members", st.Members, "Cities", len(st.Cities),
		"Languages", len(st.Languages), "First", w.Date(st.First), "Last", w.Date(st.Last))
}

// Charts are the report's three charts: participation by city, by
// language and over time, with their text alternatives.
func (d *Document) Charts(w Words) []*Chart {
	st := d.Stats
	cities := make([]Count, len(st.Cities))
	for i, c := range st.Cities {
		cities[i] = Count{Label: w.city(c.Label), N: c.N}
	}
	langs := make([]Count, len(st.Languages))
	for i, c := range st.Languages {
		langs[i] = Count{Label: w.LangName(c.Label), N: c.N}
	}
	timeKey := "forumreport.chart_time_desc"
	if st.Weekly {
		timeKey = "forumreport.chart_time_desc_weekly"
	}
	return []*Chart{
		{ID: "chart-cities", Title: w.T("forumreport.chart_cities"), RTL: w.RTL(), Bars: cities,
			Desc: w.T("forumreport.chart_cities_desc", "List", listCounts(cities))},
		{ID: "chart-languages", Title: w.T("forumreport.chart_languages"), RTL: w.RTL(), Bars: langs,
			Desc: w.T("forumreport.chart_languages_desc", "List", listCounts(langs))},
		{ID: "chart-time", Title: w.T("forumreport.chart_time"), RTL: w.RTL(), Columns: true, Bars: st.Timeline,
			Desc: w.T(timeKey, "First", w.Date(st.First), "Last", w.Date(st.Last), "List", listCounts(nonZero(st.Timeline)))},
	}
}

// listCounts writes counts as "Barcelona: 5; Seoul: 3".
func listCounts(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s: %d", c.Label, c.N)
	}
	return strings.Join(parts, "; ")
}

func nonZero(cs []Count) []Count {
	var out []Count
	for _, c := range cs {
		if c.N > 0 {
			out = append(out, c)
		}
	}
	return out
}
