package federation

import (
	"encoding/json"
	"errors"
)

// embeddedObject returns the raw JSON of an activity's embedded object, so
// it can be passed on or applied byte for byte.
func embeddedObject(raw []byte) ([]byte, error) {
	var doc struct {
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Object) == 0 || doc.Object[0] != '{' {
		return nil, errors.New("object is not embedded")
	}
	return doc.Object, nil
}
