package apply

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/metropolis/agora/federation/ap"
	"github.com/metropolis/agora/federation/apply/content"
	"github.com/metropolis/agora/federation/stored"
	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/report"
)

// A forum this node mirrors announces its published reports as an Article
// it Creates itself, Updates when a moderator corrects it, and Deletes.
// The mirror keeps what the list of the forum's reports shows (title and
// a plain summary per language, the report's page on its node, its
// dates): never the report itself, which readers open on its node. Only
// the forum's own actor is heard (TrustedObject has already refused an
// Article attributed to the forum but sent by anyone else); an Article
// too big or without what the list needs is refused, not cut. See
// docs/federation.md, "Reports".

// onForumReport handles a Create or Update of an Article by a forum this
// node mirrors; handled is false for anything else (a post).
func (a *Applier) onForumReport(ctx context.Context, act *ap.Activity, o *ap.Object) (handled bool, err error) {
	if o.Type != ap.TypeArticle || act.Type != ap.TypeCreate && act.Type != ap.TypeUpdate {
		return false, nil
	}
	fo, err := a.forum(ctx).ForumByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil // a person's Article: a post
	} else if err != nil {
		return true, err
	}
	if fo.Local() {
		return true, Refused(ReasonOrigin, "%s of an Article as this node's forum %s", act.Type, fo.URI)
	}
	if err := PublicOnly(act, o); err != nil {
		return true, err
	}
	if _, err := a.store(ctx).Tombstone(ctx, o.ID); err == nil {
		return true, nil // deleted before (or after) this copy arrived: a late Create does not bring it back
	} else if !errors.Is(err, forum.ErrNotFound) {
		return true, err
	}
	rec, err := receivedReport(o, fo.ID)
	if err != nil {
		return true, err
	}
	rec.ReceivedAt = a.cfg.Clock.Now().UTC()
	old, err := a.store(ctx).ReceivedReport(ctx, rec.URI)
	switch {
	case errors.Is(err, forum.ErrNotFound):
	case err != nil:
		return true, err
	case old.ForumID != rec.ForumID:
		return true, Refused(ReasonOrigin, "report %s is %s's, not %s's", rec.URI, old.ForumID, fo.URI)
	case !rec.UpdatedAt.After(old.UpdatedAt):
		// Out of order or repeated (a Create redelivered after an Update
		// too): the version kept is as new.
		a.cfg.Log.Info("stale report update ignored", "activity", act.ID, "report", rec.URI)
		return true, nil
	}
	return true, a.store(ctx).SaveReceivedReport(ctx, rec)
}

// receivedReport checks a forum's Article and makes the record kept of it.
func receivedReport(o *ap.Object, forumID forum.ID) (*report.Received, error) {
	if o.Published.IsZero() {
		return nil, Refused(ReasonMalformed, "report %s has no published date", o.ID)
	}
	page := o.URL
	if page == "" {
		page = o.ID
	}
	if len(page) > report.MaxReceivedURL || len(o.ID) > report.MaxReceivedURL {
		return nil, Refused(ReasonInvalid, "report %s: URL longer than %d bytes", o.ID, report.MaxReceivedURL)
	}
	if u, err := url.Parse(page); err != nil || u.Scheme != "https" && u.Scheme != "http" || !sameHost(page, o.ID) {
		return nil, Refused(ReasonOrigin, "report %s: its page %q is not a web page on its host", o.ID, page)
	}
	names, contents := copyMap(o.NameMap), copyMap(o.ContentMap)
	lang := o.Language
	if lang == "" {
		lang = firstKey(contents, names)
	}
	if lang == "" {
		lang = "und"
	}
	if o.Name != "" && names[lang] == "" {
		names[lang] = o.Name
	}
	if o.Content != "" && contents[lang] == "" {
		contents[lang] = o.Content
	}
	if strings.TrimSpace(names[lang]) == "" {
		return nil, Refused(ReasonMalformed, "report %s has no title in its language %q", o.ID, lang)
	}
	langs := map[string]bool{}
	for l := range names {
		langs[l] = true
	}
	for l := range contents {
		langs[l] = true
	}
	if len(langs) > report.MaxReceivedLanguages {
		return nil, Refused(ReasonInvalid, "report %s in %d languages (at most %d)", o.ID, len(langs), report.MaxReceivedLanguages)
	}
	rec := &report.Received{URI: o.ID, ForumID: forumID, URL: page, Language: lang, PublishedAt: o.Published.UTC(),
		UpdatedAt: o.Published.UTC(), Titles: map[string]string{}, Summaries: map[string]string{}}
	if o.Updated != nil && o.Updated.After(o.Published) {
		rec.UpdatedAt = o.Updated.UTC()
	}
	for l := range langs {
		if len(l) > 35 {
			return nil, Refused(ReasonInvalid, "report %s: language tag of %d bytes", o.ID, len(l))
		}
		title := strings.TrimSpace(names[l])
		if utf8.RuneCountInString(title) > report.MaxTitleLen {
			return nil, Refused(ReasonInvalid, "report %s: title in %s longer than %d characters", o.ID, l, report.MaxTitleLen)
		}
		if len(contents[l]) > report.MaxReceivedContent {
			return nil, Refused(ReasonInvalid, "report %s: content in %s of %d bytes (at most %d)", o.ID, l, len(contents[l]), report.MaxReceivedContent)
		}
		if title != "" {
			rec.Titles[l] = title
		}
		if s := content.PlainSummary(contents[l], report.MaxReceivedSummary); s != "" {
			rec.Summaries[l] = s
		}
	}
	return rec, nil
}

// onForumReportDelete deletes a received report when id is one; handled
// is false for anything else. Only the report's forum may delete it.
func (a *Applier) onForumReportDelete(ctx context.Context, act *ap.Activity, id string) (handled bool, err error) {
	rec, err := a.store(ctx).ReceivedReport(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	fo, err := a.forum(ctx).ForumByURI(ctx, act.Actor)
	if errors.Is(err, forum.ErrNotFound) || err == nil && fo.ID != rec.ForumID {
		return true, Refused(ReasonForbidden, "%s cannot delete the report %s of another forum", act.Actor, id)
	} else if err != nil {
		return true, err
	}
	if err := a.store(ctx).DeleteReceivedReport(ctx, id); err != nil && !errors.Is(err, forum.ErrNotFound) {
		return true, err
	}
	// Remembered, so that a redelivered Create or Update of it is ignored.
	return true, a.store(ctx).AddTombstone(ctx, &stored.Tombstone{URI: id, DeletedAt: a.cfg.Clock.Now()})
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// firstKey is the first language in sort order of the first map that has
// one, so every node picks the same original when none is stated.
func firstKey(maps ...map[string]string) string {
	for _, m := range maps {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			return keys[0]
		}
	}
	return ""
}
