package publish

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// leaseStore answers TryLease as told and counts the asks.
type leaseStore struct {
	Store // unused methods: nil, they panic if called
	held  bool
	err   error
	asked int
}

func (s *leaseStore) TryLease(context.Context, string, string, time.Time, time.Duration) (bool, error) {
	s.asked++
	return s.held, s.err
}

// TestLeadAsksOncePerRenewal: a publisher holding its lease does not ask
// the database again at each wake-up, only once a third of the lease has
// passed; one that does not hold it (or could not tell) asks every time,
// and never believes it leads.
func TestLeadAsksOncePerRenewal(t *testing.T) {
	tests := []struct {
		name      string
		held      bool
		err       error
		expire    bool // the renewal time passes between the calls
		wantLead  bool
		wantAsked int
	}{
		{name: "held: asked once", held: true, wantLead: true, wantAsked: 1},
		{name: "held, renewal due: asked each time", held: true, expire: true, wantLead: true, wantAsked: 5},
		{name: "another holds it: asked each time", held: false, wantLead: false, wantAsked: 5},
		{name: "database error: asked each time", held: true, err: errors.New("down"), wantLead: false, wantAsked: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &leaseStore{held: tt.held, err: tt.err}
			p := &Publisher{cfg: Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, holder: "a"}
			for i := range 5 {
				if got := p.lead(context.Background()); got != tt.wantLead {
					t.Fatalf("call %d: lead = %v, want %v", i, got, tt.wantLead)
				}
				if tt.expire && !p.renewAt.IsZero() {
					p.renewAt = time.Now().Add(-time.Millisecond)
				}
			}
			if st.asked != tt.wantAsked {
				t.Errorf("TryLease asked %d times, want %d", st.asked, tt.wantAsked)
			}
			if tt.wantLead && !tt.expire && time.Until(p.renewAt) > leaseTTL/2 {
				t.Errorf("renewal in %v: not before half the lease (%v) has passed", time.Until(p.renewAt), leaseTTL)
			}
		})
	}
}
