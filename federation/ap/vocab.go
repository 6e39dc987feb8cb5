package ap

import (
	"github.com/go-fed/activity/streams/vocab"
)

// Small interfaces over go-fed's generated types, so Person, Group, Page,
// Note, Create … share one converter instead of one per concrete type
// (the GoToSocial `Accountable`/`Statusable` pattern). Every AS2 type we use
// extends Object and therefore has all of objectSetter/objectGetter.

type objectSetter interface {
	vocab.Type
	SetJSONLDId(vocab.JSONLDIdProperty)
	SetActivityStreamsAttributedTo(vocab.ActivityStreamsAttributedToProperty)
	SetActivityStreamsAudience(vocab.ActivityStreamsAudienceProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
	SetActivityStreamsContent(vocab.ActivityStreamsContentProperty)
	SetActivityStreamsContext(vocab.ActivityStreamsContextProperty)
	SetActivityStreamsInReplyTo(vocab.ActivityStreamsInReplyToProperty)
	SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
	SetActivityStreamsSource(vocab.ActivityStreamsSourceProperty)
	SetActivityStreamsSummary(vocab.ActivityStreamsSummaryProperty)
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsUpdated(vocab.ActivityStreamsUpdatedProperty)
	SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
}

type objectGetter interface {
	vocab.Type
	GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
	GetActivityStreamsAudience() vocab.ActivityStreamsAudienceProperty
	GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
	GetActivityStreamsContent() vocab.ActivityStreamsContentProperty
	GetActivityStreamsContext() vocab.ActivityStreamsContextProperty
	GetActivityStreamsInReplyTo() vocab.ActivityStreamsInReplyToProperty
	GetActivityStreamsName() vocab.ActivityStreamsNameProperty
	GetActivityStreamsPublished() vocab.ActivityStreamsPublishedProperty
	GetActivityStreamsSource() vocab.ActivityStreamsSourceProperty
	GetActivityStreamsSummary() vocab.ActivityStreamsSummaryProperty
	GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	GetActivityStreamsUpdated() vocab.ActivityStreamsUpdatedProperty
	GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
}

type actorSetter interface {
	objectSetter
	SetActivityStreamsFollowers(vocab.ActivityStreamsFollowersProperty)
	SetActivityStreamsFollowing(vocab.ActivityStreamsFollowingProperty)
	SetActivityStreamsInbox(vocab.ActivityStreamsInboxProperty)
	SetActivityStreamsOutbox(vocab.ActivityStreamsOutboxProperty)
	SetActivityStreamsPreferredUsername(vocab.ActivityStreamsPreferredUsernameProperty)
	SetTootDiscoverable(vocab.TootDiscoverableProperty)
	SetTootFeatured(vocab.TootFeaturedProperty)
	SetW3IDSecurityV1PublicKey(vocab.W3IDSecurityV1PublicKeyProperty)
}

type actorGetter interface {
	objectGetter
	GetActivityStreamsFollowers() vocab.ActivityStreamsFollowersProperty
	GetActivityStreamsFollowing() vocab.ActivityStreamsFollowingProperty
	GetActivityStreamsInbox() vocab.ActivityStreamsInboxProperty
	GetActivityStreamsOutbox() vocab.ActivityStreamsOutboxProperty
	GetActivityStreamsPreferredUsername() vocab.ActivityStreamsPreferredUsernameProperty
	GetTootDiscoverable() vocab.TootDiscoverableProperty
	GetTootFeatured() vocab.TootFeaturedProperty
	GetW3IDSecurityV1PublicKey() vocab.W3IDSecurityV1PublicKeyProperty
}

type activitySetter interface {
	objectSetter
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
	SetActivityStreamsTarget(vocab.ActivityStreamsTargetProperty)
}

type activityGetter interface {
	objectGetter
	GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
	GetActivityStreamsTarget() vocab.ActivityStreamsTargetProperty
}

// Collections: the page properties exist only on pages, the item property
// differs between ordered and unordered collections, so these stay separate
// and optional.

type collectionSetter interface {
	vocab.Type
	SetJSONLDId(vocab.JSONLDIdProperty)
	SetActivityStreamsAttributedTo(vocab.ActivityStreamsAttributedToProperty)
	SetActivityStreamsFirst(vocab.ActivityStreamsFirstProperty)
	SetActivityStreamsLast(vocab.ActivityStreamsLastProperty)
	SetActivityStreamsTotalItems(vocab.ActivityStreamsTotalItemsProperty)
}

type collectionGetter interface {
	vocab.Type
	GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
	GetActivityStreamsFirst() vocab.ActivityStreamsFirstProperty
	GetActivityStreamsLast() vocab.ActivityStreamsLastProperty
	GetActivityStreamsTotalItems() vocab.ActivityStreamsTotalItemsProperty
}

type pageSetter interface {
	SetActivityStreamsNext(vocab.ActivityStreamsNextProperty)
	SetActivityStreamsPrev(vocab.ActivityStreamsPrevProperty)
	SetActivityStreamsPartOf(vocab.ActivityStreamsPartOfProperty)
}

type pageGetter interface {
	GetActivityStreamsNext() vocab.ActivityStreamsNextProperty
	GetActivityStreamsPrev() vocab.ActivityStreamsPrevProperty
	GetActivityStreamsPartOf() vocab.ActivityStreamsPartOfProperty
}
