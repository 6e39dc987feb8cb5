package web

import (
	"bytes"
	"fmt"
	"testing"
)

type fakeVersion struct{ v uint64 }

func (f *fakeVersion) Version() uint64 { return f.v }

// TestReportFiles: a download is made once while the store is unchanged,
// again after a write, never kept when the store changed while it was
// read, and the cache stays within its bounds.
func TestReportFiles(t *testing.T) {
	ver := &fakeVersion{v: 1}
	c := newReportFiles(ver)
	made := 0
	make := func(body string) func() ([]byte, error) {
		return func() ([]byte, error) { made++; return []byte(body), nil }
	}
	steps := []struct {
		name      string
		before    func()
		read      uint64 // the version the request read first (0: current)
		key, want string
		made      int
	}{
		{"first download", nil, 0, "a", "one", 1},
		{"same version: kept", nil, 0, "a", "one", 1},
		{"another language", nil, 0, "b", "two", 2},
		{"after a write: made again", func() { ver.v = 2 }, 0, "a", "three", 3},
		{"store changed while reading: made, not kept", nil, 1, "a", "four", 4},
		{"the kept one is still the version 2 file", nil, 0, "a", "three", 4},
	}
	bodies := map[string]string{"first download": "one", "another language": "two", "after a write: made again": "three",
		"store changed while reading: made, not kept": "four"}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		v := s.read
		if v == 0 {
			v = c.version()
		}
		got, err := c.get(s.key, v, make(bodies[s.name]))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != s.want || made != s.made {
			t.Errorf("%s: got %q (made %d times), want %q (%d)", s.name, got, made, s.want, s.made)
		}
	}
	for i := 0; i < reportFilesMax+10; i++ {
		if _, err := c.get(fmt.Sprint("k", i), c.version(), make("x")); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("p"), reportFilesMaxBytes/8)
	for i := 0; i < 10; i++ {
		if _, err := c.get(fmt.Sprint("big", i), c.version(), func() ([]byte, error) { return big, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.entries) > reportFilesMax || c.bytes > reportFilesMaxBytes || len(c.order) != len(c.entries) {
		t.Errorf("cache holds %d entries, %d bytes (order %d)", len(c.entries), c.bytes, len(c.order))
	}
}
