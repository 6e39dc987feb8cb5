package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestAdminCommands runs the admin commands in order against one SQLite
// node in a temporary data directory, as an operator would.
func TestAdminCommands(t *testing.T) {
	data := t.TempDir()
	steps := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings of stdout
		stderr string   // substring of stderr
	}{
		{"migrate", []string{"migrate"}, 0, []string{"up to date"}, ""},
		{"migrate again", []string{"migrate"}, 0, []string{"up to date"}, ""},
		{"create forum", []string{"admin", "create-forum", "digitalisation",
			"--title", "Learning forum on digitalisation", "--description", "Internet access after Covid-19",
			"--title-es", "Foro de aprendizaje sobre digitalización", "--title-fr", "Forum sur la numérisation",
			"--position", "2"}, 0,
			[]string{`Created forum "digitalisation" in en, es, fr`, "http://127.0.0.1:8080/f/digitalisation"}, ""},
		{"create Spanish forum, flags after the slug", []string{"admin", "create-forum", "movilidad",
			"--language", "es", "--title", "Movilidad urbana", "--position", "1",
			"--base-url", "https://agora.example.org"}, 0,
			[]string{"https://agora.example.org/f/movilidad"}, ""},
		{"list forums", []string{"admin", "list-forums"}, 0,
			[]string{"SLUG", "digitalisation", "Learning forum on digitalisation", "en,es,fr", "movilidad", "Movilidad urbana"}, ""},
		{"invalid slug", []string{"admin", "create-forum", "Bad Slug!", "--title", "x"}, 2, nil, "agora: create forum: slug: use 2 to 40"},
		{"slug taken", []string{"admin", "create-forum", "digitalisation", "--title", "Again"}, 2, nil, "slug: is taken"},
		{"forum without title", []string{"admin", "create-forum", "empty"}, 2, nil, "--title is required"},
		{"forum language repeated", []string{"admin", "create-forum", "twice", "--title", "A", "--title-en", "B"}, 2, nil, "--title-en"},
		{"forum bad position", []string{"admin", "create-forum", "far", "--title", "Far", "--position", "-1"}, 2, nil, "position:"},
		{"create user", []string{"admin", "create-user", "ana", "--name", "Ana Pérez", "--role", "moderator",
			"--title", "Innovation Coordinator", "--organisation", "Barcelona Metropolitan Area", "--languages", "es, en"}, 0,
			[]string{`Created moderator "ana"`, "http://127.0.0.1:8080/login/token/"}, ""},
		{"user without name", []string{"admin", "create-user", "bob"}, 2, nil, "--name is required"},
		{"user with bad role", []string{"admin", "create-user", "bob", "--name", "Bob", "--role", "boss"}, 2, nil, "role: must be"},
		{"user with bad username", []string{"admin", "create-user", "Bob Smith!", "--name", "Bob"}, 2, nil, "username:"},
		{"user taken by a forum", []string{"admin", "create-user", "movilidad", "--name", "M"}, 2, nil, "username: is taken"},
		{"user without username", []string{"admin", "create-user", "--name", "Nobody"}, 2, nil, "want <username>"},
		{"list members", []string{"admin", "list-members"}, 0,
			[]string{"USERNAME", "ana", "moderator", "Ana Pérez", "Innovation Coordinator", "es,en"}, ""},
		{"invite", []string{"admin", "invite", "--role", "member", "--note", "for Nouakchott"}, 0,
			[]string{"Invitation for a member", "http://127.0.0.1:8080/invite/"}, ""},
		{"invite bad role", []string{"admin", "invite", "--role", "king"}, 2, nil, "role:"},
		{"reset password", []string{"admin", "reset-password", "ana"}, 0,
			[]string{`Password reset for "ana"`, "/login/token/"}, ""},
		{"reset password of nobody", []string{"admin", "reset-password", "nobody"}, 1, nil, `reset password of "nobody"`},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(s.args, "--data", data)
			code := run(t.Context(), args, envOf(nil), &stdout, &stderr)
			if code != s.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, s.code, stdout.String(), stderr.String())
			}
			for _, w := range s.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout does not contain %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), s.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", s.stderr, stderr.String())
			}
			if s.code == 2 && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("a usage or validation error is not one line:\n%s", stderr.String())
			}
		})
	}
}

func TestAdminListsInOrder(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"admin", "create-forum", "second", "--title", "Second", "--position", "2"},
		{"admin", "create-forum", "first", "--title", "First", "--position", "1"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), append(args, "--data", data), envOf(nil), &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit code %d, stderr %s", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"admin", "list-forums", "--data", data}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr %s", code, stderr.String())
	}
	out := stdout.String()
	if i, j := strings.Index(out, "first"), strings.Index(out, "second"); i < 0 || j < 0 || i > j {
		t.Errorf("forums not listed by position:\n%s", out)
	}
}
