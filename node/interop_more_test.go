package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/testrig"
)

// Posts from the servers the first interop fixtures left out (issue 12,
// "Their posts here"): Misskey/Sharkey, Pleroma/Akkoma, Friendica,
// WordPress (ActivityPub plugin), Discourse, Smithereen and Mitra. Each
// row is written from the server's documentation and source, in the shape
// it sends: its own extension fields (Misskey's MFM source, Pleroma's
// empty summary, Friendica's diaspora:guid and BBCode source, WordPress's
// Article teaser, Smithereen's wall target), its ids and key ids.
//
// Placeholders in the templates: {actor} the sender, {base} its server,
// {q} the hub's thread (actor), {answer} the hub's answer in it, {forum}
// the forum, {sec} the asker, {hubhost}, {note} the reply's id, {ask} the
// id of the question started by mentioning the forum.

type moreServer struct {
	name      string // subtest name
	key       string // fake server name: its key is remote-<key>
	actorPath string
	username  string
	keyID     string // relative to the actor: #main-key, /main-key
	hs2019    bool

	notePath   string // the reply's path on the server
	reply      string // activity creating the reply to {q}
	replyShows []string
	replyHides []string // what the page must not show (raw markup, a false warning)

	edit      string // activity editing the reply ("" if the server cannot edit)
	editShows string

	like  string // Like of {answer} ("" if the server sends none)
	react string // a reaction that is not a Like: refused, never counted
	// quote is a post quoting {q} without replying to it or naming the
	// forum: refused (a known limit: quotes are not shown), never stored.
	quote, quotePath string

	del string // Delete of the reply

	askPath  string // "" if the server cannot start a thread by mentioning a Group
	ask      string
	askTitle string
	askShows []string // on the new question's page
	askHides []string
}

const publicAS = "https://www.w3.org/ns/activitystreams#Public"

