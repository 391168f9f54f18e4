package store

import (
	"context"
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
// first, unless Asc (a list by name). IDDesc keeps the ID newest first in a list by Col
// ascending: a code's versions, the latest first, codes in order.
type Order struct {
	Col, ID string
	Asc     bool
	IDDesc  bool
}

// Versions is the order of a table of versioned records (questionnaire templates, scheme
// versions): by code, each code's newest version first. (code, version) is unique, so the
// order is total.
var Versions = Order{Col: "code", ID: "version", Asc: true, IDDesc: true}

// VersionKey is a versioned record's place in Versions' order.
func VersionKey(code string, version int) Key { return Key{Name: code, ID: int64(version)} }

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
	k := p.Before
	if p.After != nil {
		k = p.After
	}
	if k == nil {
		return "", nil
	}
	// Past the key is below it in a descending column and above it in an ascending one;
	// a backward page reads the other way.
	op := func(desc bool) string {
		if desc != p.Backward() {
			return "<"
		}
		return ">"
	}
	colDesc, idDesc := o.desc()
	if o.Col == "" {
		return o.ID + " " + op(idDesc) + " ?", []any{k.ID}
	}
	var v any = k.Name
	if !k.At.IsZero() {
		v = k.At.UTC()
	}
	return "(" + o.Col + " " + op(colDesc) + " ? OR (" + o.Col + " = ? AND " + o.ID + " " + op(idDesc) + " ?))", []any{v, v, k.ID}
}

// desc tells which of the order's columns sort descending.
func (o Order) desc() (col, id bool) { return !o.Asc, !o.Asc || o.IDDesc }

// OrderBy is the ORDER BY clause of the page with its LIMIT placeholder, whose argument is
// Fetch(): the list's order, except on a backward page, which reads the other way from its
// key and is turned round by Cut.
func (p Page) OrderBy(o Order) string { return p.order(o) + " LIMIT ?" }

func (p Page) order(o Order) string {
	dir := func(desc bool) string {
		if desc != p.Backward() {
			return " DESC"
		}
		return " ASC"
	}
	colDesc, idDesc := o.desc()
	cols := []string{o.ID + dir(idDesc)}
	if o.Col != "" {
		cols = []string{o.Col + dir(colDesc), o.ID + dir(idDesc)}
	}
	return " ORDER BY " + strings.Join(cols, ", ")
}

// Tail ends a list's query after its FROM: WHERE with conds (whose arguments are args) and
// the condition that starts page pg, then the order and the limit. With pg nil it reads the
// whole list in the same order, for a reader that needs every row (a form's choices, a
// report's totals), so that the list has one query either way.
func Tail(o Order, pg *Page, conds []string, args []any) (string, []any) {
	var p Page
	if pg != nil {
		p = *pg
	}
	if c, a := p.Where(o); c != "" {
		conds, args = append(conds, c), append(args, a...)
	}
	var where string
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	if pg == nil {
		return where + p.order(o), args
	}
	return where + p.OrderBy(o), append(args, p.Fetch())
}

// ReadList reads a list in one query, query being its SELECT up to the FROM and conds its
// conditions: page pg in the order o, or the whole list in that order when pg is nil (Tail).
func ReadList[T any](ctx context.Context, db *DB, scan func(Scanner) (T, error), o Order, pg *Page, query string, conds []string, args ...any) ([]T, error) {
	var out []T
	err := db.Read(ctx, func(tx *Tx) (err error) {
		tail, a := Tail(o, pg, conds, args)
		out, err = All(ctx, tx, scan, query+tail, a...)
		return err
	})
	return out, err
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
