package scheme

import (
	"crypto/sha256"
	"sync"
)

// A stored scheme version never changes, yet every report and close read it back and parsed
// and compiled its YAML again: 44 % of a monthly report's CPU (docs/benchmarks.md). ParseShared
// keeps one parsed scheme per text instead. Keyed by the text itself (its SHA-256), a scheme
// saved as a new version, or edited in any way, is a new key: no entry is ever stale, so there
// is nothing to invalidate, and entries of versions no longer read fall out when the map fills.

// maxShared bounds the schemes kept; a database holds a few versions of five codes.
const maxShared = 64

var shared = struct {
	sync.Mutex
	m map[[sha256.Size]byte]*Scheme
}{m: map[[sha256.Size]byte]*Scheme{}}

// ParseShared is Parse for a stored scheme's text, returning the same *Scheme for the same
// text to every caller, on every goroutine. The scheme is shared, so it must not be changed:
// reading its fields, Evaluate, CanActivate, Validate on a copy and YAML leave it as it is;
// to change a scheme, Parse or Builtin a copy of one's own. A text that does not parse is
// refused as Parse refuses it, every time.
func ParseShared(data []byte) (*Scheme, error) {
	key := sha256.Sum256(data)
	shared.Lock()
	s := shared.m[key]
	shared.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := Parse(data)
	if err != nil {
		return nil, err
	}
	shared.Lock()
	defer shared.Unlock()
	if kept := shared.m[key]; kept != nil {
		return kept, nil // parsed meanwhile on another goroutine: hand out one value only
	}
	if len(shared.m) >= maxShared {
		clear(shared.m)
	}
	shared.m[key] = s
	return s, nil
}
