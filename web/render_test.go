package web

import (
	"testing"

	"github.com/metropolis/agora/forum"
)

func TestAuthorURL(t *testing.T) {
	tests := []struct {
		m    *forum.Member
		want string
	}{
		{&forum.Member{Username: "marta"}, "/u/marta"},
		{&forum.Member{Username: "marta", Domain: "bcn.example", URI: "https://bcn.example/u/marta", ProfileURL: "https://bcn.example/@marta"}, "https://bcn.example/@marta"},
		{&forum.Member{Username: "marta", Domain: "bcn.example", URI: "https://bcn.example/u/marta"}, "https://bcn.example/u/marta"},
	}
	for _, tt := range tests {
		if got := authorURL(tt.m); got != tt.want {
			t.Errorf("authorURL(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}
