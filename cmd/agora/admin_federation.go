package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
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
		parked, givenUp, err := st.PublisherStats(ctx)
		if err != nil {
			return fmt.Errorf("federation status: %w", err)
		}
		printFederationStatus(cio.stdout, time.Now(), stats, inPending, inFailed, hosts, blocks)
		// Events whose recipient is not resolved yet wait here, not in the
		// delivery queue; those given up keep their reason in the log.
		fmt.Fprintf(cio.stdout, "\nPublisher\n  parked    %d\n  given up  %d\n", parked, givenUp)
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

// checkForumTarget accepts an http(s) URL with a host or a handle.
func checkForumTarget(cmd, target string) error {
	if federation.CheckJoinTarget(target) == nil {
		return nil
	}
	return usageErrorf("%s: %q is neither a forum URL (https://host/f/name) nor a handle (@name@host)", cmd, target)
}

func adminJoin(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin join", "<forum-url-or-@name@host> [--wait] [flags]", strings.TrimSpace(`
Join a forum of another node (a hub): queue a join job, which resolves the
forum, mirrors it here, queues the Follow and fetches its recent threads.
The running node ('agora serve') carries the job out; --wait carries it out
here and shows its progress. New posts arrive once the hub accepts the
follow; the Follow is sent by the running node, from the queue.
'agora admin joins' lists the jobs and where they stand.
Examples:
  agora admin join https://hub.metropolis.org/f/digitalisation
  agora admin join @digitalisation@hub.metropolis.org --wait`))
	wait := fs.Bool("wait", false, "carry the join out now and show its progress, instead of leaving it to the running node")
	return withApp(ctx, fs, cio, args, []string{"<forum-url-or-@name@host>"}, func(a *app, args []string) error {
		target := strings.TrimSpace(args[0])
		if err := checkForumTarget("admin join", target); err != nil {
			return err
		}
		n, err := a.node(node.Shared{})
		if err != nil {
			return err
		}
		j, err := n.Federation.QueueJoin(ctx, forum.SystemActor(), target)
		if err != nil {
			return fmt.Errorf("join %s: %w", target, err)
		}
		if !*wait {
			fmt.Fprintf(cio.stdout, "Join of %s queued as job %s: the running node carries it out (see 'agora admin joins').\n", target, j.ID)
			return nil
		}
		if j, err = waitJoin(ctx, cio, n.Federation, j); err != nil {
			return fmt.Errorf("join %s: %w", target, err)
		}
		switch {
		case j.State == federation.JoinFailed:
			return fmt.Errorf("join %s: %s", target, j.Error)
		case !j.Ended():
			return fmt.Errorf("join %s: %s (the running node tries again: job %s)", target, j.Error, j.ID)
		}
		fo, err := a.svc.ForumByID(ctx, j.ForumID)
		if err != nil {
			return fmt.Errorf("join %s: %w", target, err)
		}
		text, _ := fo.Text()
		fmt.Fprintf(cio.stdout, "Joined %q (%s) from %s.\n", text.Title, fo.URI, fo.Domain)
		fmt.Fprintf(cio.stdout, "Here: %s\n", a.urls.Forum(fo.Slug))
		if j.State == federation.JoinWaiting {
			fmt.Fprintln(cio.stdout, "The follow request is queued: the running node sends it (see 'agora admin federation status').")
		}
		return nil
	})
}

// waitJoin carries job j out in this process (or, when another process
// has it, watches it), printing each step, until it ends or an attempt
// fails.
func waitJoin(ctx context.Context, cio cmdIO, fed *federation.Federation, j *federation.JoinJob) (*federation.JoinJob, error) {
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		fed.RunJoin(ctx, j.ID) // does nothing if another process has the job
	}()
	defer func() { <-ran }()
	shown := ""
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		cur, err := fed.JoinJob(ctx, j.ID)
		if err != nil {
			return nil, err
		}
		if p := joinProgress(cur); p != shown {
			fmt.Fprintf(cio.stdout, "  %s\n", p)
			shown = p
		}
		if cur.Ended() || (cur.State == federation.JoinQueued && cur.Error != "") {
			return cur, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// joinProgress says where a join job stands, in a few words.
func joinProgress(j *federation.JoinJob) string {
	switch j.State {
	case federation.JoinQueued:
		if j.Error != "" {
			return fmt.Sprintf("queued again after %d failed attempts: %s", j.Attempts, j.Error)
		}
	case federation.JoinBackfilling:
		return fmt.Sprintf("backfilling %d/%d", j.Done, j.Total)
	case federation.JoinWaiting:
		return "waiting for Accept"
	case federation.JoinFailed:
		return "failed: " + j.Error
	}
	return string(j.State)
}

func adminJoins(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin joins", "[flags]", "List the latest join jobs, newest first, with where each stands.")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		jobs, err := a.db.Store().ListJoinJobs(ctx, 50)
		if err != nil {
			return fmt.Errorf("joins: %w", err)
		}
		tw := tabwriter.NewWriter(cio.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB\tTARGET\tSTATE\tASKED")
		for _, j := range jobs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.ID, j.Target, joinProgress(j), j.CreatedAt.UTC().Format(time.DateTime))
		}
		return tw.Flush()
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
subdomains and every port too. What it wrote before the block is kept.
A running node applies the block within a second.`))
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
	fs := newFlagSet("admin unblock", "<domain> [flags]", "Lift the block of a domain (a running node sees it within a second). Deliveries dropped meanwhile are not resent.")
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
