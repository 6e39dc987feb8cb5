package web

import (
	"errors"

	"github.com/metropolis/agora/forum"
)

// asValidation returns the validation error inside err, if any, so a form
// handler can show the form again with the message.
func asValidation(err error) *forum.ValidationError {
	var ve *forum.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return nil
}
