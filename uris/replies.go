package uris

// RepliesPath is the replies collection of a post (GoToSocial and
// Mastodon walk it to find a post's answers): /t/{id}/replies for a
// question, /p/{id}/replies for an answer.
func RepliesPath(postPath string) string { return postPath + "/replies" }
