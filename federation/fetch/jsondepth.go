package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// CheckJSONDepth reports whether b holds exactly one JSON value nested at
// most max arrays/objects deep (a scalar has depth 0, {} and [] depth 1,
// {"a":[1]} depth 2). It streams tokens (json.Decoder.Token) and stops at
// the first level beyond max, so a hostile document costs at most max
// levels of bookkeeping: ErrTooDeep. A syntax error, an empty input or data
// after the value gives ErrMalformedJSON. A negative max counts as 0. The
// inbox uses it before decoding.
func CheckJSONDepth(b []byte, max int) error {
	max = maxInt(max, 0)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // 1e700 is valid JSON; do not convert to float64
	depth, seen := 0, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !seen || depth != 0 {
				return fmt.Errorf("%w: unexpected end of input", ErrMalformedJSON)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformedJSON, err)
		}
		if seen && depth == 0 {
			return fmt.Errorf("%w: data after the top-level value", ErrMalformedJSON)
		}
		seen = true
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
				if depth > max {
					return fmt.Errorf("%w (more than %d levels)", ErrTooDeep, max)
				}
			case '}', ']':
				depth--
			}
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
