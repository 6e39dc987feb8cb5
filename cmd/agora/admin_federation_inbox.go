package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/metropolis/agora/federation"
)

func adminFederationInbox(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin federation inbox", "[--limit N] [--reason CODE] [--host HOST] [flags]", fmt.Sprintf(strings.TrimSpace(`
List the activities this node accepted (202) and then refused when it
applied them, newest first: when, the sending host, the activity type, a
reason code and the error. Then how many refusals are kept, by reason.
The node keeps the newest %d; older ones are dropped.
Reason codes: %s.`), federation.DefaultKeepRefusals, strings.Join(federation.RefusalReasons, ", ")))
	limit := fs.Int("limit", 50, "list at most this many (0: all kept)")
	reason := fs.String("reason", "", "only this reason code")
	host := fs.String("host", "", "only activities sent from this host (host or host:port)")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		q := federation.RefusalQuery{Reason: strings.TrimSpace(*reason), Host: strings.ToLower(strings.TrimSpace(*host)), Limit: *limit}
		if q.Reason != "" && !slices.Contains(federation.RefusalReasons, q.Reason) {
			return usageErrorf("admin federation inbox: unknown reason %q (want one of %s)", q.Reason,
				strings.Join(federation.RefusalReasons, ", "))
		}
		if q.Limit < 0 {
			return usageErrorf("admin federation inbox: --limit must be 0 or more")
		}
		st := a.db.Store()
		refusals, err := st.ListRefusals(ctx, q)
		if err != nil {
			return fmt.Errorf("federation inbox: %w", err)
		}
		counts, err := st.CountRefusals(ctx, q)
		if err != nil {
			return fmt.Errorf("federation inbox: %w", err)
		}
		printRefusals(cio.stdout, refusals, counts)
		return nil
	})
}

// printRefusals writes the refusals as aligned text, then the counts by
// reason in the order of federation.RefusalReasons.
func printRefusals(w io.Writer, refusals []*federation.Refusal, counts map[string]int) {
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(w, "Refused activities (%d of %d kept)\n", len(refusals), total)
	if len(refusals) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  TIME (UTC)\tHOST\tTYPE\tREASON\tDETAIL")
		for _, r := range refusals {
			typ := r.Type
			if typ == "" {
				typ = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.RefusedAt.UTC().Format(time.DateTime), r.Host, typ, r.Reason, r.Detail)
		}
		_ = tw.Flush()
	}
	fmt.Fprintln(w, "\nBy reason")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, reason := range federation.RefusalReasons {
		if n := counts[reason]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\n", reason, n)
		}
	}
	// Codes from a newer version of the program, if any, are counted too.
	var others []string
	for reason := range counts {
		if !slices.Contains(federation.RefusalReasons, reason) {
			others = append(others, reason)
		}
	}
	slices.Sort(others)
	for _, reason := range others {
		fmt.Fprintf(tw, "  %s\t%d\n", reason, counts[reason])
	}
	fmt.Fprintf(tw, "  total\t%d\n", total)
	_ = tw.Flush()
}
