package forum

import "testing"

// TestHelpfulCursor: a helpful-order cursor reads back as written, and
// anything else (a time-order cursor, tampering) is refused as a bad page.
func TestHelpfulCursor(t *testing.T) {
	const a, b = "01m6dsg7e0eezt7vf08gg297xw", "01m6dsg7e0eezt7vf08gg297xx"
	for _, c := range []HelpfulCursor{
		{Answer: true, Plain: true, Helpful: 12, BranchID: a, ID: b},
		{Answer: true, Plain: false, Helpful: 0, BranchID: a, ID: a},
		{BranchID: a, ID: a},
	} {
		got, err := decodeHelpfulCursor(encodeHelpfulCursor(c))
		if err != nil || got != c {
			t.Errorf("%+v: read back %+v, %v", c, got, err)
		}
	}
	for _, bad := range []string{a + "." + b, "h.11.-1." + a + "." + b, "h.12.1." + a + "." + b, "h.1.1." + a + "." + b,
		"h.11.x." + a + "." + b, "h.11.1." + a, "h.11.1.x." + b, "h.11.99999999999999999999." + a + "." + b} {
		if _, err := decodeHelpfulCursor(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
