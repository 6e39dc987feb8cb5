package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/metropolis/agora/federation"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/node"
)

// hostsShown bounds the host list of `admin federation status`.
const hostsShown = 200

// adminFederation runs `agora admin federation <status|followers|inbox>`.
func adminFederation(ctx context.Context, cio cmdIO, args []string) error {
	subs := []command{
		{"status", "[flags]", "the delivery queue, the inbox and the health of remote hosts", adminFederationStatus},
		{"followers", "<forum-slug> [flags]", "the remote followers of a local forum", adminFederationFollowers},
		{"inbox", "[flags]", "the activities refused after they were accepted, and why", adminFederationInbox},
	}
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: agora admin federation <command> [flags]")
		fmt.Fprintln(w, "\nCommands:")
		for _, c := range subs {
			fmt.Fprintf(w, "  %-10s %-22s %s\n", c.name, c.args, c.summary)
		}
	}
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		var help strings.Builder
		usage(&help)
		return &usageError{msg: "admin federation: missing command", help: help.String()}
	}
	if isHelp(args[0]) || args[0] == "help" {
		usage(cio.stdout)
		return nil
	}
	for _, c := range subs {
		if c.name == args[0] {
			return c.run(ctx, cio, args[1:])
		}
	}
	var help strings.Builder
	usage(&help)
	return &usageError{msg: fmt.Sprintf("admin federation: unknown command %q", args[0]), help: help.String()}
}

