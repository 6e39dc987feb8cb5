package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/metropolis/agora/forum"
)

func adminCommands() []command {
	return []command{
		{"create-user", "<username> --name NAME [--role ROLE]", "create an account; prints its set-password link", adminCreateUser},
		{"invite", "[--role ROLE] [--note TEXT]", "create an invitation; prints its link", adminInvite},
		{"reset-password", "<username>", "print a one-time link to set a new password", adminResetPassword},
		{"list-members", "", "list this node's members", adminListMembers},
		{"create-forum", "<slug> --title TITLE [flags]", "create a forum", adminCreateForum},
		{"list-forums", "", "list the forums in their order", adminListForums},
		{"federation", "status | followers <forum-slug>", "the delivery queue, inbox and remote hosts", adminFederation},
		{"join", "<forum-url-or-@name@host> [--wait]", "join a forum of another node (a hub): a job", adminJoin},
		{"joins", "", "the join jobs and where they stand", adminJoins},
		{"leave", "<forum-url-or-@name@host>", "stop following a joined forum", adminLeave},
		{"block", "<domain> [--reason TEXT]", "block an instance; drop what is queued for it", adminBlock},
		{"unblock", "<domain>", "lift an instance's block", adminUnblock},
		{"reindex", "", "rebuild the search index from the posts", adminReindex},
	}
}

// admin runs `agora admin <command>`.
func admin(ctx context.Context, cio cmdIO, args []string) error {
	if len(args) == 0 {
		var usage strings.Builder
		printAdminUsage(&usage)
		return &usageError{msg: "admin: missing command", help: usage.String()}
	}
	if isHelp(args[0]) || args[0] == "help" {
		printAdminUsage(cio.stdout)
		return nil
	}
	for _, c := range adminCommands() {
		if c.name == args[0] {
			return c.run(ctx, cio, args[1:])
		}
	}
	var usage strings.Builder
	printAdminUsage(&usage)
	return &usageError{msg: fmt.Sprintf("admin: unknown command %q", args[0]), help: usage.String()}
}

func printAdminUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: agora admin <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range adminCommands() {
		fmt.Fprintf(w, "  %-15s %-38s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes the database flags of 'agora serve' (--data, --database-url,")
	fmt.Fprintln(w, "--base-url for the links it prints). Run 'agora admin <command> -h' for details.")
}

// withApp configures the command, opens the node and runs fn on it with
// the positional arguments, which must be exactly want.
func withApp(ctx context.Context, fs *flagSet, cio cmdIO, args []string, want []string, fn func(a *app, args []string) error) error {
	fs.quiet = true
	cfg, log, positional, err := configure(fs, cio, args)
	if err != nil {
		return err
	}
	if err := exactArgs(fs, positional, want...); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	return fn(a, positional)
}

func adminCreateUser(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin create-user", "<username> --name NAME [flags]", strings.TrimSpace(`
Create an account and print a one-time link with which its owner sets a
password (no password is ever passed on the command line).`))
	role := fs.String("role", "member", "member, moderator or admin")
	name := fs.String("name", "", "display name (required)")
	title := fs.String("title", "", `job title, e.g. "Innovation Coordinator"`)
	org := fs.String("organisation", "", "organisation or city")
	langs := fs.String("languages", "", "languages the member writes in, comma-separated, e.g. en,es")
	fs.check = func() error { return required(fs, "name", *name) }
	return withApp(ctx, fs, cio, args, []string{"<username>"}, func(a *app, args []string) error {
		acct := forum.NewAccount{Username: args[0], Profile: forum.Profile{
			DisplayName: *name, Title: *title, Organisation: *org, Languages: splitList(*langs),
		}}
		m, err := a.svc.CreateMember(ctx, forum.SystemActor(), acct, forum.Role(*role))
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		_, token, err := a.svc.PasswordResetToken(ctx, forum.SystemActor(), m.Username)
		if err != nil {
			return fmt.Errorf("create set-password link for %q: %w", m.Username, err)
		}
		fmt.Fprintf(cio.stdout, "Created %s %q (%s).\n", m.Role, m.Username, m.DisplayName)
		printOneTimeLink(cio.stdout, "set a password", a.urls.LoginToken(token))
		return nil
	})
}

func adminInvite(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin invite", "[--role ROLE] [--note TEXT]", strings.TrimSpace(`
Create a single-use invitation and print its link. Whoever opens it chooses
a username and password and fills in their profile.`))
	role := fs.String("role", "member", "role of the account it creates: member, moderator or admin")
	note := fs.String("note", "", "who the invitation is for (shown to admins only)")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		inv, token, err := a.svc.Invite(ctx, forum.SystemActor(), forum.Role(*role), *note)
		if err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		fmt.Fprintf(cio.stdout, "Invitation for a %s, single use, expires %s:\n",
			inv.Role, inv.ExpiresAt.Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(cio.stdout, "    %s\n", a.urls.Invitation(token))
		return nil
	})
}

func adminResetPassword(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin reset-password", "<username> [flags]", strings.TrimSpace(`
Print a one-time link with which the member signs in and sets a new
password. Their current password keeps working until then.`))
	return withApp(ctx, fs, cio, args, []string{"<username>"}, func(a *app, args []string) error {
		m, token, err := a.svc.PasswordResetToken(ctx, forum.SystemActor(), args[0])
		if err != nil {
			return fmt.Errorf("reset password of %q: %w", args[0], err)
		}
		fmt.Fprintf(cio.stdout, "Password reset for %q (%s).\n", m.Username, m.DisplayName)
		printOneTimeLink(cio.stdout, "set a new password", a.urls.LoginToken(token))
		return nil
	})
}

func adminListMembers(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin list-members", "[flags]", "List this node's members by username.")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		tw := tabwriter.NewWriter(cio.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tNAME\tTITLE\tORGANISATION\tLANGUAGES\tPASSWORD SET")
		cursor := ""
		for {
			page, err := a.svc.ListMembers(ctx, cursor)
			if err != nil {
				return fmt.Errorf("list members: %w", err)
			}
			for _, m := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Username, m.Role, m.DisplayName,
					m.Title, m.Organisation, strings.Join(m.Languages, ","), yesNo(m.PasswordHash != ""))
			}
			if cursor = page.Next; cursor == "" {
				return tw.Flush()
			}
		}
	})
}

func printOneTimeLink(w io.Writer, purpose, link string) {
	fmt.Fprintf(w, "One-time link to sign in and %s (valid %s):\n    %s\n",
		purpose, lifetime(forum.DefaultLifetimes().LoginToken), link)
}

// lifetime says how long a link lasts, in words.
func lifetime(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
