package uris

import "strings"

// A page's feeds are at its path and these names: /f/digitalisation/feed.atom,
// and /feed.atom for the home page.
const (
	AtomFeedName = "feed.atom"
	RSSFeedName  = "feed.rss"
)

// NodeGoodPracticesPath is the page of every forum's good practices.
func NodeGoodPracticesPath() string { return GoodPracticesSuffix }

// AtomFeedPath is the Atom feed of the page at pagePath.
func AtomFeedPath(pagePath string) string { return feedPath(pagePath, AtomFeedName) }

// RSSFeedPath is the RSS feed of the page at pagePath.
func RSSFeedPath(pagePath string) string { return feedPath(pagePath, RSSFeedName) }

func feedPath(pagePath, name string) string {
	return strings.TrimSuffix(pagePath, "/") + "/" + name
}
