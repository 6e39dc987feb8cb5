package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/metropolis/agora/mailin"
	"github.com/metropolis/agora/node"
)

// exitError ends the program with a code of its own: a mail pipe reads
// sysexits codes (65 refused for good, 75 try again later).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Exit codes of sysexits.h that MTAs understand.
const (
	exDataErr  = 65 // the message is refused: bounce it
	exTempFail = 75 // our failure: keep it and try again later
)

func mailCommand(ctx context.Context, cio cmdIO, args []string) error {
	if len(args) == 0 || args[0] != "receive" {
		return &usageError{msg: "mail: the command is `agora mail receive`", help: "Usage: agora mail receive [--recipient ADDRESS] [flags] < message\n"}
	}
	fs := newFlagSet("mail receive", "[--recipient ADDRESS] [flags] < message", strings.TrimSpace(`
Read one email (RFC 5322) on standard input and post it as the member's
answer, if it replies to one of the node's mails: for an MTA's pipe, e.g.
Postfix's pipe(8) with argv=agora mail receive --recipient ${original_recipient}.
Exits 0 when posted, 65 when refused (the reason on stderr, for the
bounce), 75 when the node could not store it (try again later).`))
	recipient := fs.String("recipient", "", "the envelope recipient (default: the message's To, Cc and Delivered-To)")
	err := withApp(ctx, fs, cio, args[1:], nil, func(a *app, _ []string) error {
		rc := &mailin.Receiver{Store: a.db.Store(), Forum: a.svc, Logger: a.log, DefaultLanguage: a.cfg.DefaultLanguage}
		var rcpts []string
		if *recipient != "" {
			rcpts = []string{*recipient}
		}
		raw, err := mailin.ReadLimited(cio.stdin)
		if err == nil {
			post, rerr := rc.Receive(ctx, rcpts, raw)
			if rerr == nil {
				fmt.Fprintf(cio.stdout, "Posted %s\n", a.urls.Post(post.ID))
				return nil
			}
			err = rerr
		}
		var ref *mailin.Refusal
		if errors.As(err, &ref) {
			return &exitError{code: exDataErr, msg: "reply not posted: " + ref.Reason}
		}
		return &exitError{code: exTempFail, msg: fmt.Sprintf("reply not posted, try again later: %v", err)}
	})
	var ee *exitError
	if err == nil || errors.Is(err, flag.ErrHelp) || errors.As(err, &ee) {
		return err
	}
	// A setting or the database is wrong: the MTA keeps the message until
	// the operator mends it, rather than bounce every reply.
	return &exitError{code: exTempFail, msg: fmt.Sprintf("reply not posted, try again later: %v", err)}
}

// serveSMTP runs the built-in receiver of replies by email until stopped;
// it returns the address it listens on.
func serveSMTP(addr, domain string, n *node.Node, log *slog.Logger) (string, func(), error) {
	l, err := mailin.Listen(addr, domain, n.MailIn)
	if err != nil {
		return "", nil, fmt.Errorf("--smtp-listen: %w", err)
	}
	go func() {
		if err := l.Serve(); err != nil {
			log.Error("smtp receiver", "err", err)
		}
	}()
	return l.Addr(), func() {
		if err := l.Close(); err != nil {
			log.Warn("closing the smtp receiver", "err", err)
		}
	}, nil
}
