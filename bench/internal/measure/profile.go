package measure

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// Profile is a CPU profile of a measured part, kept in memory so the
// program can split its samples by pprof label (the node's work from the
// load generator's or the sinks'), and written to a file too when asked.
// getrusage counts the whole process; the profile is what tells whose CPU
// it was.
type Profile struct {
	buf  bytes.Buffer
	path string
}

// StartProfile starts a CPU profile; path, if not empty, also receives it
// when it stops. Only one CPU profile runs at a time in a process.
func StartProfile(path string) (*Profile, error) {
	p := &Profile{path: path}
	if err := pprof.StartCPUProfile(&p.buf); err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return p, nil
}

// Stop ends the profile, writes its file if one was asked for, and
// returns its samples' CPU time split by label.
func (p *Profile) Stop() (*Split, error) {
	pprof.StopCPUProfile()
	if p.path != "" {
		if err := os.WriteFile(p.path, p.buf.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
	}
	return SplitProfile(p.buf.Bytes())
}

// Split is a CPU profile's sampled time, in all and by label.
type Split struct {
	Total time.Duration
	// Labelled is the time of the samples that carry each key=value
	// label (a sample with two labels counts under both).
	Labelled map[string]time.Duration
}

// Without is the sampled time of the samples that do not carry the label
// key=value: with role=loadgen, the node's own CPU.
func (s *Split) Without(key, value string) time.Duration {
	return s.Total - s.Labelled[key+"="+value]
}

// SplitProfile reads a CPU profile as runtime/pprof writes it (gzipped
// protocol buffers, profile.proto) and sums its CPU time, in all and by
// label. It reads only what that needs: the sample types, the samples'
// values and labels, and the string table.
func SplitProfile(data []byte) (*Split, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	type label struct{ key, str int64 }
	type sample struct {
		values []int64
		labels []label
	}
	var (
		types   []int64 // string index of each sample type's name
		samples []sample
		strs    []string
	)
	err = fields(raw, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType: // sample_type
			var name int64
			err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
				if num == 1 && typ == protowire.VarintType {
					name = int64(v)
				}
				return nil
			})
			types = append(types, name)
			return err
		case num == 2 && typ == protowire.BytesType: // sample
			var s sample
			err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error {
				switch {
				case num == 2 && typ == protowire.VarintType:
					s.values = append(s.values, int64(v))
				case num == 2 && typ == protowire.BytesType: // packed values
					for len(b) > 0 {
						x, n := protowire.ConsumeVarint(b)
						if n < 0 {
							return protowire.ParseError(n)
						}
						s.values, b = append(s.values, int64(x)), b[n:]
					}
				case num == 3 && typ == protowire.BytesType:
					var l label
					err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
						if typ == protowire.VarintType && num == 1 {
							l.key = int64(v)
						} else if typ == protowire.VarintType && num == 2 {
							l.str = int64(v)
						}
						return nil
					})
					s.labels = append(s.labels, l)
					return err
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case num == 6 && typ == protowire.BytesType: // string_table
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	str := func(i int64) string {
		if i < 0 || int(i) >= len(strs) {
			return ""
		}
		return strs[i]
	}
	cpu := -1
	for i, t := range types {
		if str(t) == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, errors.New("read profile: no cpu sample type")
	}
	out := &Split{Labelled: map[string]time.Duration{}}
	for _, s := range samples {
		if cpu >= len(s.values) {
			continue
		}
		d := time.Duration(s.values[cpu])
		out.Total += d
		for _, l := range s.labels {
			out.Labelled[str(l.key)+"="+str(l.str)] += d
		}
	}
	return out, nil
}

// fields calls fn for each field of a protocol buffers message: its
// number, wire type, and value (varints) or bytes (length-delimited).
func fields(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var val []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, v, val); err != nil {
			return err
		}
	}
	return nil
}
