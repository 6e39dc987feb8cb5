package federation

import "github.com/metropolis/agora/federation/apply"

// InboxMaxAttempts is how many times the inbox worker tries an activity,
// for refusal_test.go (package federation_test).
const InboxMaxAttempts = apply.MaxAttempts
