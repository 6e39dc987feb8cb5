package mailin

import "testing"

func TestStrip(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"gmail", "Yes, we did.\r\n\r\nOn Tue, 1 Dec 2026 at 10:02, Agora <agora@city.test> wrote:\r\n> Priya mentioned you\r\n> in a thread\r\n", "Yes, we did."},
		{"wrapped header", "Fifty telecentres.\n\nOn Tue, 1 Dec 2026 at 10:02, Agora Forum\n<agora@city.test> wrote:\n> old\n", "Fifty telecentres."},
		{"spanish", "Sí, con fondos europeos.\n\nEl mar, 1 dic 2026 a las 10:02, Agora <agora@city.test> escribió:\n> hola\n", "Sí, con fondos europeos."},
		{"french", "Oui.\n\nLe mar. 1 déc. 2026 à 10:02, Agora <agora@city.test> a écrit :\n> bonjour\n", "Oui."},
		{"portuguese", "Sim.\n\nEm ter., 1 de dez. de 2026 às 10:02, Agora <agora@city.test> escreveu:\n> olá\n", "Sim."},
		{"outlook", "Agreed.\n\n________________________________\nFrom: Agora <agora@city.test>\nSent: Tuesday, December 1, 2026 10:02\nTo: Marta\nSubject: Priya mentioned you\n\nPriya mentioned you", "Agreed."},
		{"outlook unquoted header", "Agreed.\n\nFrom: Agora <agora@city.test>\nDate: Tuesday, December 1, 2026 10:02\nSubject: x\n\nold text", "Agreed."},
		{"original message", "Noted.\n-----Original Message-----\nFrom: x\n", "Noted."},
		{"signature", "Thanks, here is our plan.\n\n-- \nMarta Puig\nInnovation Coordinator", "Thanks, here is our plan."},
		{"phone", "Short answer: yes.\n\nSent from my iPhone", "Short answer: yes."},
		{"phone es", "Sí.\n\nEnviado desde mi iPhone", "Sí."},
		{"marker", "Our answer.\n\n##- Write your answer above this line -##\nPriya mentioned you", "Our answer."},
		{"quoted marker", "Our answer.\n\n> ##- Write your answer above this line -##\n> Priya mentioned you", "Our answer."},
		{"trailing quote", "Top posted.\n\n> quoted\n> more\n", "Top posted."},
		{"interleaved quotes stay", "> Did it work?\nYes.\n> And the cost?\nLow.\n", "> Did it work?\nYes.\n> And the cost?\nLow."},
		{"only a quote", "> quoted\n> more\n", ""},
		{"only a signature", "-- \nMarta", ""},
		{"markdown rule kept", "One\n\n---\n\nTwo", "One\n\n---\n\nTwo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Strip(c.in); got != c.want {
				t.Errorf("Strip(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	cases := []struct {
		text  string
		cands []string
		want  string
	}{
		{"Whatever it says", []string{"fr"}, "fr"},
		{"We have opened fifty telecentres with the help of our partners.", []string{"es", "en"}, "en"},
		{"Hemos abierto cincuenta telecentros con la ayuda de los socios.", []string{"ca", "es", "en"}, "es"},
		{"Nous avons ouvert des télécentres avec le soutien de la région.", []string{"en", "fr"}, "fr"},
		{"Abrimos cinquenta telecentros com o apoio da prefeitura e também da universidade.", []string{"es", "pt"}, "pt"},
		{"افتتحنا خمسين مركزا رقميا في المدينة", []string{"fr", "ar"}, "ar"},
		{"12345", []string{"pt", "es"}, "pt"},
	}
	for _, c := range cases {
		if got := Language(c.text, c.cands); got != c.want {
			t.Errorf("Language(%q, %v) = %q, want %q", c.text, c.cands, got, c.want)
		}
	}
}

func TestReplyAddressAndToken(t *testing.T) {
	tok := sign([]byte("secret"), "01member", "01post")
	if len(tok) != 24 {
		t.Fatalf("token %q: %d characters", tok, len(tok))
	}
	addr, err := ReplyAddress("agora@city.test", tok)
	if err != nil || addr != "agora+"+tok+"@city.test" {
		t.Fatalf("ReplyAddress = %q, %v", addr, err)
	}
	if at := len(addr) - len("@city.test"); at > 64 {
		t.Fatalf("local part of %d characters", at)
	}
	cases := map[string]string{
		addr:                                tok,
		"<AGORA+" + tok + "@CITY.TEST>":     tok, // case folded by some server
		"agora@city.test":                   "",
		"agora+short@city.test":             "",
		"agora+" + tok + "1@city.test":      "",
		"agora+" + tok[:23] + "!@city.test": "",
		"x+y+" + tok + "@city.test":         tok,
		"no-at-sign+" + tok:                 "",
	}
	for in, want := range cases {
		if got := TokenOf(in); got != want {
			t.Errorf("TokenOf(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ReplyAddress("nobody", tok); err == nil {
		t.Error("ReplyAddress of a non-address")
	}
}
