package complaint

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"unicode"
)

// The two codes of a complaint. The tracking code (TS-XXXX-XXXX) is printed on lists and
// the detail page, so staff see it; it only shows progress. The response code
// (XXXX-XXXX-XXXX), shown once to whoever registered the complaint and stored only hashed,
// is what confirms or rejects a solution on the complainant's behalf: staff never see it
// again, so a maintainer cannot confirm his own team's complaint as the complainant.

// responseLen is the number of characters of a response code: 12 from a 31-letter alphabet
// is 59 bits, hopeless to guess at the public page's rate limit.
const responseLen = 12

// newResponseCode returns a random response code.
func newResponseCode() string {
	var b [responseLen]byte
	rand.Read(b[:])
	return formatResponseCode(b[:])
}

// minIdemKey is the shortest idempotency key whose derived response code is as hard to guess
// as a random one: the form issues 32 hex digits (128 bits).
const minIdemKey = 32

// responseCodeFor derives the response code of a public submission from its idempotency
// key, so that a retried submission can show the same code again although only its hash is
// stored. The key is a secret of the complainant's browser: it is stored hashed too, under a
// different prefix, so neither stored hash reveals the code.
func responseCodeFor(idemKey string) string {
	sum := sha256.Sum256([]byte("manyi-complaint-response:" + idemKey))
	return formatResponseCode(sum[:responseLen])
}

func idemHash(idemKey string) string {
	sum := sha256.Sum256([]byte("manyi-complaint-idem:" + idemKey))
	return hex.EncodeToString(sum[:])
}

func formatResponseCode(b []byte) string {
	out := make([]byte, 0, responseLen+2)
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(x)%len(trackingAlphabet)])
	}
	return string(out)
}

// normalizeResponseCode accepts a code typed in lower case, with spaces or without dashes.
func normalizeResponseCode(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s))
}

// responseHash is what is stored of a response code.
func responseHash(code string) string {
	sum := sha256.Sum256([]byte(normalizeResponseCode(code)))
	return hex.EncodeToString(sum[:])
}

// responseMatches reports whether code is the response code whose hash is stored.
func responseMatches(stored, code string) bool {
	return stored != "" && subtle.ConstantTimeCompare([]byte(stored), []byte(responseHash(code))) == 1
}
