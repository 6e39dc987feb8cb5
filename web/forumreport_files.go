package web

import (
	"fmt"
	"sync"
)

// reportFiles keeps the report downloads made since the store last
// changed: a PDF costs about 75 ms of CPU and 50 MB of allocations to make
// (two layout passes for the contents' page numbers, two fonts), and a
// published report is downloaded by many while nothing changes. An entry
// is good while the store's version (Config.Changes) is the one read
// before it was made; without a Versioner nothing is kept.
type reportFiles struct {
	versions Versioner
	mu       sync.Mutex
	entries  map[string]reportFile
	order    []string // oldest first
	bytes    int
}

type reportFile struct {
	version uint64
	body    []byte
}

// Bounds of what reportFiles holds.
const (
	reportFilesMax      = 32
	reportFilesMaxBytes = 32 << 20
)

func newReportFiles(v Versioner) *reportFiles {
	return &reportFiles{versions: v, entries: map[string]reportFile{}}
}

// version is the store's version, read before what a file is made from:
// a write after it moves it on, and the file is not used again.
func (c *reportFiles) version() uint64 {
	if c == nil || c.versions == nil {
		return 0
	}
	return c.versions.Version()
}

// get returns the file named by key as made at version v, made by make
// when none is kept for it.
func (c *reportFiles) get(key string, v uint64, make func() ([]byte, error)) ([]byte, error) {
	if c == nil || c.versions == nil {
		return make()
	}
	if v != c.versions.Version() {
		return make() // the store changed while the request read it
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.version == v {
		return e.body, nil
	}
	body, err := make()
	if err != nil {
		return nil, err
	}
	c.put(key, reportFile{version: v, body: body})
	return body, nil
}

func (c *reportFiles) put(key string, f reportFile) {
	if len(f.body) > reportFilesMaxBytes/4 {
		return // one huge file does not push out the others
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body)
		c.remove(key)
	}
	c.entries[key] = f
	c.order = append(c.order, key)
	c.bytes += len(f.body)
	for len(c.order) > reportFilesMax || c.bytes > reportFilesMaxBytes {
		oldest := c.order[0]
		c.bytes -= len(c.entries[oldest].body)
		delete(c.entries, oldest)
		c.order = c.order[1:]
	}
}

// remove drops key from the order (its entry is replaced by the caller).
func (c *reportFiles) remove(key string) {
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			return
		}
	}
}

// reportFileKey names a download: the report, its language, the words'
// language, the format and the URL it is made for.
func reportFileKey(id, lang, wordsLang, format, url string) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", id, lang, wordsLang, format, url)
}
