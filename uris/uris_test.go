package uris

import "testing"

func TestNew(t *testing.T) {
	tests := []struct {
		in, base, host string
		ok             bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"https://hub.example/", "https://hub.example", "hub.example", true},
		{"https://hub.example/forum", "", "", false},
		{"ftp://hub.example", "", "", false},
		{"hub.example", "", "", false},
		{"https://u:p@hub.example", "", "", false},
		{"https://hub.example?x=1", "", "", false},
	}
	for _, tt := range tests {
		b, err := New(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (b.Base() != tt.base || b.Host() != tt.host) {
			t.Errorf("New(%q) = %q %q, want %q %q", tt.in, b.Base(), b.Host(), tt.base, tt.host)
		}
	}
}

func TestURLs(t *testing.T) {
	b, err := New("https://hub.example")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ got, want string }{
		{b.Forum("digitalisation"), "https://hub.example/f/digitalisation"},
		{b.Thread("01hq0000000000000000000000"), "https://hub.example/t/01hq0000000000000000000000"},
		{b.Post("01hq0000000000000000000001"), "https://hub.example/p/01hq0000000000000000000001"},
		{b.Member("ana"), "https://hub.example/u/ana"},
		{b.Tag("DigitalID"), "https://hub.example/tags/digitalid"},
		{b.Tag("Ñandú"), "https://hub.example/tags/%C3%B1and%C3%BA"},
		{b.Invitation("a-b_c"), "https://hub.example/invite/a-b_c"},
		{b.LoginToken("tok"), "https://hub.example/login/token/tok"},
		{AskPath("digitalisation"), "/f/digitalisation/ask"},
		{PostAnchor("t1", "p1"), "/t/t1#p-p1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if !b.Secure() {
		t.Error("https base not Secure")
	}
}

func TestParse(t *testing.T) {
	b, _ := New("https://hub.example")
	tests := []struct {
		in   string
		kind Kind
		key  string
	}{
		{"https://hub.example/actor", KindInstance, ""},
		{"https://hub.example/u/ana", KindMember, "ana"},
		{"https://hub.example/f/digitalisation", KindForum, "digitalisation"},
		{"https://hub.example/t/01m6dsg7e0eezt7vf0859w68z6", KindThread, "01m6dsg7e0eezt7vf0859w68z6"},
		{"https://hub.example/p/01m6dsg7e0eezt7vf0859w68z6", KindPost, "01m6dsg7e0eezt7vf0859w68z6"},
		{"https://hub.example/activities/01m6dsg7e0eezt7vf0859w68z6", KindActivity, "01m6dsg7e0eezt7vf0859w68z6"},
		{"https://hub.example/t/01m6dsg7e0eezt7vf0859w68z6/actor", KindThreadActor, "01m6dsg7e0eezt7vf0859w68z6"},
		{"https://hub.example/t/01m6dsg7e0eezt7vf0859w68z6/context", KindNone, ""},
		{"https://city.example/u/ana", KindNone, ""},
		{"http://hub.example/u/ana", KindNone, ""},
		{"https://hub.example/u/ana/inbox", KindNone, ""},
		{"https://hub.example/u/ana?x=1", KindNone, ""},
		{"https://hub.example/x/ana", KindNone, ""},
		{"::not a url", KindNone, ""},
	}
	for _, tt := range tests {
		k, key := b.Parse(tt.in)
		if k != tt.kind || key != tt.key {
			t.Errorf("Parse(%q) = %v %q, want %v %q", tt.in, k, key, tt.kind, tt.key)
		}
	}
	if !b.IsLocal("https://hub.example/f/x") || b.IsLocal("https://hub.example.evil/f/x") {
		t.Error("IsLocal")
	}
	if got := b.KeyID(b.Member("ana")); got != "https://hub.example/u/ana#main-key" {
		t.Errorf("KeyID = %s", got)
	}
	if got := b.Abs(OutboxPath(ForumPath("d"))); got != "https://hub.example/f/d/outbox" {
		t.Errorf("outbox = %s", got)
	}
}

// TestActivityPubURLs: the ids of actors' collections, collection pages
// and discovery documents, as other servers store them (ids are forever).
func TestActivityPubURLs(t *testing.T) {
	b, err := New("https://hub.example")
	if err != nil {
		t.Fatal(err)
	}
	forum := b.Forum("digitalisation")
	tests := []struct{ got, want string }{
		{ActorOutbox(forum), "https://hub.example/f/digitalisation/outbox"},
		{ActorFollowers(b.ThreadActor("01T")), "https://hub.example/t/01T/actor/followers"},
		{ActorFollowing(b.InstanceActor()), "https://hub.example/actor/following"},
		{ForumGoodPractices(forum), "https://hub.example/f/digitalisation/good-practices"},
		{ForumGoodPractices("https://city.example/c/parks"), "https://city.example/c/parks/good-practices"},
		{CollectionPage(ActorOutbox(forum), FirstPage), "https://hub.example/f/digitalisation/outbox?page=first"},
		{CollectionPage(b.Context("01T"), "01B.01P"), "https://hub.example/t/01T/context?page=01B.01P"},
		// A cursor is a query value: what would end or split it is escaped.
		{CollectionPage(b.Context("01T"), "a&b=c d"), "https://hub.example/t/01T/context?page=a%26b%3Dc+d"},
		{b.WebFingerTemplate(), "https://hub.example/.well-known/webfinger?resource={uri}"},
		{b.NodeInfo(), "https://hub.example/nodeinfo/2.1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestWebFinger(t *testing.T) {
	tests := []struct {
		scheme, acct, want string
		ok                 bool
	}{
		{"https", "digitalisation@hub.example", "https://hub.example/.well-known/webfinger?resource=acct%3Adigitalisation%40hub.example", true},
		{"http", "f@127.0.0.2:8080", "http://127.0.0.2:8080/.well-known/webfinger?resource=acct%3Af%40127.0.0.2%3A8080", true},
		{"https", "no-host@", "", false},
		{"https", "nobody", "", false},
		{"ftp", "f@hub.example", "", false},
	}
	for _, tt := range tests {
		got, err := WebFinger(tt.scheme, tt.acct)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("WebFinger(%q, %q) = %q, %v; want %q, ok=%v", tt.scheme, tt.acct, got, err, tt.want, tt.ok)
		}
	}
}
