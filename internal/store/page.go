package store

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
)

// Lists that grow without bound are read a page at a time by keyset, in the web pages and
// the API alike: newest first, and a page starts just past the key of the last row shown.
// Unlike an offset, a keyset page neither skips nor repeats a record when records are added
// meanwhile, and costs the same at page 1,000 as at page 1.

// Key is a row's place in a list sorted newest first: by At when the list sorts by a time
// (a complaint's reception, an inspection's date), then by ID, which makes the order total.
// Lists sorted by id alone leave At zero.
type Key struct {
	At time.Time
	ID int64
}

// Page asks for one page: Limit rows after the key Before (older rows: the "next" page), or
// before the key After (newer rows: the "previous" page), or from the newest when neither is set.
type Page struct {
	Limit  int
	Before *Key
	After  *Key
}

// Fetch is how many rows to ask the database for: one more than the page, to know whether
// another page follows without counting.
func (p Page) Fetch() int { return p.Limit + 1 }

// Backward tells whether the page reads towards newer rows (a "previous" link).
func (p Page) Backward() bool { return p.After != nil }

// Where is the condition that starts the page past its key, on a list sorted by timeCol
// (empty for a list sorted by id alone) and idCol, with its arguments; "" on a first page.
func (p Page) Where(timeCol, idCol string) (string, []any) {
	k, op := p.Before, "<"
	if p.After != nil {
		k, op = p.After, ">"
	}
	if k == nil {
		return "", nil
	}
	if timeCol == "" {
		return idCol + " " + op + " ?", []any{k.ID}
	}
	at := k.At.UTC()
	return "(" + timeCol + " " + op + " ? OR (" + timeCol + " = ? AND " + idCol + " " + op + " ?))", []any{at, at, k.ID}
}

// OrderBy is the ORDER BY clause of the page with its LIMIT placeholder, whose argument is
// Fetch(): newest first, except on a backward page, which reads upwards from its key and is
// turned round by Cut.
func (p Page) OrderBy(timeCol, idCol string) string {
	dir := " DESC"
	if p.Backward() {
		dir = " ASC"
	}
	cols := []string{idCol + dir}
	if timeCol != "" {
		cols = []string{timeCol + dir, idCol + dir}
	}
	return " ORDER BY " + strings.Join(cols, ", ") + " LIMIT ?"
}

// Cut turns rows fetched for p (Fetch() rows in OrderBy's order) into the page, newest
// first, and the keys of the pages either side: nil where there is none.
func Cut[T any](rows []T, p Page, key func(T) Key) (page []T, next, prev *Key) {
	more := len(rows) > p.Limit
	if more {
		rows = rows[:p.Limit]
	}
	if p.Backward() {
		slices.Reverse(rows)
	}
	if len(rows) == 0 {
		return rows, nil, nil
	}
	first, last := key(rows[0]), key(rows[len(rows)-1])
	// Reading forward, the page came from the previous one (if it had a key) and has a next
	// one if a row was left over; reading backward, the other way round.
	if (!p.Backward() && more) || p.Backward() {
		next = &last
	}
	if (p.Backward() && more) || (!p.Backward() && p.Before != nil) {
		prev = &first
	}
	return rows, next, prev
}

// A cursor is opaque to its readers, so its form can change: "k1.<id>" for a list sorted
// by id, "k2.<unix nanoseconds>.<id>" for one sorted by a time then id.
const (
	cursorID   = "k1."
	cursorTime = "k2."
)

// Cursor encodes the key for a URL.
func (k Key) Cursor() string {
	s := cursorID + strconv.FormatInt(k.ID, 10)
	if !k.At.IsZero() {
		s = cursorTime + strconv.FormatInt(k.At.UnixNano(), 10) + "." + strconv.FormatInt(k.ID, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ParseCursor decodes a cursor of the query parameter field; a cursor that is not one of
// ours is refused naming the field.
func ParseCursor(field, c string) (Key, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		s := string(raw)
		var k Key
		ok := false
		if rest, found := strings.CutPrefix(s, cursorID); found {
			k.ID, err = strconv.ParseInt(rest, 10, 64)
			ok = err == nil
		} else if rest, found := strings.CutPrefix(s, cursorTime); found {
			ns, id, _ := strings.Cut(rest, ".")
			n, err1 := strconv.ParseInt(ns, 10, 64)
			k.ID, err = strconv.ParseInt(id, 10, 64)
			k.At, ok = time.Unix(0, n).UTC(), err == nil && err1 == nil
		}
		if ok && k.ID > 0 {
			return k, nil
		}
	}
	return Key{}, errs.Param(field, "err.bad_cursor")
}
