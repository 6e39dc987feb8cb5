package node_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/search"
	"github.com/metropolis/agora/testrig"
)

// translationOn is the version of a post (by its ActivityPub id) in lang
// as p holds it: "title | html", or an error saying what is missing.
func (p *peer) translationOn(uri, lang string) (string, error) {
	ctx := context.Background()
	var post *forum.Post
	var err error
	if k, key := p.URLs.Parse(uri); k != 0 && p.URLs.IsLocal(uri) {
		if th, terr := p.Service.Thread(ctx, key); terr == nil {
			post, err = p.Service.Post(ctx, th.RootPostID)
		} else {
			post, err = p.Service.Post(ctx, key)
		}
	} else {
		post, err = p.Service.PostByURI(ctx, uri)
	}
	if err != nil {
		return "", err
	}
	tr, ok := post.Translations[lang]
	if !ok {
		return "", fmt.Errorf("no %s version (has %d)", lang, len(post.Translations))
	}
	return tr.Title + " | " + tr.HTML, nil
}

// sameTranslation waits until every peer holds want as the post's lang version.
func sameTranslation(t *testing.T, what, uri, lang, want string, peers ...*peer) {
	t.Helper()
	testrig.Eventually(t, what, func() (bool, string) {
		for _, p := range peers {
			got, err := p.translationOn(uri, lang)
			if err != nil || got != want {
				return false, fmt.Sprintf("%s: %q (err %v), want %q", p.name, got, err, want)
			}
		}
		return true, ""
	})
}

