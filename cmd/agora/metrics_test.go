package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var metricsLine = regexp.MustCompile(`msg=metrics addr=(\S+)`)

func TestServeMetricsListen(t *testing.T) {
	tests := []struct {
		name          string
		args          []string
		onMain, alone bool
	}{
		{"on the main listener by default", nil, true, false},
		{"on a listener of its own", []string{"--metrics-listen", "127.0.0.1:0"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			n := startNode(t, args, nil)
			defer n.stop()
			want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}
			if got := getStatus(t, "http://"+n.addr+"/metrics"); got != want[tt.onMain] {
				t.Errorf("GET /metrics on --listen = %d, want %d", got, want[tt.onMain])
			}
			m := metricsLine.FindStringSubmatch(n.stderr.String())
			if tt.alone != (m != nil) {
				t.Fatalf("metrics listener logged: %v, want %v\n%s", m != nil, tt.alone, n.stderr)
			}
			if m != nil {
				if got := getStatus(t, "http://"+m[1]+"/metrics"); got != http.StatusOK {
					t.Errorf("GET /metrics on --metrics-listen = %d, want 200", got)
				}
				if got := getStatus(t, "http://"+m[1]+"/"); got != http.StatusNotFound {
					t.Errorf("the metrics listener serves pages too (GET / = %d)", got)
				}
			}
			if strings.Contains(n.stderr.String(), "level=ERROR") {
				t.Errorf("errors logged:\n%s", n.stderr)
			}
		})
	}
}
