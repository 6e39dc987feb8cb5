package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// envOf turns a map into an Env.
func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func parseTestConfig(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := newFlagSet("serve", "[flags]", "")
	cf := addConfigFlags(fs.FlagSet)
	if _, err := fs.parse(args, io.Discard); err != nil {
		return Config{}, err
	}
	return cf.resolve(fs.FlagSet, envOf(env))
}

func TestConfigPrecedence(t *testing.T) {
	defaults := Config{Listen: "127.0.0.1:8080", DataDir: "./data", DefaultLanguage: "en", TimeZone: "UTC", LogFormat: "text", AllowLoopbackPeers: "false", AuthorizedFetch: "false"}
	allEnv := map[string]string{
		"AGORA_LISTEN": "0.0.0.0:9000", "AGORA_BASE_URL": "https://agora.example.org",
		"AGORA_DATA": "/var/lib/agora", "AGORA_DATABASE_URL": "postgres://agora@db:5432/agora",
		"AGORA_REDIS_URL": "redis://cache:6379/0", "AGORA_DEFAULT_LANGUAGE": "fr", "AGORA_LOG_FORMAT": "json",
		"AGORA_ALLOW_LOOPBACK_PEERS": "true", "AGORA_AUTHORIZED_FETCH": "true", "AGORA_DEFAULT_CITY": "Belo Horizonte",
		"AGORA_TIME_ZONE": "America/Sao_Paulo",
	}
	fromEnv := Config{Listen: "0.0.0.0:9000", BaseURL: "https://agora.example.org", DataDir: "/var/lib/agora",
		DatabaseURL: "postgres://agora@db:5432/agora", RedisURL: "redis://cache:6379/0",
		DefaultLanguage: "fr", DefaultCity: "Belo Horizonte", TimeZone: "America/Sao_Paulo", LogFormat: "json", AllowLoopbackPeers: "true", AuthorizedFetch: "true"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults", nil, nil, defaults},
		{"empty env counts as unset", nil, map[string]string{"AGORA_LISTEN": "", "AGORA_DEFAULT_LANGUAGE": ""}, defaults},
		{"env over defaults", nil, allEnv, fromEnv},
		{"flags over env", []string{
			"--listen", "127.0.0.1:0", "--base-url", "http://localhost:3000", "--data", "d",
			"--database-url", "", "--redis-url", "redis://127.0.0.1:6379/15",
			"--default-language=es", "-log-format", "text", "--allow-loopback-peers", "false", "--authorized-fetch", "false",
			"--default-city", "Nouakchott", "--time-zone", "Africa/Nouakchott",
		}, allEnv, Config{Listen: "127.0.0.1:0", BaseURL: "http://localhost:3000", DataDir: "d",
			RedisURL: "redis://127.0.0.1:6379/15", DefaultLanguage: "es", DefaultCity: "Nouakchott", TimeZone: "Africa/Nouakchott", LogFormat: "text", AllowLoopbackPeers: "false", AuthorizedFetch: "false"}},
		{"some flags, some env", []string{"--default-language", "es"},
			map[string]string{"AGORA_DATA": "/srv/agora", "AGORA_DEFAULT_LANGUAGE": "fr"},
			Config{Listen: "127.0.0.1:8080", DataDir: "/srv/agora", DefaultLanguage: "es", TimeZone: "UTC", LogFormat: "text", AllowLoopbackPeers: "false", AuthorizedFetch: "false"}},
		{"sqlite URL", []string{"--database-url", "sqlite:///tmp/x.db"}, nil,
			Config{Listen: "127.0.0.1:8080", DataDir: "./data", DatabaseURL: "sqlite:///tmp/x.db", DefaultLanguage: "en", TimeZone: "UTC", LogFormat: "text", AllowLoopbackPeers: "false", AuthorizedFetch: "false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTestConfig(t, tt.args, tt.env)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"language flag", []string{"--default-language", "de"}, nil,
			[]string{"--default-language: must be one of en, es, fr, pt, ar"}},
		{"time zone", []string{"--time-zone", "Mars/Olympus"}, nil,
			[]string{"--time-zone", `"Mars/Olympus" is not a time zone such as Europe/Madrid`}},
		{"language env", nil, map[string]string{"AGORA_DEFAULT_LANGUAGE": "de"},
			[]string{"--default-language", "AGORA_DEFAULT_LANGUAGE"}},
		{"listen no port", []string{"--listen", "localhost"}, nil, []string{"--listen", "host:port"}},
		{"listen bad port", []string{"--listen", "127.0.0.1:99999"}, nil, []string{"--listen", "port"}},
		{"listen empty", []string{"--listen", ""}, nil, []string{"--listen"}},
		{"listen env", nil, map[string]string{"AGORA_LISTEN": "nonsense"}, []string{"--listen", "AGORA_LISTEN"}},
		{"base URL with path", []string{"--base-url", "https://example.org/agora"}, nil, []string{"--base-url"}},
		{"base URL scheme", []string{"--base-url", "ftp://example.org"}, nil, []string{"--base-url"}},
		{"base URL env", nil, map[string]string{"AGORA_BASE_URL": "example.org"}, []string{"--base-url", "AGORA_BASE_URL"}},
		{"data empty", []string{"--data", " "}, nil, []string{"--data: must not be empty"}},
		{"database URL", []string{"--database-url", "mysql://root@localhost/agora"}, nil, []string{"--database-url"}},
		{"database URL env", nil, map[string]string{"AGORA_DATABASE_URL": "postgres://"}, []string{"--database-url", "AGORA_DATABASE_URL"}},
		{"redis URL", []string{"--redis-url", "http://cache:6379"}, nil, []string{"--redis-url"}},
		{"redis URL env", nil, map[string]string{"AGORA_REDIS_URL": "redis://cache:6379/notanumber"}, []string{"--redis-url", "AGORA_REDIS_URL"}},
		{"log format", []string{"--log-format", "xml"}, nil, []string{"--log-format: must be one of text, json"}},
		{"loopback peers", []string{"--allow-loopback-peers", "yes"}, nil, []string{"--allow-loopback-peers: must be one of true, false"}},
		{"authorized fetch env", nil, map[string]string{"AGORA_AUTHORIZED_FETCH": "on"}, []string{"--authorized-fetch", "AGORA_AUTHORIZED_FETCH"}},
		{"trusted proxies", []string{"--trusted-proxies", "10.0.0.0/8, proxy.example"}, nil,
			[]string{"--trusted-proxies", `"proxy.example"`}},
		{"smtp URL scheme", []string{"--smtp-url", "http://mail.example", "--mail-from", "a@b.example"}, nil, []string{"--smtp-url", "scheme"}},
		{"smtp URL port", []string{"--smtp-url", "smtp://mail.example:0", "--mail-from", "a@b.example"}, nil, []string{"--smtp-url", "port"}},
		{"smtp URL env", nil, map[string]string{"AGORA_SMTP_URL": "smtp://", "AGORA_MAIL_FROM": "a@b.example"}, []string{"--smtp-url", "AGORA_SMTP_URL", "no host"}},
		{"smtp URL hides its password", []string{"--smtp-url", "smtp://u:s3cret@mail.example:%zz", "--mail-from", "a@b.example"}, nil, []string{"--smtp-url", "not a URL"}},
		{"mail from", []string{"--mail-from", "Agora <agora@b.example>"}, nil, []string{"--mail-from", "not an email address"}},
		{"mail from missing", []string{"--smtp-url", "smtp://mail.example"}, nil, []string{"--mail-from: required with --smtp-url"}},
		{"unknown flag", []string{"--colour", "blue"}, nil, []string{"flag provided but not defined", "agora serve -h"}},
		{"missing value", []string{"--listen"}, nil, []string{"needs an argument", "listen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTestConfig(t, tt.args, tt.env)
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := err.(*usageError); !ok {
				t.Errorf("error %T is not a usage error (exit code 2)", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

func TestRedisURLErrorHidesPassword(t *testing.T) {
	_, err := parseTestConfig(t, []string{"--redis-url", "redis://u:s3cret@cache:6379/x"}, nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v: want an error without the password", err)
	}
}

func TestPublicBaseURL(t *testing.T) {
	tests := []struct {
		base, addr, want string
	}{
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", "0.0.0.0:8080", "http://localhost:8080"},
		{"", "[::]:8080", "http://localhost:8080"},
		{"", ":8080", "http://localhost:8080"},
		{"", "[::1]:8080", "http://[::1]:8080"},
		{"https://agora.example.org", "0.0.0.0:8080", "https://agora.example.org"},
	}
	for _, tt := range tests {
		if got := (Config{BaseURL: tt.base}).PublicBaseURL(tt.addr); got != tt.want {
			t.Errorf("PublicBaseURL(%q) with base %q = %q, want %q", tt.addr, tt.base, got, tt.want)
		}
	}
}

func TestServeHelpDocumentsEverySetting(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"serve", "-h"}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr %s", code, stderr.String())
	}
	help := stdout.String()
	for _, s := range settings() {
		for _, w := range []string{"--" + s.name, s.env} {
			if !strings.Contains(help, w) {
				t.Errorf("help does not mention %s:\n%s", w, help)
			}
		}
	}
	for _, w := range []string{"default 127.0.0.1:8080", "default ./data", "default en", "default text"} {
		if !strings.Contains(help, w) {
			t.Errorf("help does not mention %q", w)
		}
	}
}