var moreServers = []moreServer{
	{
		name: "Misskey/Sharkey", key: "misskey", actorPath: "/users/9vk2m0a1b2", username: "hana", keyID: "#main-key",
		notePath: "/notes/9vk2p4q5r6",
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"misskey": "https://misskey-hub.net/ns#", "_misskey_content": "misskey:_misskey_content", "_misskey_quote": "misskey:_misskey_quote", "_misskey_reaction": "misskey:_misskey_reaction", "quoteUrl": "as:quoteUrl", "sensitive": "as:sensitive", "Hashtag": "as:Hashtag"}],
  "id": "{note}/activity", "actor": "{actor}", "type": "Create", "published": "2026-12-01T09:00:00.000Z",
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "summary": null,
    "content": "<p><a href=\"{base}/@secretariat@{hubhost}\" class=\"u-url mention\">@secretariat@{hubhost}</a> We laid <b>fibre</b> along the tram lines first.</p>",
    "_misskey_content": "@secretariat@{hubhost} We laid **fibre** along the tram lines $[x2 first].",
    "source": {"content": "@secretariat@{hubhost} We laid **fibre** along the tram lines $[x2 first].", "mediaType": "text/x.misskeymarkdown"},
    "_misskey_quote": null, "quoteUrl": null,
    "published": "2026-12-01T09:00:00.000Z", "inReplyTo": "{q}",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
    "attachment": [], "sensitive": false,
    "tag": [{"type": "Mention", "href": "{sec}", "name": "@secretariat@{hubhost}"}]
  },
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"]
}`,
		replyShows: []string{"<b>fibre</b> along the tram lines first."},
		replyHides: []string{"$[x2", "**fibre**"},
		// Sharkey edits a note with Update{Note} and "updated"; Misskey
		// itself cannot edit.
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"_misskey_content": "https://misskey-hub.net/ns#_misskey_content"}],
  "id": "{note}/update/9vk2z0", "actor": "{actor}", "type": "Update", "published": "2026-12-01T09:05:00.000Z",
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "summary": null,
    "content": "<p>We laid fibre along the tram and bus lines first.</p>",
    "_misskey_content": "We laid fibre along the tram and bus lines first.",
    "source": {"content": "We laid fibre along the tram and bus lines first.", "mediaType": "text/x.misskeymarkdown"},
    "published": "2026-12-01T09:00:00.000Z", "updated": "2026-12-01T09:05:00.000Z", "inReplyTo": "{q}",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers"], "attachment": [], "sensitive": false, "tag": []
  },
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"]
}`,
		editShows: "tram and bus lines",
		quotePath: "/notes/9vk2q0u1v2",
		quote: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote", "quoteUrl": "as:quoteUrl"}],
  "id": "{base}/notes/9vk2q0u1v2/activity", "actor": "{actor}", "type": "Create", "published": "2026-12-01T09:30:00.000Z",
  "object": {
    "id": "{base}/notes/9vk2q0u1v2", "type": "Note", "attributedTo": "{actor}", "summary": null,
    "content": "<p>Good thread on broadband.<br><br>RE: <a href=\"{q}\">{q}</a></p>",
    "_misskey_content": "Good thread on broadband.", "_misskey_quote": "{q}", "quoteUrl": "{q}",
    "published": "2026-12-01T09:30:00.000Z", "to": ["` + publicAS + `"], "cc": ["{actor}/followers"],
    "attachment": [], "sensitive": false, "tag": []
  },
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"]
}`,
		// A Misskey reaction is a Like whose content is the emoji.
		like: `{"@context": ["https://www.w3.org/ns/activitystreams", {"_misskey_reaction": "https://misskey-hub.net/ns#_misskey_reaction"}],
  "id": "{base}/likes/9vk2r8s9t0", "actor": "{actor}", "type": "Like", "object": "{answer}",
  "content": "👍", "_misskey_reaction": "👍"}`,
		del: `{"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{base}/9vk2v1w2x3", "actor": "{actor}", "type": "Delete",
  "object": {"id": "{note}", "type": "Tombstone"}, "published": "2026-12-01T09:10:00.000Z"}`,
		askPath: "/notes/9vk2a7b8c9",
		ask: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"_misskey_content": "https://misskey-hub.net/ns#_misskey_content"}],
  "id": "{ask}/activity", "actor": "{actor}", "type": "Create", "published": "2026-12-01T09:20:00.000Z",
  "object": {
    "id": "{ask}", "type": "Note", "attributedTo": "{actor}", "summary": null,
    "content": "<p><a href=\"{forum}\" class=\"u-url mention\">@digitalisation@{hubhost}</a> Who runs open wifi in parks?</p>",
    "_misskey_content": "@digitalisation@{hubhost} Who runs open wifi in parks?",
    "source": {"content": "@digitalisation@{hubhost} Who runs open wifi in parks?", "mediaType": "text/x.misskeymarkdown"},
    "published": "2026-12-01T09:20:00.000Z",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"], "attachment": [], "sensitive": false,
    "tag": [{"type": "Mention", "href": "{forum}", "name": "@digitalisation@{hubhost}"}]
  },
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"]
}`,
		askTitle: "Who runs open wifi in parks?",
	},
	{
		name: "Pleroma/Akkoma", key: "pleroma", actorPath: "/users/lena", username: "lena", keyID: "#main-key",
		notePath: "/objects/6f1c2a8e-0b7d-4c55-9a1e-3d2f4b5c6a70",
		// Pleroma sends "summary": "" on every note, a conversation
		// context, and its markdown source; Akkoma adds contentMap.
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld", {"@language": "und"}],
  "id": "{base}/activities/a3e0d1c2-5b6f-4e7a-8c9d-0f1e2d3c4b5a", "type": "Create", "actor": "{actor}",
  "context": "{base}/contexts/1d2c3b4a", "directMessage": false, "published": "2026-12-01T10:00:00.000000Z",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
  "object": {
    "id": "{note}", "type": "Note", "actor": "{actor}", "attributedTo": "{actor}",
    "summary": "", "sensitive": false, "context": "{base}/contexts/1d2c3b4a", "conversation": "{base}/contexts/1d2c3b4a",
    "content": "<span class=\"h-card\"><a class=\"u-url mention\" href=\"{sec}\" rel=\"ugc\">@<span>secretariat</span></a></span> Our libraries lend laptops, 300 of them.",
    "contentMap": {"de": "<span class=\"h-card\"><a class=\"u-url mention\" href=\"{sec}\" rel=\"ugc\">@<span>secretariat</span></a></span> Our libraries lend laptops, 300 of them."},
    "source": {"content": "@secretariat@{hubhost} Our libraries lend laptops, 300 of them.", "mediaType": "text/markdown"},
    "inReplyTo": "{q}", "published": "2026-12-01T10:00:00.000000Z",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
    "tag": [{"type": "Mention", "href": "{sec}", "name": "@secretariat@{hubhost}"}], "attachment": [], "emoji": {}
  }
}`,
		replyShows: []string{`lang="de"`, "Our libraries lend laptops, 300 of them."},
		replyHides: []string{`<details class="cw">`},
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld", {"@language": "und"}],
  "id": "{base}/activities/b4f1e2d3-6c7a-4f8b-9d0e-1a2b3c4d5e6f", "type": "Update", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"],
  "object": {
    "id": "{note}", "type": "Note", "actor": "{actor}", "attributedTo": "{actor}", "summary": "", "sensitive": false,
    "content": "Our libraries lend laptops, 350 of them since June.",
    "contentMap": {"de": "Our libraries lend laptops, 350 of them since June."},
    "source": {"content": "Our libraries lend laptops, 350 of them since June.", "mediaType": "text/markdown"},
    "inReplyTo": "{q}", "published": "2026-12-01T10:00:00.000000Z", "updated": "2026-12-01T10:07:00.000000Z",
    "formerRepresentations": {"type": "OrderedCollection", "totalItems": 1, "orderedItems": [
      {"type": "Note", "content": "Our libraries lend laptops, 300 of them.", "summary": "", "updated": "2026-12-01T10:00:00.000000Z"}]},
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers"], "tag": [], "attachment": []
  }
}`,
		editShows: "350 of them since June.",
		like: `{"@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld"],
  "id": "{base}/activities/c5a2f3e4-7d8b-4a9c-8e1f-2b3c4d5e6f70", "type": "Like", "actor": "{actor}", "object": "{answer}",
  "context": "{base}/contexts/1d2c3b4a", "to": ["{sec}", "{actor}/followers"], "cc": ["` + publicAS + `"]}`,
		react: `{"@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld"],
  "id": "{base}/activities/d6b3a4f5-8e9c-4b0d-9f2a-3c4d5e6f7081", "type": "EmojiReact", "actor": "{actor}", "object": "{answer}",
  "content": "🔥", "context": "{base}/contexts/1d2c3b4a", "to": ["{sec}", "{actor}/followers"], "cc": ["` + publicAS + `"]}`,
		// Pleroma's Delete names the object by its bare id.
		del: `{"@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld"],
  "id": "{base}/activities/e7c4b5a6-9f0d-4c1e-8a3b-4d5e6f708192", "type": "Delete", "actor": "{actor}", "object": "{note}",
  "to": ["` + publicAS + `", "{sec}"], "cc": ["{actor}/followers"]}`,
		askPath: "/objects/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		ask: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "{base}/schemas/litepub-0.1.jsonld", {"@language": "und"}],
  "id": "{base}/activities/f8d5c6b7-0a1e-4d2f-9b4c-5e6f70819203", "type": "Create", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"],
  "object": {
    "id": "{ask}", "type": "Note", "actor": "{actor}", "attributedTo": "{actor}", "summary": "", "sensitive": false,
    "content": "<span class=\"h-card\"><a class=\"u-url mention\" href=\"{forum}\" rel=\"ugc\">@<span>digitalisation</span></a></span> Do you pay for e-signatures per use?",
    "source": {"content": "@digitalisation@{hubhost} Do you pay for e-signatures per use?", "mediaType": "text/markdown"},
    "published": "2026-12-01T10:20:00.000000Z",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"],
    "tag": [{"type": "Mention", "href": "{forum}", "name": "@digitalisation@{hubhost}"}], "attachment": []
  }
}`,
		askTitle: "Do you pay for e-signatures per use?",
	},
	{
		name: "Friendica", key: "friendica", actorPath: "/profile/ana", username: "ana", keyID: "#main-key",
		notePath: "/objects/7d2f6a1c-5e65-6b3a-1a0d-000000000001",
		// Friendica's source is BBCode; diaspora:guid and diaspora:comment
		// carry the Diaspora side of the post.
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"vcard": "http://www.w3.org/2006/vcard/ns#", "dfrn": "http://purl.org/macgirvin/dfrn/1.0/", "diaspora": "https://diasporafoundation.org/ns/", "litepub": "http://litepub.social/ns#", "toot": "http://joinmastodon.org/ns#", "featured": {"@id": "toot:featured", "@type": "@id"}, "sensitive": "as:sensitive", "manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "quoteUrl": "as:quoteUrl", "directMessage": "litepub:directMessage", "discoverable": "toot:discoverable", "isMemberOnly": "diaspora:isMemberOnly"}],
  "id": "{note}/Create", "type": "Create", "actor": "{actor}", "published": "2026-12-01T11:00:00Z", "instrument": {"type": "Service", "name": "Friendica 'Yellow Archangel' 2024.12", "url": "{base}"},
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
  "object": {
    "id": "{note}", "type": "Note", "summary": null, "inReplyTo": "{q}",
    "diaspora:guid": "7d2f6a1c-5e65-6b3a-1a0d-000000000001", "diaspora:comment": "{\"author\":\"ana@{host}\",\"guid\":\"7d2f6a1c-5e65-6b3a-1a0d-000000000001\",\"text\":\"...\"}",
    "url": "{base}/display/7d2f6a1c-5e65-6b3a-1a0d-000000000001", "attributedTo": "{actor}", "sensitive": false,
    "context": "{base}/objects/7d2f6a1c-0000-0000-0000-000000000000#context", "conversation": "{base}/objects/7d2f6a1c-0000-0000-0000-000000000000#context",
    "published": "2026-12-01T11:00:00Z",
    "content": "<a class=\"u-url mention\" href=\"{sec}\">@secretariat</a> We publish our tenders as open data, <strong>every Monday</strong>.",
    "contentMap": {"es": "<a class=\"u-url mention\" href=\"{sec}\">@secretariat</a> We publish our tenders as open data, <strong>every Monday</strong>."},
    "source": {"content": "@[url={sec}]secretariat[/url] We publish our tenders as open data, [b]every Monday[/b].", "mediaType": "text/bbcode"},
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
    "tag": [{"type": "Mention", "href": "{sec}", "name": "@secretariat@{hubhost}"}], "attachment": []
  }
}`,
		replyShows: []string{`lang="es"`, "We publish our tenders as open data, <strong>every Monday</strong>."},
		replyHides: []string{"[b]", "diaspora"},
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"diaspora": "https://diasporafoundation.org/ns/"}],
  "id": "{note}/Update/1764588000", "type": "Update", "actor": "{actor}", "published": "2026-12-01T11:05:00Z",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"],
  "object": {
    "id": "{note}", "type": "Note", "summary": null, "inReplyTo": "{q}", "diaspora:guid": "7d2f6a1c-5e65-6b3a-1a0d-000000000001",
    "attributedTo": "{actor}", "sensitive": false, "published": "2026-12-01T11:00:00Z", "updated": "2026-12-01T11:05:00Z",
    "content": "We publish our tenders as open data, every Monday and Thursday.",
    "contentMap": {"es": "We publish our tenders as open data, every Monday and Thursday."},
    "source": {"content": "We publish our tenders as open data, every Monday and Thursday.", "mediaType": "text/bbcode"},
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers"], "tag": [], "attachment": []
  }
}`,
		editShows: "every Monday and Thursday.",
		like: `{"@context": ["https://www.w3.org/ns/activitystreams", {"diaspora": "https://diasporafoundation.org/ns/"}],
  "id": "{base}/objects/7d2f6a1c-5e65-6b3a-1a0d-000000000009/Like", "type": "Like", "actor": "{actor}", "object": "{answer}",
  "diaspora:like": "{\"author\":\"ana@{host}\",\"positive\":true}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"], "published": "2026-12-01T11:06:00Z"}`,
		del: `{"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{note}/Delete", "type": "Delete", "actor": "{actor}", "published": "2026-12-01T11:10:00Z",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"],
  "object": {"id": "{note}", "type": "Tombstone"}}`,
		// Friendica addresses a group with "!name@host"; the tag is a
		// Mention of the Group.
		askPath: "/objects/7d2f6a1c-5e65-6b3a-1a0d-000000000002",
		ask: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"diaspora": "https://diasporafoundation.org/ns/"}],
  "id": "{ask}/Create", "type": "Create", "actor": "{actor}", "published": "2026-12-01T11:20:00Z",
  "to": ["` + publicAS + `", "{forum}"], "cc": ["{actor}/followers"],
  "object": {
    "id": "{ask}", "type": "Note", "summary": null, "diaspora:guid": "7d2f6a1c-5e65-6b3a-1a0d-000000000002",
    "attributedTo": "{actor}", "sensitive": false, "published": "2026-12-01T11:20:00Z",
    "content": "!<a class=\"u-url mention\" href=\"{forum}\">digitalisation</a> How do you archive council videos?",
    "source": {"content": "!digitalisation@{hubhost} How do you archive council videos?", "mediaType": "text/bbcode"},
    "to": ["` + publicAS + `", "{forum}"], "cc": ["{actor}/followers"],
    "tag": [{"type": "Mention", "href": "{forum}", "name": "!digitalisation@{hubhost}"}], "attachment": []
  }
}`,
		askTitle: "How do you archive council videos?",
	},
	{
		name: "WordPress", key: "wordpress", actorPath: "/author/jo", username: "jo", keyID: "#main-key",
		// A comment written on the blog under a federated reply goes out
		// as a Note with the comment's ?c= id.
		notePath: "/?c=412",
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"Hashtag": "as:Hashtag", "sensitive": "as:sensitive"}],
  "id": "{note}&activity=create", "type": "Create", "actor": "{actor}", "published": "2026-12-01T12:00:00Z",
  "to": ["` + publicAS + `", "{actor}/followers"], "cc": ["{sec}"],
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "url": "{base}/2026/11/30/fibre-plan/#comment-412", "published": "2026-12-01T12:00:00Z",
    "content": "<p>Our plan is on the blog, with the map.</p>", "contentMap": {"en": "<p>Our plan is on the blog, with the map.</p>"},
    "to": ["` + publicAS + `", "{actor}/followers"], "cc": ["{sec}"], "tag": [], "sensitive": false
  }
}`,
		replyShows: []string{"Our plan is on the blog, with the map."},
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{note}&activity=update&t=1764590700", "type": "Update", "actor": "{actor}",
  "to": ["` + publicAS + `", "{actor}/followers"], "cc": [],
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "url": "{base}/2026/11/30/fibre-plan/#comment-412", "published": "2026-12-01T12:00:00Z", "updated": "2026-12-01T12:05:00Z",
    "content": "<p>Our plan is on the blog, with the map and the costs.</p>", "contentMap": {"en": "<p>Our plan is on the blog, with the map and the costs.</p>"},
    "to": ["` + publicAS + `", "{actor}/followers"], "cc": [], "tag": []
  }
}`,
		editShows: "with the map and the costs.",
		del: `{"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{note}&activity=delete", "type": "Delete", "actor": "{actor}",
  "to": ["` + publicAS + `", "{actor}/followers"], "object": {"id": "{note}", "type": "Tombstone"}}`,
		// A blog post mentioning the forum: an Article with its title in
		// name, a teaser in summary and the post's permalink in url.
		askPath: "/?p=1207",
		ask: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"Hashtag": "as:Hashtag", "sensitive": "as:sensitive"}],
  "id": "{ask}&activity=create", "type": "Create", "actor": "{actor}", "published": "2026-12-01T12:20:00Z",
  "to": ["` + publicAS + `", "{actor}/followers"], "cc": ["{forum}"],
  "object": {
    "id": "{ask}", "type": "Article", "attributedTo": "{actor}", "name": "Smart street lights: worth it?",
    "summary": "[…] We are weighing three offers and would like to hear from cities that tried. […]",
    "url": "{base}/2026/12/01/smart-street-lights/",
    "content": "<p><a href=\"{forum}\" class=\"mention\">@digitalisation</a> We are weighing three offers and would like to hear from cities that tried.</p><p>What did maintenance cost you?</p>",
    "contentMap": {"en": "<p><a href=\"{forum}\" class=\"mention\">@digitalisation</a> We are weighing three offers and would like to hear from cities that tried.</p><p>What did maintenance cost you?</p>"},
    "published": "2026-12-01T12:20:00Z", "sensitive": false,
    "to": ["` + publicAS + `", "{actor}/followers"], "cc": ["{forum}"],
    "tag": [{"type": "Mention", "href": "{forum}", "name": "@digitalisation@{hubhost}"}], "attachment": []
  }
}`,
		askTitle: "Smart street lights: worth it?",
		// The summary is the plugin's teaser of the content: not a
		// content warning, not shown twice.
		askShows: []string{"What did maintenance cost you?"},
		askHides: []string{"[…]", `<details class="cw">`},
	},
	{
		name: "Discourse", key: "discourse", actorPath: "/ap/actor/8c1f0b2e9d7a", username: "civic", keyID: "#main-key",
		// A topic reply is a Note whose id is the post's AP path.
		notePath: "/ap/object/4e5d6c7b8a90",
		reply: `{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/ap/activity/1a2b3c4d5e6f", "type": "Create", "actor": "{actor}", "published": "2026-12-01T13:00:00Z",
  "to": ["` + publicAS + `"], "audience": "{actor}",
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "audience": "{actor}", "inReplyTo": "{q}",
    "content": "<p>We moved our permits to the national portal in 2025.</p>", "url": "{base}/t/permits/88/3",
    "published": "2026-12-01T13:00:00Z", "to": ["` + publicAS + `"]
  }
}`,
		replyShows: []string{"We moved our permits to the national portal in 2025."},
		edit: `{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/ap/activity/2b3c4d5e6f7a", "type": "Update", "actor": "{actor}", "published": "2026-12-01T13:05:00Z",
  "to": ["` + publicAS + `"],
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "content": "<p>We moved our permits to the national portal in spring 2025.</p>", "url": "{base}/t/permits/88/3",
    "published": "2026-12-01T13:00:00Z", "updated": "2026-12-01T13:05:00Z", "to": ["` + publicAS + `"]
  }
}`,
		editShows: "in spring 2025.",
		like: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/ap/activity/3c4d5e6f7a8b", "type": "Like", "actor": "{actor}", "object": "{answer}", "published": "2026-12-01T13:06:00Z"}`,
		del: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/ap/activity/4d5e6f7a8b9c", "type": "Delete", "actor": "{actor}", "to": ["` + publicAS + `"],
  "object": {"id": "{note}", "type": "Tombstone", "formerType": "Note"}}`,
	},
	{
		name: "Smithereen", key: "smithereen", actorPath: "/users/7", username: "vera", keyID: "#main-key",
		notePath: "/posts/1142",
		// Smithereen addresses with an empty to and Public in cc.
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", {"sm": "http://smithereen.software/ns#", "sensitive": "as:sensitive", "wall": {"@type": "@id", "@id": "sm:wall"}}],
  "id": "{note}/activityCreate", "type": "Create", "actor": "{actor}", "published": "2026-12-01T14:00:00Z",
  "to": [], "cc": ["` + publicAS + `", "{sec}"],
  "object": {
    "type": "Note", "id": "{note}", "url": "{note}", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "to": [], "cc": ["` + publicAS + `", "{sec}"], "published": "2026-12-01T14:00:00Z", "sensitive": false,
    "content": "<p>Our district councils vote on the budget online since 2024.</p>",
    "replies": {"id": "{note}/replies", "type": "Collection", "first": {"type": "CollectionPage", "partOf": "{note}/replies", "next": "{note}/replies?page=1"}},
    "likes": "{note}/likes",
    "tag": [{"type": "Mention", "href": "{sec}", "name": "@secretariat@{hubhost}"}]
  }
}`,
		replyShows: []string{"Our district councils vote on the budget online since 2024."},
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"sm": "http://smithereen.software/ns#", "sensitive": "as:sensitive"}],
  "id": "{note}#update1764597900", "type": "Update", "actor": "{actor}",
  "to": [], "cc": ["` + publicAS + `"],
  "object": {
    "type": "Note", "id": "{note}", "url": "{note}", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "to": [], "cc": ["` + publicAS + `"], "published": "2026-12-01T14:00:00Z", "updated": "2026-12-01T14:05:00Z", "sensitive": false,
    "content": "<p>Our district councils vote on the budget online since 2024, with 40% turnout.</p>"
  }
}`,
		editShows: "with 40% turnout.",
		like: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{actor}#likes/1143", "type": "Like", "actor": "{actor}", "object": "{answer}"}`,
		del: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{note}#delete", "type": "Delete", "actor": "{actor}", "to": [], "cc": ["` + publicAS + `"],
  "object": {"id": "{note}", "type": "Tombstone"}}`,
		// A post on a group's wall (sm:wall, FEP-400e): addressed to the
		// group, its target the group's wall collection, no Mention.
		askPath: "/posts/1150",
		ask: `{
  "@context": ["https://www.w3.org/ns/activitystreams", {"sm": "http://smithereen.software/ns#", "sensitive": "as:sensitive"}],
  "id": "{ask}/activityCreate", "type": "Create", "actor": "{actor}", "published": "2026-12-01T14:20:00Z",
  "to": [], "cc": ["` + publicAS + `", "{forum}"],
  "object": {
    "type": "Note", "id": "{ask}", "url": "{ask}", "attributedTo": "{actor}",
    "to": [], "cc": ["` + publicAS + `", "{forum}"], "published": "2026-12-01T14:20:00Z", "sensitive": false,
    "target": {"id": "{forum}/wall", "attributedTo": "{forum}", "type": "Collection"},
    "content": "<p>Has anyone moved school enrolment fully online?</p>"
  }
}`,
		askTitle: "Has anyone moved school enrolment fully online?",
	},
	{
		name: "Mitra", key: "mitra", actorPath: "/users/omar", username: "omar", keyID: "#main-key",
		notePath: "/objects/01938a1e-6c7d-7e8f-9a0b-1c2d3e4f5a6b",
		// Mitra writes mediaType text/html and links mentions both in tag
		// and (FEP-e232) as Link tags.
		reply: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", "https://w3id.org/security/data-integrity/v1", {"Hashtag": "as:Hashtag", "sensitive": "as:sensitive", "mitra": "http://jsonld.mitra.social#", "MitraJcsRsaSignature2022": "mitra:MitraJcsRsaSignature2022"}],
  "id": "{base}/activities/create/01938a1e-6c7d-7e8f-9a0b-1c2d3e4f5a6b", "type": "Create", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "content": "<p><span class=\"h-card\"><a class=\"u-url mention\" href=\"{sec}\">@secretariat</a></span> We pay e-signatures per envelope, about 0.40 €.</p>",
    "mediaType": "text/html", "sensitive": false, "published": "2026-12-01T15:00:00Z", "url": "{base}/post/01938a1e-6c7d-7e8f-9a0b-1c2d3e4f5a6b",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{sec}"],
    "tag": [{"type": "Mention", "href": "{sec}", "name": "@secretariat@{hubhost}"}], "attachment": []
  }
}`,
		replyShows: []string{"We pay e-signatures per envelope, about 0.40 €."},
		edit: `{
  "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
  "id": "{base}/activities/update/01938a22-0000-7000-8000-000000000001", "type": "Update", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"],
  "object": {
    "id": "{note}", "type": "Note", "attributedTo": "{actor}", "inReplyTo": "{q}",
    "content": "<p>We pay e-signatures per envelope, about 0.35 € since November.</p>",
    "mediaType": "text/html", "sensitive": false, "published": "2026-12-01T15:00:00Z", "updated": "2026-12-01T15:05:00Z",
    "to": ["` + publicAS + `"], "cc": ["{actor}/followers"], "tag": [], "attachment": []
  }
}`,
		editShows: "about 0.35 € since November.",
		like: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/activities/like/01938a23-0000-7000-8000-000000000002", "type": "Like", "actor": "{actor}", "object": "{answer}",
  "to": ["{sec}", "` + publicAS + `"], "cc": []}`,
		del: `{"@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/activities/delete/01938a24-0000-7000-8000-000000000003", "type": "Delete", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers"], "object": {"id": "{note}", "type": "Tombstone"}}`,
		askPath: "/objects/01938a25-0000-7000-8000-000000000004",
		ask: `{
  "@context": "https://www.w3.org/ns/activitystreams",
  "id": "{base}/activities/create/01938a25-0000-7000-8000-000000000004", "type": "Create", "actor": "{actor}",
  "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"],
  "object": {
    "id": "{ask}", "type": "Note", "attributedTo": "{actor}", "mediaType": "text/html", "sensitive": false,
    "content": "<p><span class=\"h-card\"><a class=\"u-url mention\" href=\"{forum}\">@digitalisation</a></span> Which cities run their own Matrix server?</p>",
    "published": "2026-12-01T15:20:00Z", "to": ["` + publicAS + `"], "cc": ["{actor}/followers", "{forum}"],
    "tag": [{"type": "Mention", "href": "{forum}", "name": "@digitalisation@{hubhost}"}], "attachment": []
  }
}`,
		askTitle: "Which cities run their own Matrix server?",
	},
}

