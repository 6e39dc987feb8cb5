package mailin

import (
	"strings"
	"testing"
)

// FuzzParse: whatever arrives by mail, reading it and cutting its quotes
// never panics, and the text kept is no longer than the text read.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"From: a@b.example\r\nTo: agora+abcdefghijklmnopqrstuvwx@c.example\r\n\r\nHello\r\n\r\nOn Mon, X wrote:\r\n> hi\r\n",
		"From: a@b.example\r\nContent-Type: text/html\r\n\r\n<div>Hi</div><div class=gmail_quote><blockquote>x</blockquote></div>",
		"From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nS=ED\r\n--b--\r\n",
		"From: a@b.example\r\nContent-Type: text/html\r\n\r\n<div id=divRplyFwdMsg><table><tr><td>x",
		"From: \r\n\r\n",
		"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := Parse(raw)
		if err != nil {
			return
		}
		if out := Strip(in.Text); len(out) > len(strings.ReplaceAll(in.Text, "\r\n", "\n")) {
			t.Fatalf("Strip grew the text: %q → %q", in.Text, out)
		}
		_ = TokenOf(in.From)
		_ = Language(in.Text, []string{"en", "es", "ar"})
	})
}