func adminFederationStatus(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin federation status", "[flags]", strings.TrimSpace(`
Show the federation queues: deliveries by state and the age of the oldest
one pending, activities received and not yet applied, the record of each
remote host (deliveries, failures, whether its circuit is open) and the
blocked domains. Deliveries are sent by the running node ('agora serve').`))
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		st := a.db.Store()
		stats, err := st.DeliveryStats(ctx)
		if err != nil {
			return fmt.Errorf("federation status: %w", err)
		}
		inPending, inFailed, err := st.CountInbox(ctx)
		if err != nil {
			return fmt.Errorf("federation status: %w", err)
		}
		hosts, err := st.ListHosts(ctx, hostsShown)
		if err != nil {
			return fmt.Errorf("federation status: %w", err)
		}
		blocks, err := st.ListDomainBlocks(ctx)
		if err != nil {
			return fmt.Errorf("federation status: %w", err)
		}
		printFederationStatus(cio.stdout, time.Now(), stats, inPending, inFailed, hosts, blocks)
		return nil
	})
}

// printFederationStatus writes the status report as aligned text.
func printFederationStatus(w io.Writer, now time.Time, stats federation.DeliveryStats, inPending, inFailed int,
	hosts []*federation.HostHealth, blocks []*federation.DomainBlock) {
	oldest := "-"
	if stats.OldestPending != nil {
		oldest = age(now, *stats.OldestPending) + " ago"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Delivery queue")
	fmt.Fprintf(tw, "  pending\t%d\toldest %s\n", stats.Pending, oldest)
	fmt.Fprintf(tw, "  done\t%d\n", stats.Done)
	fmt.Fprintf(tw, "  failed\t%d\n", stats.Failed)
	fmt.Fprintf(tw, "  dropped\t%d\n", stats.Dropped)
	fmt.Fprintln(tw, "Inbox")
	fmt.Fprintf(tw, "  pending\t%d\n", inPending)
	fmt.Fprintf(tw, "  failed\t%d\n", inFailed)
	_ = tw.Flush()

	fmt.Fprintf(w, "\nHosts (%d)\n", len(hosts))
	if len(hosts) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  HOST\tDELIVERED\tFAILED\tCONSECUTIVE FAILS\tCIRCUIT\tLAST SUCCESS\tLAST FAILURE")
		for _, h := range hosts {
			circuit := "closed"
			if h.OpenUntil != nil && now.Before(*h.OpenUntil) {
				circuit = "open until " + h.OpenUntil.UTC().Format(time.DateTime) + " UTC"
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%s\t%s\t%s\n", h.Host, h.Delivered, h.Failed, h.ConsecutiveFails,
				circuit, since(now, h.LastSuccess), since(now, h.LastFailure))
		}
		_ = tw.Flush()
	}
	fmt.Fprintf(w, "\nBlocked domains (%d)\n", len(blocks))
	if len(blocks) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, b := range blocks {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", b.Domain, b.CreatedAt.UTC().Format(time.DateOnly), b.Reason)
		}
		_ = tw.Flush()
	}
}

// age is how long before now t was, rounded for people.
func age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 48*time.Hour:
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
}

func since(now time.Time, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return age(now, *t) + " ago"
}

func adminFederationFollowers(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin federation followers", "<forum-slug> [flags]", strings.TrimSpace(`
List the remote actors (usually other nodes' instance actors) that follow a
local forum, accepted ones first, then requests awaiting approval.`))
	return withApp(ctx, fs, cio, args, []string{"<forum-slug>"}, func(a *app, args []string) error {
		fo, err := a.svc.ForumBySlug(ctx, args[0])
		if errors.Is(err, forum.ErrNotFound) {
			return fmt.Errorf("followers: no forum %q", args[0])
		} else if err != nil {
			return fmt.Errorf("followers: %w", err)
		}
		if !fo.Local() {
			return fmt.Errorf("followers: %q is a forum of %s, joined here: its node keeps its followers", fo.Slug, fo.Domain)
		}
		st := a.db.Store()
		target := a.urls.Forum(fo.Slug)
		tw := tabwriter.NewWriter(cio.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACTOR\tSTATE\tINBOX\tSINCE")
		n := 0
		after := forum.ID("")
		for {
			page, err := st.ListFollowers(ctx, target, after, 500)
			if err != nil {
				return fmt.Errorf("followers: %w", err)
			}
			for _, f := range page {
				printFollower(tw, f)
				n++
			}
			if len(page) < 500 {
				break
			}
			after = page[len(page)-1].ID
		}
		pending, err := st.ListPendingFollowers(ctx, target, 500)
		if err != nil {
			return fmt.Errorf("followers: %w", err)
		}
		for _, f := range pending {
			printFollower(tw, f)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(cio.stdout, "%d following, %d awaiting approval\n", n, len(pending))
		return nil
	})
}

func printFollower(w io.Writer, f *federation.Follower) {
	inbox := f.SharedInbox
	if inbox == "" {
		inbox = f.Inbox
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.ActorURI, f.State, inbox, f.CreatedAt.UTC().Format(time.DateOnly))
}

// handlePattern is a forum handle: @name@host, name@host or acct:name@host.
var handlePattern = regexp.MustCompile(`^(?:acct:)?@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+(?::[0-9]{1,5})?$`)

// checkForumTarget accepts an http(s) URL with a host or a handle.
func checkForumTarget(cmd, target string) error {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			return nil
		}
	} else if handlePattern.MatchString(target) {
		return nil
	}
	return usageErrorf("%s: %q is neither a forum URL (https://host/f/name) nor a handle (@name@host)", cmd, target)
}

func adminJoin(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin join", "<forum-url-or-@name@host> [flags]", strings.TrimSpace(`
Join a forum of another node (a hub): follow it, mirror it here and fetch
its recent threads. New posts arrive once the hub accepts the follow; the
Follow is sent by the running node ('agora serve'), from the queue.
Examples:
  agora admin join https://hub.metropolis.org/f/digitalisation
  agora admin join @digitalisation@hub.metropolis.org`))
	return withApp(ctx, fs, cio, args, []string{"<forum-url-or-@name@host>"}, func(a *app, args []string) error {
		target := strings.TrimSpace(args[0])
		if err := checkForumTarget("admin join", target); err != nil {
			return err
		}
		n, err := a.node(node.Shared{})
		if err != nil {
			return err
		}
		fo, err := n.Federation.Join(ctx, forum.SystemActor(), target)
		if err != nil {
			return fmt.Errorf("join %s: %w", target, err)
		}
		text, _ := fo.Text()
		fmt.Fprintf(cio.stdout, "Joined %q (%s) from %s.\n", text.Title, fo.URI, fo.Domain)
		fmt.Fprintf(cio.stdout, "Here: %s\n", a.urls.Forum(fo.Slug))
		fmt.Fprintln(cio.stdout, "The follow request is queued: the running node sends it (see 'agora admin federation status').")
		return nil
	})
}

func adminLeave(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin leave", "<forum-url-or-@name@host> [flags]", strings.TrimSpace(`
Stop following a joined forum (Undo Follow). Its mirror and every post stay:
your members' answers are this node's originals.`))
	return withApp(ctx, fs, cio, args, []string{"<forum-url-or-@name@host>"}, func(a *app, args []string) error {
		target := strings.TrimSpace(args[0])
		if err := checkForumTarget("admin leave", target); err != nil {
			return err
		}
		uri := target
		if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
			// A handle names the mirror by its slug, name@host.
			slug := strings.TrimPrefix(strings.TrimPrefix(target, "acct:"), "@")
			fo, err := a.svc.ForumBySlug(ctx, slug)
			if err != nil || fo.Local() {
				return fmt.Errorf("leave %s: no joined forum by that name", target)
			}
			uri = fo.URI
		}
		n, err := a.node(node.Shared{})
		if err != nil {
			return err
		}
		if err := n.Federation.Leave(ctx, forum.SystemActor(), uri); errors.Is(err, forum.ErrNotFound) {
			return fmt.Errorf("leave %s: this node does not follow it", target)
		} else if err != nil {
			return fmt.Errorf("leave %s: %w", target, err)
		}
		fmt.Fprintf(cio.stdout, "Left %s: the Undo Follow is queued; the mirror and its posts stay.\n", uri)
		return nil
	})
}

// domainPattern is a host name or IP address, optionally with a port.
var domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

// checkDomain normalises a domain argument (lowercase, no trailing dot).
func checkDomain(cmd, domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if host, _, err := net.SplitHostPort(d); err == nil && strings.Contains(host, ":") {
		return d, nil // [IPv6]:port
	}
	if net.ParseIP(d) != nil || domainPattern.MatchString(d) {
		return d, nil
	}
	return "", usageErrorf("%s: %q is not a domain (want e.g. spam.example or spam.example:8443, no scheme or path)", cmd, domain)
}

func adminBlock(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin block", "<domain> [--reason TEXT] [flags]", strings.TrimSpace(`
Block an instance: its requests are refused before any key is fetched, and
nothing is sent to it or fetched from it. Activities from other instances
that lead to it (a reply to its post, a forum's Announce of it) are refused.
Deliveries queued for it are dropped. Blocking a domain blocks its
subdomains and every port too. What it wrote before the block is kept.`))
	reason := fs.String("reason", "", "why (shown to admins only)")
	return withApp(ctx, fs, cio, args, []string{"<domain>"}, func(a *app, args []string) error {
		domain, err := checkDomain("admin block", args[0])
		if err != nil {
			return err
		}
		st := a.db.Store()
		now := time.Now().UTC()
		if err := st.BlockDomain(ctx, &federation.DomainBlock{Domain: domain, Reason: *reason, CreatedAt: now}); err != nil {
			return fmt.Errorf("block %s: %w", domain, err)
		}
		// Drop what is queued for the domain and for the hosts it covers
		// that we have a record of; any other queued delivery to it is
		// dropped by the worker when it comes due.
		dropHosts := []string{domain}
		hosts, err := st.ListHosts(ctx, 10000)
		if err != nil {
			return fmt.Errorf("block %s: %w", domain, err)
		}
		for _, h := range hosts {
			if h.Host != domain && blockCovers(domain, h.Host) {
				dropHosts = append(dropHosts, h.Host)
			}
		}
		dropped := 0
		for _, h := range dropHosts {
			n, err := st.DropHostDeliveries(ctx, h, now)
			if err != nil {
				return fmt.Errorf("block %s: drop deliveries to %s: %w", domain, h, err)
			}
			dropped += n
		}
		fmt.Fprintf(cio.stdout, "Blocked %s; dropped %d queued deliveries.\n", domain, dropped)
		return nil
	})
}

// blockCovers reports whether a block of domain covers host (host[:port]):
// the same name or a subdomain, on any port.
func blockCovers(domain, host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(name)
	return host == domain || name == domain || strings.HasSuffix(name, "."+domain)
}

func adminUnblock(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin unblock", "<domain> [flags]", "Lift the block of a domain. Deliveries dropped meanwhile are not resent.")
	return withApp(ctx, fs, cio, args, []string{"<domain>"}, func(a *app, args []string) error {
		domain, err := checkDomain("admin unblock", args[0])
		if err != nil {
			return err
		}
		if err := a.db.Store().UnblockDomain(ctx, domain); errors.Is(err, forum.ErrNotFound) {
			return fmt.Errorf("unblock %s: it is not blocked", domain)
		} else if err != nil {
			return fmt.Errorf("unblock %s: %w", domain, err)
		}
		fmt.Fprintf(cio.stdout, "Unblocked %s.\n", domain)
		return nil
	})
}
