package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// The two formats, as their specifications name their elements: Atom
// (RFC 4287) and RSS 2.0 (with the Atom namespace for its self link and
// Dublin Core for each item's language and author, which RSS lacks).
// Every element that holds text in a language carries xml:lang (XML's own
// attribute, which both formats inherit).

const (
	atomNS = "http://www.w3.org/2005/Atom"
	dcNS   = "http://purl.org/dc/elements/1.1/"
	xmlNS  = "http://www.w3.org/XML/1998/namespace"
)

// lang is xml:lang; encoding/xml writes the XML namespace's prefix.
func lang(tag string) xml.Attr {
	return xml.Attr{Name: xml.Name{Space: xmlNS, Local: "lang"}, Value: tag}
}

func langAttr(tag string) []xml.Attr {
	if tag == "" {
		return nil
	}
	return []xml.Attr{lang(tag)}
}

type atomText struct {
	Lang []xml.Attr `xml:",any,attr"`
	Type string     `xml:"type,attr,omitempty"`
	Text string     `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	Lang      []xml.Attr  `xml:",any,attr"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Link      atomLink    `xml:"link"`
	Author    *atomPerson `xml:"author,omitempty"`
	Published string      `xml:"published"`
	Updated   string      `xml:"updated"`
	Content   atomText    `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    []xml.Attr  `xml:",any,attr"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Links   []atomLink  `xml:"link"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Atom writes d as an Atom 1.0 feed. The feed's author is its title (Atom
// requires one for entries without theirs).
func Atom(d *Document) ([]byte, error) {
	f := atomFeed{Lang: langAttr(d.Language), ID: d.ID, Title: atomText{Text: d.Title},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: d.Atom},
			{Rel: "alternate", Type: "text/html", Href: d.Page}},
		Updated: stamp(d.Updated), Author: atomPerson{Name: d.Title, URI: d.Page}}
	for _, e := range d.Entries {
		ae := atomEntry{Lang: langAttr(e.Language), ID: e.ID,
			Title:     atomText{Lang: langAttr(e.TitleLanguage), Type: "text", Text: e.Title},
			Link:      atomLink{Rel: "alternate", Type: "text/html", Href: e.Link},
			Published: stamp(e.Published), Updated: stamp(e.Updated),
			Content: atomText{Type: "html", Text: e.HTML}}
		if e.AuthorName != "" {
			ae.Author = &atomPerson{Name: e.AuthorName, URI: e.AuthorURL}
		}
		f.Entries = append(f.Entries, ae)
	}
	return marshal(f)
}

type rssGUID struct {
	Permalink bool   `xml:"isPermaLink,attr"`
	ID        string `xml:",chardata"`
}

type rssItem struct {
	Lang        []xml.Attr `xml:",any,attr"`
	Title       atomText   `xml:"title"`
	Link        string     `xml:"link"`
	GUID        rssGUID    `xml:"guid"`
	PubDate     string     `xml:"pubDate"`
	Description string     `xml:"description"`
	Creator     string     `xml:"dc:creator,omitempty"`
	Language    string     `xml:"dc:language,omitempty"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

// RSS writes d as an RSS 2.0 feed.
func RSS(d *Document) ([]byte, error) {
	f := rss{Version: "2.0", Atom: atomNS, DC: dcNS, Channel: rssChannel{Title: d.Title, Link: d.Page,
		Description: d.Title, Language: d.Language, LastBuildDate: d.Updated.UTC().Format(time.RFC1123Z),
		Self: atomLink{Rel: "self", Type: "application/rss+xml", Href: d.RSS}}}
	for _, e := range d.Entries {
		f.Channel.Items = append(f.Channel.Items, rssItem{Lang: langAttr(e.Language),
			Title: atomText{Lang: langAttr(e.TitleLanguage), Text: e.Title}, Link: e.Link,
			GUID:    rssGUID{Permalink: true, ID: e.ID},
			PubDate: e.Published.UTC().Format(time.RFC1123Z), Description: e.HTML,
			Creator: e.AuthorName, Language: e.Language})
	}
	return marshal(f)
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("write feed: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
