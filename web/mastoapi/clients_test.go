package mastoapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// TestRealClients drives a node with the npm packages masto and megalodon
// (testdata/clients, installed by .ci/run) when AGORA_TEST_MASTO_CLIENTS
// is set. Set, it fails if node or the packages are missing: a CI that
// meant to run it must not pass without it.
func TestRealClients(t *testing.T) {
	if os.Getenv("AGORA_TEST_MASTO_CLIENTS") == "" {
		t.Skip("AGORA_TEST_MASTO_CLIENTS unset: real Mastodon clients not run")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("AGORA_TEST_MASTO_CLIENTS is set but node is missing: %v", err)
	}
	dir, err := filepath.Abs("testdata/clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"masto", "megalodon"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("AGORA_TEST_MASTO_CLIENTS is set but npm package %s is missing (npm ci in %s): %v", pkg, dir, err)
		}
	}
	for _, client := range []string{"masto", "megalodon"} {
		t.Run(client, func(t *testing.T) {
			s := newSite(t)
			ctx := t.Context()
			th, err := s.node.Service.Ask(ctx, s.joao, s.forum.ID, forum.Question{Title: "Has Covid-19 been a turning point for internet access?",
				Body: "In Belo Horizonte it was.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			ans, err := s.node.Service.Reply(ctx, s.joao, th.ID, "", forum.Answer{Body: "Public wifi in every square.", Language: "pt"})
			if err != nil {
				t.Fatal(err)
			}
			other := s.login("joao", "read write")
			run, cancel := context.WithTimeout(ctx, 90*time.Second)
			defer cancel()
			cmd := exec.CommandContext(run, nodeBin, "clients.mjs")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CLIENT="+client, "AGORA_BASE="+s.base, "AGORA_USER=marta",
				"AGORA_PASSWORD="+testrig.Password, "AGORA_FORUM="+s.forum.Slug, "AGORA_THREAD="+th.ID,
				"AGORA_ANSWER="+ans.ID, "AGORA_OTHER_TOKEN="+other)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			steps := map[string]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				var st struct{ Step, Detail string }
				if json.Unmarshal(sc.Bytes(), &st) == nil {
					steps[st.Step] = st.Detail
					t.Logf("%s: %s %s", client, st.Step, st.Detail)
				}
			}
			if err != nil {
				t.Fatalf("%s failed: %v\n%s\n%s", client, err, stderr.String(), out)
			}
			for _, want := range []string{"app", "verify_credentials", "follow", "home", "reply", "favourite", "media", "notifications", "streaming", "done"} {
				if _, ok := steps[want]; !ok {
					t.Errorf("step %s missing", want)
				}
			}
			// What the app did is the forum's: the answer is in the thread,
			// the helpful mark counted.
			v, err := s.node.Service.ReadThread(ctx, nil, th.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range v.Posts.Items {
				if p.AuthorID == s.marta.ID && strings.Contains(p.Source, client+" answers") {
					found = true
				}
			}
			if !found {
				t.Error("the app's reply is not an answer of the thread")
			}
			if p, _ := s.node.Service.Post(ctx, ans.ID); p.HelpfulCount != 1 {
				t.Errorf("helpful count %d, want 1", p.HelpfulCount)
			}
		})
	}
}
