package fetch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckJSONDepth(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want error
	}{
		{`1`, 0, nil},
		{`"x"`, 0, nil},
		{`1E700`, 0, nil}, // valid JSON, beyond float64 (fuzz finding)
		{`0`, -12, nil},   // a negative max counts as 0 (fuzz finding)
		{`{}`, 0, ErrTooDeep},
		{`{}`, 1, nil},
		{`{"a":[1,{"b":null}]}`, 3, nil},
		{`{"a":[1,{"b":null}]}`, 2, ErrTooDeep},
		{`{"a":"[[[[[[["}`, 1, nil},
		{`{"a":"\"[[["}`, 1, nil},
		{strings.Repeat("[", 32) + strings.Repeat("]", 32), 32, nil},
		{strings.Repeat("[", 33) + strings.Repeat("]", 33), 32, ErrTooDeep},
		{strings.Repeat("[", 1000000), 32, ErrTooDeep},
		{``, 32, ErrMalformedJSON},
		{`   `, 32, ErrMalformedJSON},
		{`{`, 32, ErrMalformedJSON},
		{`{"a":1`, 32, ErrMalformedJSON},
		{`{"a" 1}`, 32, ErrMalformedJSON},
		{`[1 2]`, 32, ErrMalformedJSON},
		{`{} {}`, 32, ErrMalformedJSON},
		{`1 2`, 32, ErrMalformedJSON},
		{`}`, 32, ErrMalformedJSON},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			err := CheckJSONDepth([]byte(tt.in), tt.max)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckJSONDepth(%.40q, %d) = %v, want %v", tt.in, tt.max, err, tt.want)
			}
		})
	}
}

// refDepth is the reference depth counter: brackets outside strings.
// It is only meaningful on valid JSON.
func refDepth(b []byte) int {
	depth, max, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			max = maxInt(max, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return max
}

func FuzzCheckJSONDepth(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `1`, `"a"`, `{"a":[1,{"b":"]["}]}`, `[[[[[[]]]]]]`, `{"a":"\\\"{"}`,
		`{"id":"https://example.org/x","type":"Note","tag":[{"type":"Mention"}]}`, `[`, `{"a" 1}`, `{} {}`,
	} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		max %= 64
		err := CheckJSONDepth(b, max) // must never panic
		if err != nil && !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrMalformedJSON) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if !json.Valid(b) {
			return
		}
		want := refDepth(b)
		max = maxInt(max, 0) // documented: a negative max counts as 0
		if tooDeep := errors.Is(err, ErrTooDeep); tooDeep != (want > max) || (!tooDeep && err != nil) {
			t.Fatalf("CheckJSONDepth(%q, %d) = %v; reference depth %d", b, max, err, want)
		}
	})
}
