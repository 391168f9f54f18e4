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

// Key is a row's place in a list: its value of the list's sort column (At for a time, Name
// for a text; neither for a list sorted by id alone) and its ID, which makes the order total.
type Key struct {
	At   time.Time
	Name string
	ID   int64
}

// Order is how a list sorts: by Col (empty: by id alone), then by ID, newest (largest)
// first, unless Asc (a list by name).
type Order struct {
	Col, ID string
	Asc     bool
}

// Page asks for one page: Limit rows after the key Before (the "next" page), or before the
// key After (the "previous" page), or the first page when neither is set.
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

// Where is the condition that starts the page past its key in the list's order, with its
// arguments; "" on a first page.
func (p Page) Where(o Order) (string, []any) {
	k, down := p.Before, !o.Asc
	if p.After != nil {
		k, down = p.After, o.Asc
	}
	if k == nil {
		return "", nil
	}
	op := ">"
	if down {
		op = "<"
	}
	if o.Col == "" {
		return o.ID + " " + op + " ?", []any{k.ID}
	}
	var v any = k.Name
	if !k.At.IsZero() {
		v = k.At.UTC()
	}
	return "(" + o.Col + " " + op + " ? OR (" + o.Col + " = ? AND " + o.ID + " " + op + " ?))", []any{v, v, k.ID}
}

// OrderBy is the ORDER BY clause of the page with its LIMIT placeholder, whose argument is
// Fetch(): the list's order, except on a backward page, which reads the other way from its
// key and is turned round by Cut.
func (p Page) OrderBy(o Order) string {
	dir := " DESC"
	if o.Asc != p.Backward() {
		dir = " ASC"
	}
	cols := []string{o.ID + dir}
	if o.Col != "" {
		cols = []string{o.Col + dir, o.ID + dir}
	}
	return " ORDER BY " + strings.Join(cols, ", ") + " LIMIT ?"
}

// Cut turns rows fetched for p (Fetch() rows in OrderBy's order) into the page, in the
// list's order, and the keys of the pages either side: nil where there is none.
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
// by id, "k2.<unix nanoseconds>.<id>" for one sorted by a time then id, "k3.<id>.<text>"
// for one sorted by a text then id.
const (
	cursorID   = "k1."
	cursorTime = "k2."
	cursorText = "k3."
)

// Cursor encodes the key for a URL.
func (k Key) Cursor() string {
	id := strconv.FormatInt(k.ID, 10)
	s := cursorID + id
	switch {
	case !k.At.IsZero():
		s = cursorTime + strconv.FormatInt(k.At.UnixNano(), 10) + "." + id
	case k.Name != "":
		s = cursorText + id + "." + k.Name
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ParseCursor decodes a cursor of the query parameter field; one that is not ours is
// refused with a 400 naming the parameter.
func ParseCursor(field, c string) (Key, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		var k Key
		var ok bool
		s := string(raw)
		if rest, found := strings.CutPrefix(s, cursorID); found {
			k.ID, err = strconv.ParseInt(rest, 10, 64)
			ok = err == nil
		} else if rest, found := strings.CutPrefix(s, cursorTime); found {
			ns, id, _ := strings.Cut(rest, ".")
			n, err1 := strconv.ParseInt(ns, 10, 64)
			k.ID, err = strconv.ParseInt(id, 10, 64)
			k.At, ok = time.Unix(0, n).UTC(), err == nil && err1 == nil
		} else if rest, found := strings.CutPrefix(s, cursorText); found {
			id, name, _ := strings.Cut(rest, ".")
			k.ID, err = strconv.ParseInt(id, 10, 64)
			k.Name, ok = name, err == nil && name != ""
		}
		if ok && k.ID > 0 {
			return k, nil
		}
	}
	return Key{}, errs.Param(field, "err.bad_cursor")
}
