package federation

// counter is a write counter a test moves by hand (storage.Changes).
type counter struct{ v uint64 }

func (c *counter) Version() uint64 { return c.v }
