package forum

import (
	"strconv"
	"strings"
)

// Page sizes. Lists are paged by cursor (the position of the last item
// shown), never by OFFSET, so a page costs the same at any depth.
const (
	ThreadPageSize = 30
	PostPageSize   = 50
	AdminPageSize  = 50
	ForumPageSize  = 50
)

// Page is one page of a list. Next is the cursor of the following page,
// empty on the last one.
type Page[T any] struct {
	Items []T
	Next  string
}

// pageOf trims a list fetched with limit+1 items to limit and makes the
// cursor of the next page from the last item kept.
func pageOf[T any](items []T, err error, limit int, cursor func(T) string) (Page[T], error) {
	if err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = cursor(items[limit-1])
	}
	return p, nil
}

func badCursor() error { return invalid("cursor", "error.cursor", "is not a valid page") }

func decodeIDCursor(s string) (ID, error) {
	if s == "" || ValidID(s) {
		return s, nil
	}
	return "", badCursor()
}

func encodeThreadCursor(t *Thread) string {
	p := "0"
	if t.Pinned {
		p = "1"
	}
	return p + "." + t.LastPostID + "." + t.ID
}

func decodeThreadCursor(s string) (ThreadCursor, error) {
	if s == "" {
		return ThreadCursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") || !ValidID(parts[1]) || !ValidID(parts[2]) {
		return ThreadCursor{}, badCursor()
	}
	return ThreadCursor{Pinned: parts[0] == "1", LastPostID: parts[1], ID: parts[2]}, nil
}

func encodePostCursor(p *Post) string { return p.BranchID + "." + p.ID }

func decodePostCursor(s string) (PostCursor, error) {
	if s == "" {
		return PostCursor{}, nil
	}
	branch, id, ok := strings.Cut(s, ".")
	if !ok || !ValidID(branch) || !ValidID(id) {
		return PostCursor{}, badCursor()
	}
	return PostCursor{BranchID: branch, ID: id}, nil
}

// A helpful-order cursor is "h.<answer><plain>.<helpful>.<branch>.<id>"
// ("h.11.4.<branch>.<id>"): its own form, so a time-order cursor is refused
// rather than misread.
func encodeHelpfulCursor(c HelpfulCursor) string {
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	return "h." + b(c.Answer) + b(c.Plain) + "." + strconv.Itoa(c.Helpful) + "." + c.BranchID + "." + c.ID
}

func decodeHelpfulCursor(s string) (HelpfulCursor, error) {
	if s == "" {
		return HelpfulCursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 5 || parts[0] != "h" || len(parts[1]) != 2 || strings.Trim(parts[1], "01") != "" {
		return HelpfulCursor{}, badCursor()
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 || !ValidID(parts[3]) || !ValidID(parts[4]) {
		return HelpfulCursor{}, badCursor()
	}
	return HelpfulCursor{Answer: parts[1][0] == '1', Plain: parts[1][1] == '1', Helpful: n, BranchID: parts[3], ID: parts[4]}, nil
}

func encodeForumCursor(f *Forum) string { return strconv.Itoa(f.Position) + "." + f.ID }

func decodeForumCursor(s string) (ForumCursor, error) {
	if s == "" {
		return ForumCursor{}, nil
	}
	pos, id, ok := strings.Cut(s, ".")
	n, err := strconv.Atoi(pos)
	if !ok || err != nil || !ValidID(id) {
		return ForumCursor{}, badCursor()
	}
	return ForumCursor{Position: n, ID: id}, nil
}
