package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The interface languages. Adding one is adding a catalog here and in
// locales/; TestCatalogsComplete checks that every catalog has every message.
var uiLanguages = []language.Tag{language.English, language.Spanish, language.French, language.Portuguese, language.Arabic}

//go:embed locales/*.json
var localeFiles embed.FS

// catalog holds the message catalogs and picks a language per request.
type catalog struct {
	bundle      *i18n.Bundle
	matcher     language.Matcher
	tags        []string // "en", "es", "fr", "pt", "ar"
	def         string
	translators map[string]*translator // one per language, shared by requests
	isoCodes    []string               // every ISO 639-1 language (languages.go)
}

func newCatalog(defaultLang string) (*catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &catalog{bundle: b, matcher: language.NewMatcher(uiLanguages)}
	for _, t := range uiLanguages {
		tag := t.String()
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+tag+".json"); err != nil {
			return nil, fmt.Errorf("load %s catalog: %w", tag, err)
		}
		c.tags = append(c.tags, tag)
	}
	if !c.supported(defaultLang) {
		return nil, fmt.Errorf("default language %q: want one of %v", defaultLang, c.tags)
	}
	c.def = defaultLang
	c.isoCodes = isoLanguages()
	c.translators = map[string]*translator{}
	for _, tag := range c.tags {
		c.translators[tag] = c.newTranslator(tag)
	}
	return c, nil
}

// has reports whether the catalogs hold a message id (checked in the
// default language; TestCatalogsComplete keeps the others equal).
func (c *catalog) has(id string) bool {
	_, err := c.translators[c.def].loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}

func (c *catalog) supported(tag string) bool {
	for _, t := range c.tags {
		if t == tag {
			return true
		}
	}
	return false
}

// pick chooses the UI language: the member's setting, else the language
// cookie (visitors' switcher, as langCookie read it), else
// Accept-Language, else the node default.
func (c *catalog) pick(memberSetting, cookie string, r *http.Request) string {
	for _, want := range []string{memberSetting, cookie} {
		if c.supported(want) {
			return want
		}
	}
	if accept := r.Header.Get("Accept-Language"); accept != "" {
		if tags, _, err := language.ParseAcceptLanguage(accept); err == nil && len(tags) > 0 {
			_, i, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return c.tags[i]
			}
		}
	}
	return c.def
}

// translator translates into one language. It is shared by every request
// in that language, and remembers what it translated without arguments
// (and the dates it formatted): a page asks for the same labels once per
// post.
type translator struct {
	lang string
	num  numerals
	loc  *i18n.Localizer
	memo sync.Map // message ID, or "date:" + yyyy-mm-dd → string
	size atomic.Int64
	// allLanguages: every ISO 639-1 language as <option>s, named in
	// this language (the same for every reader of it).
	allLanguages template.HTML
}

// AllLanguages is every ISO 639-1 language as <option> elements for a
// picker, named in the page's language and sorted in its order.
func (t *translator) AllLanguages() template.HTML { return t.allLanguages }

// translatorMemoMax bounds a translator's memo (dates are unbounded).
const translatorMemoMax = 20_000

func (c *catalog) translator(lang string) *translator {
	if t, ok := c.translators[lang]; ok {
		return t
	}
	return c.newTranslator(lang)
}

func (c *catalog) newTranslator(lang string) *translator {
	return &translator{lang: lang, num: numeralsFor(lang), loc: i18n.NewLocalizer(c.bundle, lang),
		allLanguages: optionsHTML(languageOptions(lang, c.isoCodes))}
}

func (t *translator) remember(key, s string) {
	if t.size.Load() < translatorMemoMax {
		t.memo.Store(key, s)
		t.size.Add(1)
	}
}

// Lang is the language of the page.
func (t *translator) Lang() string { return t.lang }

// Dir is the page's writing direction: Arabic reads right to left, and the
// stylesheet uses logical properties so the layout mirrors with it.
func (t *translator) Dir() string {
	if t.lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// Number writes a count the way the reader's language does ("1,234",
// "1.234", "١٬٢٣٤").
func (t *translator) Number(n int) string { return t.num.number(int64(n)) }

// T translates a message. args are key, value pairs for the message's
// template; a "Count" key also selects the plural form.
func (t *translator) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := t.memo.Load(id); ok {
			return s.(string)
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = t.localNumber(args[i+1])
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		// A missing message shows its ID rather than breaking the page;
		// TestCatalogsComplete keeps this from shipping.
		return id
	}
	if len(args) == 0 {
		t.remember(id, s)
	}
	return s
}

// localNumber writes whole numbers in the reader's numerals; other
// template values are left as they are.
func (t *translator) localNumber(v any) any {
	switch n := v.(type) {
	case int:
		return t.num.number(int64(n))
	case int64:
		return t.num.number(n)
	case int32:
		return t.num.number(int64(n))
	}
	return v
}

// Date formats a date the way the reader's language writes it, with month
// names from the catalog ("22 November 2026", "22 de noviembre de 2026").
func (t *translator) Date(d time.Time) string {
	d = d.UTC()
	key := "date:" + d.Format(time.DateOnly)
	if s, ok := t.memo.Load(key); ok {
		return s.(string)
	}
	month := t.T(fmt.Sprintf("month.%d", int(d.Month())))
	// Day and year are passed as digits, never grouped ("2026", not "2,026").
	s := t.T("date.format", "Day", t.num.digits(strconv.Itoa(d.Day())), "Month", month, "Year", t.num.digits(strconv.Itoa(d.Year())))
	t.remember(key, s)
	return s
}

// DateTime is Date with the time of day (24-hour clock, UTC).
func (t *translator) DateTime(d time.Time) string {
	d = d.UTC()
	return t.T("date.time_format", "Date", t.Date(d), "Time", t.num.digits(d.Format("15:04")))
}

// langCookie is the visitor's switcher choice, read under the name
// setCookie wrote it (__Host- prefixed on https nodes).
func (s *Server) langCookie(r *http.Request) string {
	if c, err := r.Cookie(s.cookieName(cookieLang)); err == nil {
		return c.Value
	}
	return ""
}

// languageNames are shown in the switcher in their own language, so a reader
// finds theirs whatever the page's current language.
var languageNames = map[string]string{
	"en": "English", "es": "Español", "fr": "Français", "pt": "Português", "ar": "العربية",
	"ko": "한국어", "zh": "中文", "de": "Deutsch", "it": "Italiano", "ca": "Català",
}

func languageName(tag string) string {
	if n, ok := languageNames[tag]; ok {
		return n
	}
	// Any other language by its own name, else its English one: a
	// profile shows "chiShona", not "sn".
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Self.Name(t); n != "" {
		return n
	}
	if n := display.English.Tags().Name(t); n != "" {
		return n
	}
	return tag
}

// LanguageName is a language's name in the reader's language ("Spanish"
// for an English reader, "espagnol" for a French one), for sentences such
// as "original in Spanish"; the tag itself when it is not a language.
func (t *translator) LanguageName(tag string) string {
	key := "lang:" + tag
	if v, ok := t.memo.Load(key); ok {
		return v.(string)
	}
	name := tag
	if lt, err := language.Parse(tag); err == nil {
		reader, _ := language.Parse(t.lang)
		if n := display.Tags(reader).Name(lt); n != "" {
			name = n
		}
	}
	t.remember(key, name)
	return name
}
