// Package fetch is the one way the node talks HTTP to other servers: it
// fetches remote ActivityPub documents (GetObject) and POSTs deliveries
// (Post), hardened against SSRF and hostile peers (DESIGN.md §5).
//
// Every request, including every redirect hop, goes through the same checks:
//
//   - only http and https URLs, with a host and without userinfo
//     (ErrForbiddenURL); a redirect may not downgrade https to http;
//   - the host must not be blocked (Config.Blocklist, asked with the
//     CanonicalHost of the URL: lower case, punycode, ":port" when named):
//     a blocked host, or a subdomain of a blocked domain, is refused with
//     ErrBlocked before anything is resolved, signed or sent — a redirect
//     to one too, and a delivery;
//   - the host name is resolved with Config.Resolver and EVERY address it
//     resolves to is checked; one refused address refuses the host
//     (ErrForbiddenAddress). Refused: private (10/8, 172.16/12, 192.168/16,
//     fc00::/7), loopback (127/8, ::1) unless Config.AllowLoopback,
//     link-local, unspecified, multicast, broadcast and reserved, CGNAT
//     (100.64/10), 0.0.0.0/8, documentation and benchmark ranges, and the
//     IPv6 forms that carry an IPv4 address (IPv4-mapped and NAT64 are judged
//     by the IPv4 address they carry; IPv4-compatible, 6to4 and Teredo are
//     refused). IPv6 outside 2000::/3 is refused, except ::1 as loopback;
//   - non-loopback peers must use a port in Config.AllowedPorts (80 and 443
//     by default); allowed loopback peers may use any port;
//   - the check happens in the transport's dialer, on every new connection,
//     before any connection attempt, and the connection is made to the
//     checked IP itself, never to the name (no second resolution, so no DNS
//     rebinding). TLS still verifies, and sends SNI for, the host name. A
//     net.Dialer Control hook checks the socket address once more. No proxy
//     is ever used (a proxy would resolve names itself).
//
// Limits: Config.ConnectTimeout covers resolution and dial; Config.Timeout
// covers the whole exchange, redirects and body included; bodies are capped
// at Config.MaxBody both ways (never buffered beyond MaxBody+1 bytes);
// WithBudget caps the number of requests (redirect hops included) made with
// a context, for instance per incoming activity.
//
// GetObject accepts the content types application/activity+json (any
// parameters) and application/ld+json only with a profile parameter naming
// https://www.w3.org/ns/activitystreams (the profile may list several URIs).
// A plain application/ld+json, with no profile or another one, is refused
// with ErrContentType: the same rule as our inbox, and every server we
// federate with (Mastodon, Lemmy, Mbin, NodeBB, Discourse) answers
// application/activity+json anyway. The document's top-level "id" must equal
// the final URL after redirects, compared as exact strings (ErrIDMismatch);
// the URL's fragment is never sent and is dropped before that comparison, so
// fetching https://example.org/u/ana#main-key expects id
// https://example.org/u/ana.
//
// Post does not follow redirects: a 3xx is reported as the status, like any
// other, and the delivery queue decides what to do.
package fetch
