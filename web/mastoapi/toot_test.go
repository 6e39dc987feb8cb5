package mastoapi_test

import (
	"bufio"
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
)

// TestToot runs a session of Debian's toot (the command-line Mastodon
// client) when AGORA_TEST_TOOT is set: log in with the out-of-band code
// read from agora's page, then whoami, the home timeline and a reply.
// Set, it fails if toot is missing.
func TestToot(t *testing.T) {
	if os.Getenv("AGORA_TEST_TOOT") == "" {
		t.Skip("AGORA_TEST_TOOT unset: toot not run")
	}
	bin, err := exec.LookPath("toot")
	if err != nil {
		t.Fatalf("AGORA_TEST_TOOT is set but toot is missing: %v", err)
	}
	s := newSite(t)
	ctx := t.Context()
	th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, forum.Question{Title: "Which neighbourhoods still lack broadband?",
		Body: "Mapping the gaps.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	run, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	toot := func(stdin io.Reader, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(run, bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/.config", "BROWSER=true", "NO_COLOR=1")
		cmd.Stdin = stdin
		return cmd
	}
	host := strings.TrimPrefix(s.base, "http://")

	// Log in: toot prints the authorize URL and waits for the code.
	inR, inW := io.Pipe()
	login := toot(inR, "login", "--disable-https", "-i", host)
	out, err := login.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	login.Stderr = login.Stdout
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	authorize := regexp.MustCompile(`http://\S+/oauth/authorize/?\?\S+`)
	var transcript strings.Builder
	sc := bufio.NewScanner(out)
	sc.Split(bufio.ScanRunes)
	line := ""
	var code string
	for sc.Scan() {
		ch := sc.Text()
		transcript.WriteString(ch)
		line += ch
		if m := authorize.FindString(line); m != "" && code == "" && strings.HasSuffix(line, "\n") {
			u, err := url.Parse(m)
			if err != nil {
				t.Fatal(err)
			}
			a := app{ClientID: u.Query().Get("client_id"), redirect: u.Query().Get("redirect_uri")}
			code = s.consentURL(u.RequestURI(), a, "marta")
		}
		if strings.HasSuffix(line, "[Y/n] ") || strings.HasSuffix(line, "[Y/n]") {
			if _, err := io.WriteString(inW, "n\n"); err != nil {
				t.Fatal(err)
			}
			line = ""
		}
		if strings.HasSuffix(line, "\n") {
			line = ""
		}
		if code != "" && strings.Contains(strings.ToLower(line), "code") && strings.HasSuffix(strings.TrimSpace(line), ":") {
			if _, err := io.WriteString(inW, code+"\n"); err != nil {
				t.Fatal(err)
			}
			code = "sent"
		}
	}
	inW.Close()
	if err := login.Wait(); err != nil {
		t.Fatalf("toot login: %v\n%s", err, transcript.String())
	}
	t.Logf("toot login:\n%s", transcript.String())

	whoami, err := toot(nil, "whoami").CombinedOutput()
	if err != nil || !strings.Contains(string(whoami), "@marta") {
		t.Fatalf("toot whoami: %v\n%s", err, whoami)
	}
	if out, err := toot(nil, "follow", "digitalisation").CombinedOutput(); err != nil {
		t.Fatalf("toot follow: %v\n%s", err, out)
	}
	tl, err := toot(nil, "timeline", "--once").CombinedOutput()
	if err != nil || !strings.Contains(string(tl), "Which neighbourhoods still lack broadband?") {
		t.Fatalf("toot timeline: %v\n%s", err, tl)
	}
	if out, err := toot(nil, "post", "--reply-to", th.ID, "--language", "en", "Toot says: the outskirts.").CombinedOutput(); err != nil {
		t.Fatalf("toot post: %v\n%s", err, out)
	}
	v, err := s.node.Service.ReadThread(ctx, nil, th.ID, "")
	if err != nil || len(v.Posts.Items) != 2 || !strings.Contains(v.Posts.Items[1].Source, "Toot says") {
		t.Fatalf("the reply from toot is not an answer: %v", err)
	}
}
