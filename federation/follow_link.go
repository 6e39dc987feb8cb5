package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Link relations a server's WebFinger answer may offer for following an
// account from elsewhere: FEP-3b86's Follow intent ({object}) and OStatus'
// subscribe template ({uri}), which Mastodon, Misskey and Pleroma serve.
const (
	relFollowIntent = "https://w3id.org/fep/3b86/Follow"
	relSubscribe    = "http://ostatus.org/schema/1.0/subscribe"
)

// FollowLink is where to send a person who typed their server (or their
// handle) to follow the actor object from there: the server's own page
// for it, found in this order: the FEP-3b86 Follow intent or the OStatus
// subscribe template of its WebFinger answer (for the handle typed, else
// for its instance actor, acct:host@host), then Mastodon's
// /authorize_interaction if the server has that page. "" means the server
// offers none (GoToSocial): the caller shows the handle to copy instead.
// scheme is the one typed ("http" only when typed so), host the server.
func (f *Federation) FollowLink(ctx context.Context, scheme, user, host, object string) string {
	base := scheme + "://" + host
	acct := user
	if acct == "" {
		acct = host
	}
	if link, err := f.followTemplate(ctx, base, acct+"@"+host, object); err == nil && link != "" {
		return link
	} else if err != nil {
		f.log.Info("follow link: no webfinger template", "server", host, "err", err)
	}
	page := base + "/authorize_interaction?uri=" + url.QueryEscape(object)
	status, err := f.client.Probe(ctx, page)
	if err != nil {
		f.log.Info("follow link: server unreachable", "server", host, "err", err)
		return ""
	}
	if status >= 200 && status < 400 {
		return page
	}
	return ""
}

// followTemplate reads the follow templates from a WebFinger answer.
func (f *Federation) followTemplate(ctx context.Context, base, acct, object string) (string, error) {
	body, err := f.client.GetJRD(ctx, base+"/.well-known/webfinger?resource="+url.QueryEscape("acct:"+acct))
	if err != nil {
		return "", err
	}
	var jrd struct {
		Links []struct {
			Rel      string `json:"rel"`
			Template string `json:"template"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &jrd); err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	var intent, subscribe string
	for _, l := range jrd.Links {
		switch {
		case l.Rel == relFollowIntent && strings.Contains(l.Template, "{object}") && intent == "":
			intent = strings.ReplaceAll(l.Template, "{object}", url.QueryEscape(object))
		case l.Rel == relSubscribe && strings.Contains(l.Template, "{uri}") && subscribe == "":
			subscribe = strings.ReplaceAll(l.Template, "{uri}", url.QueryEscape(object))
		}
	}
	for _, link := range []string{intent, subscribe} {
		// Only a web page of that server: a template elsewhere (or a
		// javascript: URL) would send the person anywhere.
		if u, err := url.Parse(link); err == nil && (u.Scheme == "https" || u.Scheme == "http") && sameHost(link, base) {
			return link, nil
		}
	}
	return "", nil
}
