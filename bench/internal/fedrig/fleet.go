package fedrig

import (
	"context"
	"fmt"
	"time"

	"github.com/metropolis/agora/bench/internal/measure"
)

// Fleet seeds followers of target on sinks: followers actors spread
// round-robin over hosts loopback hosts in address block block; with
// shared, each host has a shared inbox (one POST per host), else every
// follower has only its own inbox. It returns the base URLs of the hosts.
func Fleet(ctx context.Context, n *Node, s *Sinks, target string, block, hosts, followers int, shared bool, actorType string) ([]string, error) {
	ips := make([]string, hosts)
	for i := range ips {
		ips[i] = HostIP(block, i)
	}
	return FleetAt(ctx, n, s, target, ips, followers, shared, actorType)
}

// FleetAt is Fleet on the given addresses.
func FleetAt(ctx context.Context, n *Node, s *Sinks, target string, ips []string, followers int, shared bool, actorType string) ([]string, error) {
	bases := make([]string, len(ips))
	for i, ip := range ips {
		b, err := s.Listen(ip)
		if err != nil {
			return nil, err
		}
		bases[i] = b
	}
	return bases, SeedOn(ctx, n, target, bases, followers, shared, actorType)
}

// SeedOn seeds followers of target spread round-robin over the given
// hosts' base URLs.
func SeedOn(ctx context.Context, n *Node, target string, bases []string, followers int, shared bool, actorType string) error {
	fs := Followers(bases, followers, shared, actorType)
	start := time.Now()
	if err := n.SeedFollowers(ctx, target, fs); err != nil {
		return err
	}
	measure.Detail("seeded %d followers on %d hosts in %.2f s", followers, len(bases), time.Since(start).Seconds())
	return nil
}

// Followers are n followers spread round-robin over the given hosts' base
// URLs; with shared, each host has a shared inbox.
func Followers(bases []string, n int, shared bool, actorType string) []Follower {
	fs := make([]Follower, n)
	for i := range fs {
		base := bases[i%len(bases)]
		actor := fmt.Sprintf("%s/users/u%d", base, i)
		fs[i] = Follower{ActorURI: actor, Inbox: actor + "/inbox", Type: actorType}
		if shared {
			fs[i].SharedInbox = base + "/inbox"
		}
	}
	return fs
}

// PrefetchKey makes the node create the forum's key (serving its actor
// document does) and puts it in the sinks' cache, so that the measured
// part neither generates a key nor waits for the first fetch.
func PrefetchKey(ctx context.Context, n *Node, s *Sinks, actorURI string) error {
	return s.Prefetch(ctx, n.URLs.KeyID(actorURI))
}

// Prefetch puts the key keyID names in the sinks' cache.
func (s *Sinks) Prefetch(ctx context.Context, keyID string) error {
	if _, err := s.keys.PublicKey(ctx, keyID, false); err != nil {
		return fmt.Errorf("prefetch key %s: %w", keyID, err)
	}
	return nil
}
