package mastoapi

import (
	"errors"

	"github.com/metropolis/agora/forum"
)

// forumGone: not found, or deleted.
func forumGone(err error) bool {
	return errors.Is(err, forum.ErrNotFound) || errors.Is(err, forum.ErrGone)
}
