package password

import "testing"

func TestHashVerify(t *testing.T) {
	for _, h := range []*Argon2id{New(), NewFast()} {
		hash, err := h.Hash("correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			pw   string
			want bool
		}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}}
		for _, tt := range tests {
			got, err := h.Verify(tt.pw, hash)
			if err != nil || got != tt.want {
				t.Errorf("Verify(%q) = %v, %v; want %v", tt.pw, got, err, tt.want)
			}
		}
	}
	if _, err := New().Verify("x", "not a hash"); err == nil {
		t.Error("Verify accepted a malformed hash")
	}
}
