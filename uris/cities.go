package uris

import "net/url"

// CitiesPath lists the cities that take part.
func CitiesPath() string { return "/cities" }

// CityPath is one city's page.
func CityPath(id string) string { return "/cities/" + url.PathEscape(id) }

// MembersPath is the member directory.
func MembersPath() string { return "/members" }
