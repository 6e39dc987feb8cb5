package mastoapi

import "github.com/metropolis/agora/oauth"

// Granular scopes each endpoint needs (Mastodon's documentation of each
// method names them); a token with the top-level scope has them all.
const (
	readAccounts      oauth.Scope = "read:accounts"
	readFollows       oauth.Scope = "read:follows"
	writeFollows      oauth.Scope = "write:follows"
	readStatuses      oauth.Scope = "read:statuses"
	writeStatuses     oauth.Scope = "write:statuses"
	writeFavourites   oauth.Scope = "write:favourites"
	readFavourites    oauth.Scope = "read:favourites"
	readBookmarks     oauth.Scope = "read:bookmarks"
	writeBookmarks    oauth.Scope = "write:bookmarks"
	readNotifications oauth.Scope = "read:notifications"
	writeNotification oauth.Scope = "write:notifications"
	readSearch        oauth.Scope = "read:search"
	readBlocks        oauth.Scope = "read:blocks"
	readMutes         oauth.Scope = "read:mutes"
	readLists         oauth.Scope = "read:lists"
	readFilters       oauth.Scope = "read:filters"
	writeMedia        oauth.Scope = "write:media"
)

// routes is the API's one route table: a newcomer finds an endpoint from
// its URL here, and what it needs.
func (a *API) routes() []route {
	rs := []route{
		// OAuth and apps.
		{"POST /api/v1/apps", public(), a.createApp},
		{"GET /api/v1/apps/verify_credentials", appToken(oauth.ScopeRead), a.verifyApp},
		{"POST /oauth/token", public(), a.token},
		{"POST /oauth/revoke", public(), a.revoke},
		{"GET /.well-known/oauth-authorization-server", public(), a.discovery},

		// The instance.
		{"GET /api/v1/instance", public(), a.instanceV1},
		{"GET /api/v2/instance", public(), a.instanceV2},
		{"GET /api/v1/custom_emojis", public(), a.emptyList},
		{"GET /api/v1/preferences", memberToken(readAccounts), a.preferences},

		// Accounts: members, forums (group: true), thread actors.
		{"GET /api/v1/accounts/verify_credentials", memberToken(readAccounts), a.verifyCredentials},
		{"GET /api/v1/accounts/relationships", memberToken(readFollows), a.relationships},
		{"GET /api/v1/accounts/lookup", publicOr(readAccounts), a.lookup},
		{"GET /api/v1/accounts/search", memberToken(readAccounts), a.accountSearch},
		{"GET /api/v1/accounts/{id}", publicOr(readAccounts), a.account},
		{"GET /api/v1/accounts/{id}/statuses", publicOr(readStatuses), a.accountStatuses},
		{"GET /api/v1/accounts/{id}/followers", publicOr(readAccounts), a.emptyList},
		{"GET /api/v1/accounts/{id}/following", publicOr(readAccounts), a.emptyList},
		{"POST /api/v1/accounts/{id}/follow", memberToken(writeFollows), a.follow(true)},
		{"POST /api/v1/accounts/{id}/unfollow", memberToken(writeFollows), a.follow(false)},
		{"GET /api/v1/accounts/{id}/featured_tags", publicOr(readAccounts), a.emptyList},
		{"GET /api/v1/accounts/{id}/lists", memberToken(readLists), a.emptyList},
		{"GET /api/v1/follow_requests", memberToken(readFollows), a.emptyList},

		// What apps ask for at start that agora has none of: an empty
		// list, never a 404 (apps take that for a broken server), behind
		// the scope Mastodon asks for, so a token's limits show the same.
		{"GET /api/v1/blocks", memberToken(readBlocks), a.emptyList},
		{"GET /api/v1/domain_blocks", memberToken(readBlocks), a.emptyList},
		{"GET /api/v1/mutes", memberToken(readMutes), a.emptyList},
		{"GET /api/v1/lists", memberToken(readLists), a.emptyList},
		{"GET /api/v1/filters", memberToken(readFilters), a.emptyList},
		{"GET /api/v2/filters", memberToken(readFilters), a.emptyList},
		{"GET /api/v1/followed_tags", memberToken(readFollows), a.emptyList},
		{"GET /api/v1/endorsements", memberToken(readAccounts), a.emptyList},
		{"GET /api/v1/featured_tags", memberToken(readAccounts), a.emptyList},
		{"GET /api/v1/featured_tags/suggestions", memberToken(readAccounts), a.emptyList},
		{"GET /api/v1/suggestions", memberToken(oauth.ScopeRead), a.emptyList},
		{"GET /api/v2/suggestions", memberToken(oauth.ScopeRead), a.emptyList},
		{"GET /api/v1/conversations", memberToken(readStatuses), a.emptyList},
		{"GET /api/v1/scheduled_statuses", memberToken(readStatuses), a.emptyList},
		{"GET /api/v1/announcements", publicOr(oauth.ScopeRead), a.emptyList},
		{"GET /api/v1/trends", public(), a.emptyList},
		{"GET /api/v1/trends/tags", public(), a.emptyList},
		{"GET /api/v1/trends/statuses", public(), a.emptyList},
		{"GET /api/v1/trends/links", public(), a.emptyList},

		// Images: uploaded first, then named by a status (media_ids).
		// An upload is its uploader's alone until a post takes it.
		{"POST /api/v1/media", upload(writeMedia), a.uploadMedia},
		{"POST /api/v2/media", upload(writeMedia), a.uploadMedia},
		{"GET /api/v1/media/{id}", memberToken(writeMedia), a.getMedia},
		{"PUT /api/v1/media/{id}", memberToken(writeMedia), a.describeMedia},
		{"GET /api/v1/media/{id}/file", memberToken(writeMedia), a.mediaFile},

		// Statuses: questions and answers.
		{"POST /api/v1/statuses", memberToken(writeStatuses), a.createStatus},
		{"GET /api/v1/statuses/{id}", publicOr(readStatuses), a.getStatus},
		{"PUT /api/v1/statuses/{id}", memberToken(writeStatuses), a.editStatus},
		{"DELETE /api/v1/statuses/{id}", memberToken(writeStatuses), a.deleteStatus},
		{"GET /api/v1/statuses/{id}/context", publicOr(readStatuses), a.statusContext},
		{"GET /api/v1/statuses/{id}/source", memberToken(readStatuses), a.statusSource},
		{"GET /api/v1/statuses/{id}/favourited_by", publicOr(readAccounts), a.emptyList},
		{"GET /api/v1/statuses/{id}/reblogged_by", publicOr(readAccounts), a.emptyList},
		{"POST /api/v1/statuses/{id}/favourite", memberToken(writeFavourites), a.favourite(true)},
		{"POST /api/v1/statuses/{id}/unfavourite", memberToken(writeFavourites), a.favourite(false)},
		{"POST /api/v1/statuses/{id}/bookmark", memberToken(writeBookmarks), a.bookmark(true)},
		{"POST /api/v1/statuses/{id}/unbookmark", memberToken(writeBookmarks), a.bookmark(false)},

		// Timelines.
		{"GET /api/v1/timelines/home", memberToken(readStatuses), a.home},
		{"GET /api/v1/timelines/public", publicOr(readStatuses), a.publicTimeline},
		{"GET /api/v1/timelines/tag/{tag}", publicOr(readStatuses), a.tagTimeline},
		{"GET /api/v1/bookmarks", memberToken(readBookmarks), a.bookmarks},
		{"GET /api/v1/favourites", memberToken(readFavourites), a.emptyList},

		// Notifications and markers.
		{"GET /api/v1/notifications", memberToken(readNotifications), a.notifications},
		{"GET /api/v1/notifications/{id}", memberToken(readNotifications), a.notification},
		{"POST /api/v1/notifications/clear", memberToken(writeNotification), a.clearNotifications},
		{"POST /api/v1/notifications/{id}/dismiss", memberToken(writeNotification), a.dismiss},
		{"GET /api/v1/markers", memberToken(readStatuses), a.markers},
		{"POST /api/v1/markers", memberToken("write:statuses"), a.saveMarkers},

		// Search.
		{"GET /api/v2/search", publicOr(readSearch), a.search},
	}
	if a.cfg.Live != nil {
		rs = append(rs,
			route{"GET /api/v1/streaming", memberToken(readStatuses), a.stream},
			route{"GET /api/v1/streaming/health", public(), a.streamHealth},
		)
	}
	return rs
}
