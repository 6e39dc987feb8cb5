package demo

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var postArticle = regexp.MustCompile(`<article id="p-([0-9a-z]{26})"`)

// postIDOn finds, on a thread page, the id of the post showing snippet.
func postIDOn(page, snippet string) (string, error) {
	at := strings.Index(page, snippet)
	if at < 0 {
		return "", fmt.Errorf("no post shows %q", snippet)
	}
	ms := postArticle.FindAllStringSubmatchIndex(page[:at], -1)
	if len(ms) == 0 {
		return "", fmt.Errorf("no post before %q", snippet)
	}
	m := ms[len(ms)-1]
	return page[m[2]:m[3]], nil
}

// publishReport is the hub moderator's work after the debate: mark the
// good practices on the threads' pages, compose the report (the three
// questions, highlights, boxed good practices, introduction and
// conclusion in several languages) and publish it. It returns the
// report's path.
func publishReport(mod *browser, threads map[string]string) (string, error) {
	form := url.Values{"language": {"en"}}
	for lang, t := range reportTexts {
		form.Set("title."+lang, t[0])
		form.Set("introduction."+lang, t[1])
		form.Set("conclusion."+lang, t[2])
	}
	for i, q := range questions {
		path := threads[q.title]
		id := strings.TrimPrefix(path, "/t/")
		form.Add("q", id)
		form.Set("pos."+id, strconv.Itoa(i+1))
		for lang, md := range highlights[i] {
			form.Set("hl."+id+"."+lang, md)
		}
		page, err := mod.get(path)
		if err != nil {
			return "", err
		}
		for _, a := range answers {
			if a.question != i || !a.good {
				continue
			}
			postID, err := postIDOn(page, answerSnippet(a))
			if err != nil {
				return "", fmt.Errorf("%s: %w", q.title, err)
			}
			if _, _, err := mod.submit("/p/"+postID+"/good-practice", url.Values{"on": {"1"}}); err != nil {
				return "", fmt.Errorf("mark %s: %w", postID, err)
			}
			form.Add("box."+id, postID)
		}
	}
	at, _, err := mod.submit("/f/digitalisation/reports/new", form)
	if err != nil {
		return "", err
	}
	if at == "" {
		return "", fmt.Errorf("the report was not saved")
	}
	if _, _, err := mod.submit(at+"/publish", url.Values{}); err != nil {
		return "", err
	}
	return at, nil
}
