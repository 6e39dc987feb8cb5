package signature

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-fed/httpsig"
)

// The header lists, in one place. Transport signs exactly these; Verify
// requires at least these.
const (
	hdrRequestTarget = httpsig.RequestTarget // "(request-target)"
	hdrHost          = "host"
	hdrDate          = "date"
	hdrDigest        = "digest"
)

var (
	// headersNoBody are signed on GET and HEAD (and any request without a body).
	headersNoBody = []string{hdrRequestTarget, hdrHost, hdrDate}
	// headersWithBody are signed on POST and PUT (and any request with a body).
	headersWithBody = []string{hdrRequestTarget, hdrHost, hdrDate, hdrDigest}
)

// Algorithm names as they appear in the Signature header's algorithm parameter.
const (
	algHS2019    = "hs2019"
	algRSASHA256 = string(httpsig.RSA_SHA256) // "rsa-sha256"
	algEd25519   = string(httpsig.ED25519)    // "ed25519"
)

// hasBody reports whether a request of this method with a body of n bytes
// must carry (and sign) a Digest.
func hasBody(method string, n int) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return n > 0
}

// requiredHeaders is the list a request must sign.
func requiredHeaders(method string, bodyLen int) []string {
	if hasBody(method, bodyLen) {
		return headersWithBody
	}
	return headersNoBody
}

// sigParams is a parsed draft-cavage Signature header.
type sigParams struct {
	keyID     string
	algorithm string   // lower case; "" if absent
	headers   []string // lower case; nil if the parameter was absent
	signature string   // base64, checked to decode
	created   string   // digits or ""
	expires   string   // digits or ""
}

// parseSignature parses a draft-cavage Signature header strictly:
// comma-separated key="value" pairs (created and expires may be bare
// digits), no duplicate keys, no quotes or commas inside values. Being
// strict lets format produce a header go-fed/httpsig reads exactly as we
// did, so there is no parser differential between our checks and its
// verification.
func parseSignature(s string) (sigParams, error) {
	var p sigParams
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return p, fmt.Errorf("parameter %q is not key=value", item)
		}
		if seen[k] {
			return p, fmt.Errorf("duplicate parameter %q", k)
		}
		seen[k] = true
		quoted := len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"'
		if quoted {
			v = v[1 : len(v)-1]
		}
		if strings.ContainsAny(v, "\"\\") {
			return p, fmt.Errorf("parameter %q: bad quoting", k)
		}
		switch k {
		case "keyId":
			p.keyID = v
		case "algorithm":
			p.algorithm = strings.ToLower(v)
		case "headers":
			p.headers = strings.Fields(strings.ToLower(v))
			if len(p.headers) == 0 {
				return p, fmt.Errorf("empty headers parameter")
			}
		case "signature":
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				return p, fmt.Errorf("signature is not base64")
			}
			p.signature = v
		case "created", "expires":
			if _, err := strconv.ParseUint(v, 10, 63); err != nil {
				return p, fmt.Errorf("parameter %q is not a timestamp", k)
			}
			if k == "created" {
				p.created = v
			} else {
				p.expires = v
			}
		}
		if k != "created" && k != "expires" && !quoted {
			return p, fmt.Errorf("parameter %q is not quoted", k)
		}
	}
	switch {
	case p.keyID == "":
		return p, fmt.Errorf("missing keyId")
	case p.signature == "":
		return p, fmt.Errorf("missing signature")
	}
	return p, nil
}

// format writes p back as a Signature header value. parseSignature
// guarantees no value contains a comma or a quote.
func (p sigParams) format() string {
	var b strings.Builder
	b.WriteString(`keyId="` + p.keyID + `"`)
	if p.algorithm != "" {
		b.WriteString(`,algorithm="` + p.algorithm + `"`)
	}
	if p.created != "" {
		b.WriteString(",created=" + p.created)
	}
	if p.expires != "" {
		b.WriteString(",expires=" + p.expires)
	}
	if p.headers != nil {
		b.WriteString(`,headers="` + strings.Join(p.headers, " ") + `"`)
	}
	b.WriteString(`,signature="` + p.signature + `"`)
	return b.String()
}

// signs reports whether the signed list includes name.
func (p sigParams) signs(name string) bool {
	for _, h := range p.headers {
		if h == name {
			return true
		}
	}
	return false
}
