package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/metropolis/agora/forum"
)

// translatedLanguages are the languages create-forum has --title-<lang>
// and --description-<lang> flags for.
func translatedLanguages() []string { return []string{"en", "es", "fr", "pt", "ar"} }

// forumFlags are create-forum's flags.
type forumFlags struct {
	title, description, language string
	position                     int
	titles, descriptions         map[string]*string // by language
}

func addForumFlags(fs *flagSet) *forumFlags {
	f := &forumFlags{titles: map[string]*string{}, descriptions: map[string]*string{}}
	fs.StringVar(&f.title, "title", "", "title in the forum's language (required)")
	fs.StringVar(&f.description, "description", "", "description in the forum's language (markdown is not rendered)")
	fs.StringVar(&f.language, "language", "en", "the forum's original language")
	fs.IntVar(&f.position, "position", 0, "place in the forum list: lower comes first (ties: oldest first)")
	for _, l := range translatedLanguages() {
		f.titles[l] = fs.String("title-"+l, "", "title in "+languageName(l))
		f.descriptions[l] = fs.String("description-"+l, "", "description in "+languageName(l))
	}
	return f
}

// input turns the flags into the domain's ForumInput: --title and
// --description are in --language, --title-es and friends are translations.
func (f *forumFlags) input(slug string) (forum.ForumInput, error) {
	lang := strings.ToLower(strings.TrimSpace(f.language))
	texts := map[string]forum.ForumText{lang: {Title: f.title, Description: f.description}}
	for _, l := range translatedLanguages() {
		t := forum.ForumText{Title: *f.titles[l], Description: *f.descriptions[l]}
		if t == (forum.ForumText{}) {
			continue
		}
		if l == lang {
			return forum.ForumInput{}, usageErrorf(
				"admin create-forum: --title-%[1]s/--description-%[1]s repeat the forum's own language: use --title and --description", l)
		}
		texts[l] = t
	}
	return forum.ForumInput{Slug: slug, Position: f.position, Language: lang, Texts: texts}, nil
}

func adminCreateForum(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin create-forum", "<slug> --title TITLE [flags]", strings.TrimSpace(`
Create a forum. Its slug is part of its address (/f/<slug>) and never
changes: 2 to 40 lowercase letters, digits or single hyphens.
Example:
  agora admin create-forum digitalisation --title "Learning forum on digitalisation" \
    --title-es "Foro de aprendizaje sobre digitalización" \
    --title-fr "Forum d'apprentissage sur la numérisation"`))
	ff := addForumFlags(fs)
	fs.check = func() error { return required(fs, "title", ff.title) }
	return withApp(ctx, fs, cio, args, []string{"<slug>"}, func(a *app, args []string) error {
		in, err := ff.input(args[0])
		if err != nil {
			return err
		}
		f, err := a.svc.CreateForum(ctx, forum.SystemActor(), in)
		if err != nil {
			return fmt.Errorf("create forum: %w", err)
		}
		fmt.Fprintf(cio.stdout, "Created forum %q in %s: %s\n", f.Slug, strings.Join(sortedKeys(f.Texts), ", "), a.urls.Forum(f.Slug))
		return nil
	})
}

func adminListForums(ctx context.Context, cio cmdIO, args []string) error {
	fs := newFlagSet("admin list-forums", "[flags]", "List the forums in the order the forum list shows them.")
	return withApp(ctx, fs, cio, args, nil, func(a *app, _ []string) error {
		tw := tabwriter.NewWriter(cio.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "POSITION\tSLUG\tLANGUAGES\tTITLE\tURL")
		cursor := ""
		for {
			page, err := a.svc.ListForums(ctx, cursor)
			if err != nil {
				return fmt.Errorf("list forums: %w", err)
			}
			for _, f := range page.Items {
				text, _ := f.Text()
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", f.Position, f.Slug,
					strings.Join(sortedKeys(f.Texts), ","), text.Title, a.urls.Forum(f.Slug))
			}
			if cursor = page.Next; cursor == "" {
				return tw.Flush()
			}
		}
	})
}

func languageName(tag string) string {
	switch tag {
	case "en":
		return "English"
	case "es":
		return "Spanish"
	case "fr":
		return "French"
	case "pt":
		return "Portuguese"
	case "ar":
		return "Arabic"
	}
	return tag
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
