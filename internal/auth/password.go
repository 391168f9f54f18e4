// Package auth is who is logged in: local accounts with argon2id password hashes, sessions
// kept in the database, personal API tokens stored hashed, and login throttling that works
// across instances because its counters live in the database too.
package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"manyi/internal/errs"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). They are
// stored in every hash, so raising them later re-hashes nobody by force and breaks nothing.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Cost is the argon2id work of a new password hash: memory in KiB, passes and lanes. Every
// hash stores its own cost and CheckPassword follows it, so hashes of any cost check alike.
type Cost struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

var productionCost = Cost{Memory: argonMemory, Time: argonTime, Threads: argonThreads}

type costKey struct{}

// WithCost returns a context under which the passwords this package sets are hashed at cost c
// rather than at the production parameters every other context gets. Tests pass it: they set
// and check passwords by the hundred under the race detector, which slows argon2id some
// sixfold, and what they test is the accounts, not the hash's strength.
func WithCost(ctx context.Context, c Cost) context.Context {
	return context.WithValue(ctx, costKey{}, c)
}

func costOf(ctx context.Context) Cost {
	if c, ok := ctx.Value(costKey{}).(Cost); ok {
		return c
	}
	return productionCost
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// HashPassword returns an argon2id hash in the PHC string format, at the production cost.
func HashPassword(password string) (string, error) {
	return hashPassword(password, productionCost)
}

func hashPassword(password string, c Cost) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.Memory, c.Time, c.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-format hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidatePassword refuses passwords too short to resist guessing, and common or breached
// ones (IsCommonPassword), which are guessed first whatever their length. Every password
// set goes through it: a new account, a change, a reset, the first administrator's.
func ValidatePassword(field, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return errs.Field(field, "auth.password_short", MinPasswordLength)
	}
	if utf8.RuneCountInString(password) > 200 {
		return errs.Field(field, "err.too_long", 200)
	}
	if IsCommonPassword(password) {
		return errs.Field(field, "auth.password_common")
	}
	return nil
}

// commonPasswordsGz is the list of common and breached passwords, one a line, lower case:
//
//   - the 30,000 most frequent passwords of Mark Burnett's 10-million-password set (xato.net,
//     released into the public domain), as ranked in zxcvbn's "passwords" frequency list
//     (Copyright 2012-2013 Dropbox, Inc., MIT licence; taken from Debian's python3-zxcvbn
//     4.4.28, file zxcvbn/frequency_lists.py, whose copyright file states the licence);
//   - 37 passwords reported at the top of the 2011 CSDN leak that the Western list lacks
//     (pinyin names, "520"/"1314" love numbers).
//
// common_passwords.LICENSE carries the MIT notice. Regenerate by lower-casing and
// de-duplicating the same sources, gzip without a timestamp.
//
//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is loaded on first use: 30,016 entries, about 2 MB in memory.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("auth: embedded password list: " + err.Error())
	}
	set := make(map[string]struct{}, 30016)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		set[sc.Text()] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		panic("auth: embedded password list: " + err.Error())
	}
	return set
})

// IsCommonPassword reports whether password, ignoring case, is on the list of common and
// breached passwords, or is one of them with digits or punctuation added at the end
// ("password2024!"), the change people make most when told to.
func IsCommonPassword(password string) bool {
	set := commonPasswords()
	p := strings.ToLower(password)
	if _, ok := set[p]; ok {
		return true
	}
	base := strings.TrimRightFunc(p, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	// A base of a few letters ("abc") is on the list but says little about the whole.
	if utf8.RuneCountInString(base) < 6 || base == p {
		return false
	}
	_, ok := set[base]
	return ok
}

// RandomPassword returns a password for generated accounts: 16 characters from an alphabet
// without look-alikes (0/O, 1/l/I), easy to read off a terminal.
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