// TestInteropMoreServers: for each server, a reply to one of the hub's
// thread actors is shown as its author wrote it (no raw markup, no false
// content warning, in its language), an edit replaces it, a Like of the
// hub's answer is counted (a non-Like reaction is refused and not
// counted), a Delete takes the reply down, and a post mentioning the
// forum (where the server can) starts a question.
func TestInteropMoreServers(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	asker := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	f := hub.forum(t, "digitalisation", "Learning forum on digitalisation")
	forumURI, sec := hub.URLs.Forum(f.Slug), hub.URLs.Member("secretariat")
	for i, tc := range moreServers {
		t.Run(tc.name, func(t *testing.T) {
			q, err := hub.Service.Ask(ctx, asker, f.ID, forum.Question{Title: fmt.Sprintf("Fixture thread %d for %s", i, tc.key), Body: "Tell us.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			a, err := hub.Service.Reply(ctx, asker, q.ID, "", forum.Answer{Body: "Start with the budget.", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			srv := startFakeServer(t, tc.key)
			actor := srv.actor(fakeActor{Path: tc.actorPath, Type: "Person", Username: tc.username, Name: tc.username, KeyID: tc.keyID,
				Extra: fill(`,"endpoints":{"sharedInbox":"{base}/inbox"}`, "base", srv.base)})
			note, ask := srv.url(tc.notePath), ""
			if tc.askPath != "" {
				ask = srv.url(tc.askPath)
			}
			send := func(t *testing.T, what, tmpl string) string {
				t.Helper()
				body := fill(tmpl, "actor", actor, "base", srv.base, "host", srv.host(), "q", hub.URLs.Thread(q.ID),
					"answer", hub.URLs.Post(a.ID), "forum", forumURI, "sec", sec, "hubhost", hub.URLs.Host(), "note", note, "ask", ask)
				if st := srv.send(delivery{KeyID: actor + tc.keyID, Inbox: hub.URLs.SharedInbox(), Body: body, HS2019: tc.hs2019}); st != http.StatusAccepted {
					t.Fatalf("%s: %d", what, st)
				}
				return body
			}
			page := func() string { return threadPage(t, hub, q.ID) }

			send(t, "reply", tc.reply)
			testrig.Eventually(t, "the reply reaches the hub", func() (bool, string) {
				_, err := hub.Service.PostByURI(ctx, note)
				return err == nil, fmt.Sprint(err)
			})
			shown := page()
			mustShow(t, shown, tc.replyShows...)
			for _, h := range tc.replyHides {
				if strings.Contains(shown, h) {
					t.Errorf("page shows %q", h)
				}
			}

			if tc.edit != "" {
				send(t, "edit", tc.edit)
				testrig.Eventually(t, "the edit is applied", func() (bool, string) {
					p, err := hub.Service.PostByURI(ctx, note)
					return err == nil && strings.Contains(p.HTML, tc.editShows) && p.EditedAt != nil, fmt.Sprint(p, err)
				})
				mustShow(t, page(), tc.editShows)
			}

			helpful := func(want int) {
				t.Helper()
				testrig.Eventually(t, fmt.Sprintf("helpful=%d", want), func() (bool, string) {
					p, err := hub.Service.Post(ctx, a.ID)
					return err == nil && p.HelpfulCount == want, fmt.Sprint(p, err)
				})
			}
			if tc.quote != "" {
				body := send(t, "quote", tc.quote)
				id := activityID(t, body)
				testrig.Eventually(t, "the quote is refused", func() (bool, string) {
					failed, reason, _ := inboxOutcome(t, hub, id)
					return failed && strings.Contains(reason, "addresses no forum of this node"), reason
				})
				if _, err := hub.Service.PostByURI(ctx, srv.url(tc.quotePath)); err == nil {
					t.Errorf("the quote is stored")
				}
			}
			if tc.react != "" {
				body := send(t, "reaction", tc.react)
				id := activityID(t, body)
				testrig.Eventually(t, "the reaction is refused", func() (bool, string) {
					failed, reason, _ := inboxOutcome(t, hub, id)
					return failed && strings.Contains(reason, `unsupported activity type "EmojiReact"`), reason
				})
				helpful(0)
			}
			if tc.like != "" {
				send(t, "like", tc.like)
				helpful(1)
				mustShow(t, page(), "1 person found this helpful")
			}

			srv.drop(tc.notePath)
			send(t, "delete", tc.del)
			testrig.Eventually(t, "the delete is applied", func() (bool, string) {
				p, err := hub.Service.PostByURI(ctx, note)
				return err == nil && p.Deleted(), fmt.Sprint(p, err)
			})
			after := page()
			mustShow(t, after, `<p class="tombstone">This answer was deleted.</p>`)
			for _, gone := range append([]string{tc.editShows}, tc.replyShows...) {
				if gone != "" && !strings.HasPrefix(gone, "lang=") && strings.Contains(after, gone) {
					t.Errorf("deleted reply still shows %q", gone)
				}
			}

			if tc.ask == "" {
				return
			}
			send(t, "question mentioning the forum", tc.ask)
			testrig.Eventually(t, "the question reaches the hub", func() (bool, string) {
				_, err := hub.Service.ThreadByURI(ctx, ask)
				return err == nil, fmt.Sprint(err)
			})
			th, err := hub.Service.ThreadByURI(ctx, ask)
			if err != nil {
				t.Fatal(err)
			}
			if th.Title != tc.askTitle {
				t.Errorf("title %q, want %q", th.Title, tc.askTitle)
			}
			askPage := threadPage(t, hub, th.ID)
			mustShow(t, askPage, tc.askShows...)
			for _, h := range tc.askHides {
				if strings.Contains(askPage, h) {
					t.Errorf("question page shows %q", h)
				}
			}
		})
	}
}

// activityID is the id of an activity's JSON.
func activityID(t *testing.T, body string) string {
	t.Helper()
	var doc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.ID == "" {
		t.Fatalf("activity without an id (%v): %s", err, body)
	}
	return doc.ID
}
