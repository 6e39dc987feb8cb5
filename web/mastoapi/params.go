package mastoapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// params are a request's parameters from its query and body, whatever
// the body's type (JSON, form or multipart): Mastodon clients use all
// three. Array names lose their "[]".
type params map[string][]string

// maxBody caps a request body: a status at the length limit fits many
// times over. Media uploads are not taken.
const maxBody = 1 << 20

func readParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{}
	for k, v := range r.URL.Query() {
		p.add(k, v...)
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "application/json":
		err = p.addJSON(r)
	case "multipart/form-data":
		if err = r.ParseMultipartForm(maxBody); err == nil {
			for k, v := range r.MultipartForm.Value {
				p.add(k, v...)
			}
		}
	default:
		if err = r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				p.add(k, v...)
			}
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, id: "api.error.body_too_large"}
	} else if err != nil {
		return nil, badRequest("api.error.malformed")
	}
	return p, nil
}

func (p params) add(k string, v ...string) {
	k = strings.TrimSuffix(k, "[]")
	p[k] = append(p[k], v...)
}

// addJSON flattens a JSON object's top-level members: strings, numbers,
// booleans and arrays of them. Nested objects (a poll, filters) are not
// taken by agora and are left out.
func (p params) addJSON(r *http.Request) error {
	var body map[string]json.RawMessage
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil {
		return fmt.Errorf("json body: %w", err)
	}
	for k, raw := range body {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			if len(list) == 0 {
				// Given, and empty: "media_ids": [] on an edit removes
				// every image, where no media_ids keeps them.
				if key := strings.TrimSuffix(k, "[]"); p[key] == nil {
					p[key] = []string{}
				}
			}
			for i, item := range list {
				if s, ok := scalar(item); ok {
					p.add(k, s)
					continue
				}
				// A list of objects, as an indexed form writes it:
				// media_attributes[0][id], media_attributes[0][description]
				// (by index, so an entry without a field shifts no other).
				var obj map[string]json.RawMessage
				if json.Unmarshal(item, &obj) == nil {
					for k2, v := range obj {
						if s, ok := scalar(v); ok {
							p.add(strings.TrimSuffix(k, "[]")+"["+strconv.Itoa(i)+"]["+k2+"]", s)
						}
					}
				}
			}
			continue
		}
		if s, ok := scalar(raw); ok {
			p.add(k, s)
			continue
		}
		// One level of nesting, as a form writes it: home[last_read_id].
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil {
			for k2, v := range obj {
				if s, ok := scalar(v); ok {
					p.add(k+"["+k2+"]", s)
				} else if json.Unmarshal(v, &list) == nil {
					// poll[options]: a list one level down.
					for _, item := range list {
						if s, ok := scalar(item); ok {
							p.add(k+"["+k2+"]", s)
						}
					}
				}
			}
		}
	}
	return nil
}

func scalar(raw json.RawMessage) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

func (p params) get(k string) string {
	if v := p[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (p params) all(k string) []string { return p[k] }

func (p params) bool(k string) bool {
	switch strings.ToLower(p.get(k)) {
	case "true", "1", "on", "yes":
		return true
	}
	return false
}

// limit reads "limit" within [1, max], def when absent.
func (p params) limit(def, max int) int {
	n, err := strconv.Atoi(p.get("limit"))
	if err != nil || n < 1 {
		return def
	}
	if n > max {
		return max
	}
	return n
}
