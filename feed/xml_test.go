package feed_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/metropolis/agora/feed"
)

func sample() *feed.Document {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return &feed.Document{ID: "https://n.example/f/d/feed.atom", Title: "Digitalisation <& co>", Language: "en",
		Page: "https://n.example/f/d", Atom: "https://n.example/f/d/feed.atom", RSS: "https://n.example/f/d/feed.rss",
		Updated: at.Add(time.Hour),
		Entries: []feed.Entry{
			{ID: "https://n.example/p/2", Link: "https://n.example/t/1#p-2", Title: "Re: Internet access",
				TitleLanguage: "en", Language: "es", AuthorName: "Ana", AuthorURL: "https://n.example/u/ana",
				HTML: "<p>La digitalización &amp; el acceso</p>", Published: at.Add(time.Hour), Updated: at.Add(time.Hour)},
			{ID: "https://n.example/p/1", Link: "https://n.example/t/1", Title: "Internet access", TitleLanguage: "en",
				Language: "en", AuthorName: "Bo", HTML: "<p>Has Covid-19 been a turning point?</p>", Published: at, Updated: at},
		}}
}

// langsOf reads the xml:lang of every element named name, in order.
func langsOf(t *testing.T, doc []byte, name string) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			l := ""
			for _, a := range se.Attr {
				if a.Name.Space == "http://www.w3.org/XML/1998/namespace" && a.Name.Local == "lang" {
					l = a.Value
				}
			}
			out = append(out, l)
		}
	}
	return out
}

func TestFormatsParseBack(t *testing.T) {
	for _, tc := range []struct {
		name, kind, entry string
		write             func(*feed.Document) ([]byte, error)
	}{
		{"atom", "atom", "entry", feed.Atom},
		{"rss", "rss", "item", feed.RSS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := tc.write(sample())
			if err != nil {
				t.Fatal(err)
			}
			f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, doc)
			}
			if f.FeedType != tc.kind || f.Title != "Digitalisation <& co>" || f.Language != "en" || f.Link != "https://n.example/f/d" {
				t.Errorf("feed: type %q title %q language %q link %q", f.FeedType, f.Title, f.Language, f.Link)
			}
			if len(f.Items) != 2 {
				t.Fatalf("items: %d", len(f.Items))
			}
			it := f.Items[0]
			if it.Title != "Re: Internet access" || it.Link != "https://n.example/t/1#p-2" || it.GUID != "https://n.example/p/2" {
				t.Errorf("item: title %q link %q guid %q", it.Title, it.Link, it.GUID)
			}
			body := it.Content
			if body == "" {
				body = it.Description
			}
			if body != "<p>La digitalización &amp; el acceso</p>" {
				t.Errorf("item content: %q", body)
			}
			if it.Author == nil || it.Author.Name != "Ana" {
				t.Errorf("item author: %+v", it.Author)
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)) {
				t.Errorf("item published: %v", it.PublishedParsed)
			}
			if got := langsOf(t, doc, tc.entry); strings.Join(got, ",") != "es,en" {
				t.Errorf("entries' xml:lang: %q\n%s", got, doc)
			}
			if got := langsOf(t, doc, "title"); !strings.HasSuffix(strings.Join(got, ","), "en,en") {
				t.Errorf("titles' xml:lang: %q", got)
			}
		})
	}
}

func TestRSSItemLanguageForDublinCoreReaders(t *testing.T) {
	doc, err := feed.RSS(sample())
	if err != nil {
		t.Fatal(err)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if dc := f.Items[0].DublinCoreExt; dc == nil || len(dc.Language) != 1 || dc.Language[0] != "es" {
		t.Errorf("dc:language of the Spanish answer: %+v", dc)
	}
}

func TestEmptyFeedIsValid(t *testing.T) {
	d := sample()
	d.Entries = nil
	for _, write := range []func(*feed.Document) ([]byte, error){feed.Atom, feed.RSS} {
		doc, err := write(d)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
		if err != nil || len(f.Items) != 0 {
			t.Errorf("empty feed: %v, %d items", err, len(f.Items))
		}
	}
}
