package uris_test

import (
	"testing"

	"github.com/metropolis/agora/uris"
)

// TestInstanceUsername: the instance actor's username is its host without
// the port, in characters every server's username pattern accepts; both
// that name and the host itself name the instance actor.
func TestInstanceUsername(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://hub.example", "hub.example"},
		{"http://127.0.0.1:7100", "127.0.0.1"},
		{"http://[::1]:8080", "--1"},
		{"https://city.example:8443", "city.example"},
	}
	for _, tt := range tests {
		b, err := uris.New(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.InstanceUsername(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.base, got, tt.want)
		}
		if !b.IsInstanceName(tt.want) || !b.IsInstanceName(b.Host()) || b.IsInstanceName("ana") {
			t.Errorf("%s: IsInstanceName wrong", tt.base)
		}
	}
}
