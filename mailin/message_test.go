package mailin

import (
	"strings"
	"testing"
)

func msg(headers, body string) []byte {
	return []byte(strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

func TestParse(t *testing.T) {
	cases := []struct {
		name       string
		raw        []byte
		from, text string
		automatic  bool
	}{
		{"plain latin-1",
			msg("From: Marta <Marta@Barcelona.test>\nTo: agora+tok@city.test\nSubject: Re: x\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n",
				"S=ED, con fondos europeos.\n"),
			"marta@barcelona.test", "Sí, con fondos europeos.", false},
		{"gmail html only",
			msg("From: marta@barcelona.test\nTo: agora+tok@city.test\nContent-Type: text/html; charset=utf-8\n",
				`<div dir="ltr">We used <b>EU funds</b>, see <a href="https://example.org/plan">the plan</a>.</div><br><div class="gmail_quote"><div class="gmail_attr">On Tue, Agora wrote:</div><blockquote class="gmail_quote">Priya mentioned you</blockquote></div>`),
			"marta@barcelona.test", "We used **EU funds**, see [the plan](https://example.org/plan).", false},
		{"outlook html",
			msg("From: marta@barcelona.test\nTo: agora+tok@city.test\nContent-Type: text/html; charset=utf-8\n",
				`<html><body><div><p>Agreed with Priya.</p><p>Marta</p></div><hr><div id="divRplyFwdMsg"><b>From:</b> Agora</div><div>Priya mentioned you</div></body></html>`),
			"marta@barcelona.test", "Agreed with Priya.\n\nMarta", false},
		{"apple cite",
			msg("From: marta@barcelona.test\nContent-Type: text/html\n",
				`<div>Yes.</div><blockquote type="cite">Priya mentioned you</blockquote>`),
			"marta@barcelona.test", "Yes.", false},
		{"multipart prefers text",
			msg("From: marta@barcelona.test\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n",
				"--b\nContent-Type: text/plain; charset=utf-8\n\nPlain words.\n--b\nContent-Type: text/html; charset=utf-8\n\n<p>HTML words.</p>\n--b--\n"),
			"marta@barcelona.test", "Plain words.", false},
		{"attachment only",
			msg("From: marta@barcelona.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n",
				"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=plan.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n"),
			"marta@barcelona.test", "", false},
		{"out of office",
			msg("From: marta@barcelona.test\nAuto-Submitted: auto-replied\nContent-Type: text/plain\n", "I am away until Monday.\n"),
			"marta@barcelona.test", "I am away until Monday.", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := Parse(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.From != c.from || in.Automatic != c.automatic {
				t.Errorf("from %q automatic %v", in.From, in.Automatic)
			}
			if got := Strip(in.Text); got != c.text {
				t.Errorf("text\n got %q\nwant %q", got, c.text)
			}
		})
	}
	if _, err := Parse(msg("To: agora@city.test\n", "no sender\n")); err == nil {
		t.Error("a message without From parsed")
	}
}