// TestTranslationsAcrossNodes: a member of one city translates the hub's
// question; the hub keeps it and sends the question's Update, so the other
// city has it too. A hub member translates a city's answer: the city (its
// origin) keeps it and its Update comes back to the hub and reaches the
// other city. Refusals: a translation into the post's own language, into a
// language the member does not write. The hub's forum texts in each
// language reach the cities' mirrors, and a new one arrives with the
// forum's Update. Search finds a translation by its words in its language.
func TestTranslationsAcrossNodes(t *testing.T) {
	ctx := context.Background()
	hub := startPeer(t, "hub", 1)
	bcn := startPeer(t, "barcelona", 2)
	par := startPeer(t, "paris", 3)
	sec := hub.member(t, "secretariat", "Metropolis Secretariat", "Metropolis", forum.RoleAdmin, "en")
	marta := bcn.member(t, "marta", "Marta Puig", "Barcelona", forum.RoleMember, "es", "ca")
	claire := par.member(t, "claire", "Claire Martin", "Grand Paris", forum.RoleMember, "fr", "en")

	f, err := hub.Service.CreateForum(ctx, forum.SystemActor(), forum.ForumInput{Slug: "digitalisation", Language: "en",
		Texts: map[string]forum.ForumText{
			"en": {Title: "Learning forum on digitalisation", Description: "How cities use ICTs."},
			"es": {Title: "Foro de aprendizaje sobre digitalización", Description: "Cómo usan las ciudades las TIC."}}})
	if err != nil {
		t.Fatal(err)
	}
	join(t, bcn, hub, f)
	join(t, par, hub, f)
	forumURI := hub.URLs.Forum(f.Slug)
	mirrorText := func(p *peer, lang string) (forum.ForumText, error) {
		m, err := p.Service.ForumByURI(ctx, forumURI)
		if err != nil {
			return forum.ForumText{}, err
		}
		return m.Texts[lang], nil
	}
	if got, err := mirrorText(bcn, "es"); err != nil || got.Title != "Foro de aprendizaje sobre digitalización" || got.Description != "Cómo usan las ciudades las TIC." {
		t.Errorf("barcelona's mirror in Spanish: %+v (err %v)", got, err)
	}
	// A French version added on the hub reaches the mirrors (Update{Group}).
	if _, err := hub.Service.UpdateForum(ctx, sec, f.ID, forum.ForumInput{Language: "en", Texts: map[string]forum.ForumText{
		"en": {Title: "Learning forum on digitalisation", Description: "How cities use ICTs."},
		"es": {Title: "Foro de aprendizaje sobre digitalización", Description: "Cómo usan las ciudades las TIC."},
		"fr": {Title: "Forum d'apprentissage sur la numérisation", Description: "Comment les villes utilisent les TIC."}}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*peer{bcn, par} {
		testrig.Eventually(t, p.name+" gets the forum's French texts", func() (bool, string) {
			got, err := mirrorText(p, "fr")
			return err == nil && got.Title == "Forum d'apprentissage sur la numérisation" && got.Description == "Comment les villes utilisent les TIC.",
				fmt.Sprintf("%+v (err %v)", got, err)
		})
	}

	// Barcelona translates the hub's question into Spanish.
	q := hub.ask(t, sec, f, "Has Covid-19 been a turning point for internet access?", "Tell us what your city did.")
	qURI := hub.URLs.Thread(q.ID)
	same(t, "question everywhere", qURI, hub, bcn, par)
	onBcn, err := bcn.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bcn.Service.TranslatePost(ctx, marta, onBcn.RootPostID, forum.TranslationInput{Language: "en",
		Title: "Same language", Body: "Not a translation."})
	var ve *forum.ValidationError
	if !errors.As(err, &ve) || ve.Code != "error.translation_same_language" {
		t.Fatalf("translation into the post's own language: %v; want error.translation_same_language", err)
	}
	if _, err := bcn.Service.TranslatePost(ctx, marta, onBcn.RootPostID, forum.TranslationInput{Language: "de",
		Title: "Eine Frage", Body: "Nicht ihre Sprache."}); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("translation into a language the member does not write: %v; want ErrForbidden", err)
	}
	esTitle := "¿Ha sido la Covid-19 un punto de inflexión para el acceso a internet?"
	if _, err := bcn.Service.TranslatePost(ctx, marta, onBcn.RootPostID, forum.TranslationInput{Language: "es",
		Title: esTitle, Body: "Cuéntenos qué hizo su ciudad con los telecentros."}); err != nil {
		t.Fatal(err)
	}
	want := esTitle + " | <p>Cuéntenos qué hizo su ciudad con los telecentros.</p>\n"
	sameTranslation(t, "the Spanish question on the hub and both cities", qURI, "es", want, hub, par, bcn)
	// The hub indexes it in Spanish, in the transaction that stored it.
	hits, err := hub.DB.Store().FindPosts(ctx, search.PostQuery{Parsed: search.Parse("telecentros"), Limit: 10})
	if err != nil || len(hits) != 1 || hits[0].PostID != q.ID {
		t.Errorf("hub search for the Spanish word: %+v (err %v); want the question", hits, err)
	}

	// Paris answers in French; the hub's secretariat (who writes English)
	// translates it: Paris, its origin, keeps it and sends the Update.
	tp, err := par.threadOn(qURI)
	if err != nil {
		t.Fatal(err)
	}
	a, err := par.Service.Reply(ctx, claire, tp.ID, "", forum.Answer{Body: "Des ordinateurs reconditionnés pour les familles.", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	aURI := par.URLs.Post(a.ID)
	same(t, "the answer everywhere", qURI, hub, bcn, par)
	onHub, err := hub.Service.PostByURI(ctx, aURI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Service.TranslatePost(ctx, sec, onHub.ID, forum.TranslationInput{Language: "en",
		Body: "Refurbished computers for families."}); err != nil {
		t.Fatal(err)
	}
	sameTranslation(t, "the English answer at its origin, back on the hub and on the other city", aURI, "en",
		" | <p>Refurbished computers for families.</p>\n", par, hub, bcn)
	// The answer's text itself is unchanged everywhere.
	same(t, "answers unchanged", qURI, hub, bcn, par)
}
