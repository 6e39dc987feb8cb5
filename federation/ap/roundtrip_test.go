package ap

import (
	"context"
	"reflect"
	"testing"
)

// Marshal then Parse* must give back the same struct.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	type parser func([]byte) (any, error)
	activity := func(b []byte) (any, error) { return Parse(ctx, b) }
	object := func(b []byte) (any, error) { return ParseObject(ctx, b) }
	actor := func(b []byte) (any, error) { return ParseActor(ctx, b) }
	collection := func(b []byte) (any, error) { return ParseCollection(ctx, b) }
	tests := []struct {
		name  string
		in    any
		parse parser
	}{
		{"person", person(), actor},
		{"forum", forumActor(), actor},
		{"instance", instance(), actor},
		{"question", question(), object},
		{"answer", answer(), object},
		{"tombstone", tombstone(), object},
		{"create", createNote(), activity},
		{"announce", announceCreate(), activity},
		{"follow", follow(), activity},
		{"accept", acceptFollow(), activity},
		{"undo like", undoLike(), activity},
		{"delete", deleteWithReason(), activity},
		{"flag", flag(), activity},
		{"lock", lock(), activity},
		{"context", contextCollection(), collection},
		{"context page", contextPage(), collection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.parse(b)
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, b)
			}
			if !reflect.DeepEqual(got, tt.in) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v\njson %s", got, tt.in, b)
			}
		})
	}
}
