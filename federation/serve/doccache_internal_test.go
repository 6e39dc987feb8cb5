package serve

import "testing"

// counter is a write counter a test moves by hand.
type counter struct{ v uint64 }

func (c *counter) Version() uint64 { return c.v }

// threadCounter also versions threads apart, as storage.Changes does.
type threadCounter struct {
	counter
	threads map[string]uint64
}

func (c *threadCounter) ThreadVersion(id string) uint64 { return c.v + c.threads[id] }

func TestDocCache(t *testing.T) {
	c := &counter{v: 7}
	d := newDocCache(c)
	vf := d.version("")
	if _, ok := d.get("/p/1", vf()); ok {
		t.Fatal("hit in an empty cache")
	}
	v := vf()
	d.put("/p/1", v, vf, 200, []byte(`{"a":1}`))
	if got, ok := d.get("/p/1", vf()); !ok || string(got.body) != `{"a":1}` || got.status != 200 {
		t.Fatalf("get after put = %+v, %v", got, ok)
	}
	c.v++ // a write
	if _, ok := d.get("/p/1", vf()); ok {
		t.Fatal("an entry survived a write")
	}
	// A document built from a read that a write overtook is not kept.
	v = vf()
	c.v++
	d.put("/p/2", v, vf, 200, []byte(`{}`))
	if _, ok := d.get("/p/2", vf()); ok {
		t.Fatal("a document built before a write was cached")
	}
	// Nothing is cached without a counter.
	none := newDocCache(nil)
	nf := none.version("")
	none.put("/p/3", nf(), nf, 200, []byte(`{}`))
	if _, ok := none.get("/p/3", nf()); ok {
		t.Fatal("cached without a counter")
	}
}

// TestDocCacheByThread: a thread's document survives writes to another
// thread, and is dropped by a write to its own thread or of unknown scope.
func TestDocCacheByThread(t *testing.T) {
	c := &threadCounter{threads: map[string]uint64{}}
	d := newDocCache(c)
	a, b := d.version("A"), d.version("B")
	d.put("/t/A", a(), a, 200, []byte(`{"a":1}`))
	d.put("/t/B", b(), b, 200, []byte(`{"b":1}`))
	c.threads["A"]++ // an answer in thread A
	if _, ok := d.get("/t/B", b()); !ok {
		t.Error("a write to thread A dropped thread B's document")
	}
	if _, ok := d.get("/t/A", a()); ok {
		t.Error("a write to thread A kept A's document")
	}
	c.v++ // a write of unknown scope
	if _, ok := d.get("/t/B", b()); ok {
		t.Error("a write of unknown scope kept thread B's document")
	}
}
