package demo

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// browser is a person at a node's web pages: a cookie jar, forms with their
// CSRF token, no JavaScript. The demo seeds every node through it.
type browser struct {
	base string
	c    *http.Client
}

func newBrowser(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get returns a page's body; anything but 200 is an error.
func (b *browser) get(path string) (string, error) {
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(body), nil
}

func (b *browser) csrf() (string, error) {
	u, _ := url.Parse(b.base)
	for i := 0; i < 2; i++ {
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "agora_csrf" {
				return c.Value, nil
			}
		}
		if _, err := b.get("/"); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%s gave no CSRF cookie", b.base)
}

// submit posts a form and returns the redirect target (303) or, for a
// page answered directly (200), its body.
func (b *browser) submit(path string, form url.Values) (location, body string, err error) {
	token, err := b.csrf()
	if err != nil {
		return "", "", err
	}
	form.Set("csrf", token)
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	switch resp.StatusCode {
	case http.StatusSeeOther:
		return resp.Header.Get("Location"), "", nil
	case http.StatusOK:
		return "", string(raw), nil
	}
	return "", "", fmt.Errorf("POST %s: %s: %s", path, resp.Status, firstError(string(raw)))
}

var errorText = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)<`)

// firstError is the message a refused form shows, for the demo's errors.
func firstError(page string) string {
	if m := errorText.FindStringSubmatch(page); m != nil {
		return strings.TrimSpace(m[1])
	}
	return "no message"
}
