package apply

import (
	"context"
	"errors"
	"testing"
)

// countingBlocks blocks the URLs' hosts it is told, fails when told, and
// counts the questions.
type countingBlocks struct {
	blocked map[string]bool // by URL
	err     error
	asked   int
}

func (b *countingBlocks) BlockedURL(_ context.Context, rawURL string) (bool, error) {
	b.asked++
	return b.blocked[rawURL], b.err
}

// TestBlockedURLOncePerHostInABatch: inside a batch the block list is
// asked once per host (each question reads its version: a round trip),
// and the answer, blocked or not, holds for the batch; outside a batch,
// and after an error, every question is asked.
func TestBlockedURLOncePerHostInABatch(t *testing.T) {
	const (
		a1   = "https://a.example/notes/1"
		a2   = "https://A.example/users/ana"
		b1   = "https://b.example/notes/2"
		aHTP = "http://a.example/notes/3"
	)
	tests := []struct {
		name      string
		inBatch   bool
		blocked   map[string]bool
		err       error
		urls      []string
		want      []bool
		wantAsked int
	}{
		{name: "batch: one host", inBatch: true, urls: []string{a1, a2, a1}, want: []bool{false, false, false}, wantAsked: 1},
		{name: "batch: two hosts", inBatch: true, urls: []string{a1, b1, a2, b1}, want: []bool{false, false, false, false}, wantAsked: 2},
		{name: "batch: a blocked host stays blocked", inBatch: true, blocked: map[string]bool{b1: true},
			urls: []string{b1, "https://b.example/users/bo"}, want: []bool{true, true}, wantAsked: 1},
		{name: "batch: another scheme is another question", inBatch: true, urls: []string{a1, aHTP}, want: []bool{false, false}, wantAsked: 2},
		{name: "batch: errors are not kept", inBatch: true, err: errors.New("down"), urls: []string{a1, a1}, want: []bool{false, false}, wantAsked: 2},
		{name: "alone: every question asked", urls: []string{a1, a2, a1}, want: []bool{false, false, false}, wantAsked: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bl := &countingBlocks{blocked: tt.blocked, err: tt.err}
			a := &Applier{cfg: Config{Blocks: bl}}
			ctx := context.Background()
			if tt.inBatch {
				ctx = context.WithValue(ctx, scopeKey{}, &scope{blocked: map[string]bool{}})
			}
			for i, u := range tt.urls {
				got, err := a.blockedURL(ctx, u)
				if !errors.Is(err, tt.err) {
					t.Fatalf("%s: error %v, want %v", u, err, tt.err)
				}
				if got != tt.want[i] {
					t.Errorf("%s: blocked = %v, want %v", u, got, tt.want[i])
				}
			}
			if bl.asked != tt.wantAsked {
				t.Errorf("block list asked %d times, want %d", bl.asked, tt.wantAsked)
			}
		})
	}
}
