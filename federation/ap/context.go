package ap

// ContentType is the media type ActivityPub documents are sent and served
// as.
const ContentType = "application/activity+json"

// The JSON-LD namespaces every document we send declares.
const (
	nsActivityStreams = "https://www.w3.org/ns/activitystreams"
	nsSecurity        = "https://w3id.org/security/v1"
)

// jsonLDContext is the @context of every document Marshal writes. It replaces
// the one streams.Serialize builds, which is assembled from a Go map (so its
// order changes between runs), names the Mastodon vocabulary without its
// trailing "#", and knows none of the extension terms below.
//
// Terms follow the servers that read them: Mastodon for
// manuallyApprovesFollowers, sensitive, discoverable, indexable, featured,
// PropertyValue and value (its "schema" prefix ends in "#"); Lemmy's
// context.json for postingRestrictedToMods and for the `language` object,
// which Lemmy maps to schema.org's inLanguage/identifier under the prefix
// "sc" ("http://schema.org/", with a slash). The language object's `name` is
// plain as:name, already defined by the ActivityStreams context. An
// Event's terms follow FEP-8a8e: timezone and joinMode in its namespace,
// an online location as schema.org's VirtualLocation, its status as
// ical:status (the prefix Mobilizon uses).
func jsonLDContext() []any {
	return []any{
		nsActivityStreams,
		nsSecurity,
		map[string]any{
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			"sensitive":                 "as:sensitive",
			"Hashtag":                   "as:Hashtag",
			"toot":                      "http://joinmastodon.org/ns#",
			"discoverable":              "toot:discoverable",
			"indexable":                 "toot:indexable",
			"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
			"schema":                    "http://schema.org#",
			"PropertyValue":             "schema:PropertyValue",
			"value":                     "schema:value",
			"lemmy":                     "https://join-lemmy.org/ns#",
			"postingRestrictedToMods":   "lemmy:postingRestrictedToMods",
			"sc":                        "http://schema.org/",
			"language":                  "sc:inLanguage",
			"identifier":                "sc:identifier",
			"VirtualLocation":           "sc:VirtualLocation",
			"timezone":                  "https://w3id.org/fep/8a8e/timezone",
			"joinMode":                  "https://w3id.org/fep/8a8e/joinMode",
			"ical":                      "http://www.w3.org/2002/12/cal/ical#",
		},
	}
}
