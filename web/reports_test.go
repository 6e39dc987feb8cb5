package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/metropolis/agora/forum"
)

func TestReportAndModerationPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	th, err := s.rig.Service.Ask(ctx, s.cast.Barcelona, s.cast.Forum.ID, forum.Question{Title: "Procurement rules", Body: "Which?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.rig.Service.Reply(ctx, s.cast.BeloHz, th.ID, "", forum.Answer{Body: "Visit my shop", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	priya := s.signedIn("priya")
	mustContain(t, priya.get("/t/"+th.ID), `href="/p/`+a.ID+`/report"`)
	mustContain(t, priya.get("/p/"+a.ID+"/report"), "Flag this post to the moderators", `name="reason"`)
	if p := priya.post("/p/"+a.ID+"/report", url.Values{"reason": {""}}); p.status != http.StatusBadRequest {
		t.Fatalf("empty reason: %d", p.status)
	}
	if p := priya.post("/p/"+a.ID+"/report", url.Values{"reason": {"advertising"}}); p.status != http.StatusSeeOther {
		t.Fatalf("report: %d", p.status)
	}
	if p := priya.get("/moderation"); p.status != http.StatusForbidden {
		t.Fatalf("member opens moderation: %d", p.status)
	}
	mod := s.signedIn("moderator")
	page := mod.get("/moderation")
	mustContain(t, page, "advertising", "Visit my shop", "flagged by Priya Shah", `href="/moderation"`)
	reports, _ := s.rig.Service.Reports(ctx, s.cast.Moderator, "")
	if p := mod.post("/moderation/reports/"+reports.Items[0].ID+"/resolve", nil); p.status != http.StatusSeeOther {
		t.Fatalf("resolve: %d", p.status)
	}
	mustContain(t, mod.get("/moderation"), "No open flag.")
}
