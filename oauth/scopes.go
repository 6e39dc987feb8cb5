package oauth

import (
	"slices"
	"strings"
)

// Scope is one of Mastodon's OAuth scopes: a top-level one (read, write,
// follow, push, profile) or a granular one (read:statuses, write:favourites…).
type Scope string

// Top-level scopes.
const (
	ScopeRead    Scope = "read"
	ScopeWrite   Scope = "write"
	ScopeFollow  Scope = "follow"
	ScopePush    Scope = "push"
	ScopeProfile Scope = "profile"
)

// granular lists the sub-scopes Mastodon defines under read and write
// (its documentation's OAuth scopes page). Anything else is refused as
// invalid_scope, so a typo never silently grants less (or more).
var granular = map[Scope][]string{
	ScopeRead: {"accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
		"notifications", "search", "statuses"},
	ScopeWrite: {"accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
		"lists", "media", "mutes", "notifications", "reports", "statuses"},
}

// followCovers is what the legacy "follow" scope grants, as Mastodon keeps it.
var followCovers = []Scope{"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}

// Known reports whether s is a scope Mastodon defines.
func (s Scope) Known() bool {
	switch s {
	case ScopeRead, ScopeWrite, ScopeFollow, ScopePush, ScopeProfile:
		return true
	}
	top, sub, ok := strings.Cut(string(s), ":")
	return ok && slices.Contains(granular[Scope(top)], sub)
}

// Scopes is a set of granted scopes, kept in the order given.
type Scopes []Scope

// ParseScopes reads a space-separated scope list (as OAuth sends it; "+"
// is how some clients encode the space in a query). It returns ok=false
// if any scope is unknown. Duplicates are dropped.
func ParseScopes(s string) (Scopes, bool) {
	var out Scopes
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '+' || r == ',' }) {
		sc := Scope(f)
		if !sc.Known() {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, true
}

// String is the space-separated form OAuth and Mastodon's entities use.
func (ss Scopes) String() string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

// Allows reports whether the set grants need: itself, its top-level
// scope (read grants read:statuses), or "follow" for the follow-related
// granular scopes.
func (ss Scopes) Allows(need Scope) bool {
	for _, s := range ss {
		if s == need {
			return true
		}
		if top, _, ok := strings.Cut(string(need), ":"); ok && s == Scope(top) {
			return true
		}
		if s == ScopeFollow && slices.Contains(followCovers, need) {
			return true
		}
	}
	return false
}

// Covers reports whether every scope of other is allowed by ss: a token
// may ask for no more than its app registered.
func (ss Scopes) Covers(other Scopes) bool {
	for _, s := range other {
		if !ss.Allows(s) {
			// "follow" requested by an app registered with read and write
			// (the follow scopes are granular ones of both): allowed.
			if s == ScopeFollow && allAllowed(ss, followCovers) {
				continue
			}
			return false
		}
	}
	return true
}

func allAllowed(ss Scopes, need []Scope) bool {
	for _, n := range need {
		if !ss.Allows(n) {
			return false
		}
	}
	return true
}

// GranularScopes lists every granular scope, read: then write:.
func GranularScopes() []string {
	var out []string
	for _, top := range []Scope{ScopeRead, ScopeWrite} {
		for _, sub := range granular[top] {
			out = append(out, string(top)+":"+sub)
		}
	}
	return out
}
