package uris

import "testing"

func TestNew(t *testing.T) {
	tests := []struct {
		in, base, host string
		ok             bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"https://hub.example/", "https://hub.example", "hub.example", true},
		{"https://hub.example/forum", "", "", false},
		{"ftp://hub.example", "", "", false},
		{"hub.example", "", "", false},
		{"https://u:p@hub.example", "", "", false},
		{"https://hub.example?x=1", "", "", false},
	}
	for _, tt := range tests {
		b, err := New(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (b.Base() != tt.base || b.Host() != tt.host) {
			t.Errorf("New(%q) = %q %q, want %q %q", tt.in, b.Base(), b.Host(), tt.base, tt.host)
		}
	}
}

func TestURLs(t *testing.T) {
	b, err := New("https://hub.example")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ got, want string }{
		{b.Forum("digitalisation"), "https://hub.example/f/digitalisation"},
		{b.Thread("01hq0000000000000000000000"), "https://hub.example/t/01hq0000000000000000000000"},
		{b.Post("01hq0000000000000000000001"), "https://hub.example/p/01hq0000000000000000000001"},
		{b.Member("ana"), "https://hub.example/u/ana"},
		{b.Invitation("a-b_c"), "https://hub.example/invite/a-b_c"},
		{b.LoginToken("tok"), "https://hub.example/login/token/tok"},
		{AskPath("digitalisation"), "/f/digitalisation/ask"},
		{PostAnchor("t1", "p1"), "/t/t1#p-p1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if !b.Secure() {
		t.Error("https base not Secure")
	}
}
