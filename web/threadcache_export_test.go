package web

// versionOnly hides a Versioner's thread and post versions, so a server
// built on it has no thread cache (newThreadCache needs them).
type versionOnly struct{ v Versioner }

func (o versionOnly) Version() uint64 { return o.v.Version() }

// UncachedTwin is a server like s, on the same store and settings, that
// renders members' thread pages without the thread cache: what the cached
// pages must equal byte for byte.
func (s *Server) UncachedTwin() (*Server, error) {
	cfg := s.cfg
	cfg.Changes = versionOnly{cfg.Changes}
	twin, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if twin.threads != nil {
		panic("web: the uncached twin has a thread cache")
	}
	return twin, nil
}
