package store_test

import (
	"slices"
	"testing"
	"time"

	"manyi/internal/errs"
	"manyi/internal/store"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	for _, k := range []store.Key{{ID: 7}, {At: at, ID: 8}, {Name: "王伟.2", ID: 9}} {
		got, err := store.ParseCursor("before", k.Cursor())
		if err != nil || !got.At.Equal(k.At) || got.Name != k.Name || got.ID != k.ID {
			t.Errorf("%+v: read back as %+v, %v", k, got, err)
		}
	}
	// The API's id cursors keep their form, so cursors handed out before stay valid.
	if c := (store.Key{ID: 42}).Cursor(); c != "azEuNDI" {
		t.Errorf("id cursor %q", c)
	}
	for _, bad := range []string{"", "!!", "azEu", "azEuLTE", "azIuMS4", "azIueC4z", "azMuNS4"} {
		_, err := store.ParseCursor("after", bad)
		if e := errs.As(err); e == nil || e.Field != "after" || e.Code != errs.Malformed {
			t.Errorf("%q: %v, want a 400 naming after", bad, err)
		}
	}
}

func TestPageWhereOrder(t *testing.T) {
	k := &store.Key{ID: 5}
	byTime := store.Order{Col: "t", ID: "id"}
	byName := store.Order{Col: "name", ID: "id", Asc: true}
	byCode := store.Versions
	for _, c := range []struct {
		p          store.Page
		o          store.Order
		cond, sort string
	}{
		{store.Page{Limit: 2}, byTime, "", " ORDER BY t DESC, id DESC LIMIT ?"},
		{store.Page{Limit: 2, Before: k}, store.Order{ID: "id"}, "id < ?", " ORDER BY id DESC LIMIT ?"},
		{store.Page{Limit: 2, After: k}, store.Order{ID: "id"}, "id > ?", " ORDER BY id ASC LIMIT ?"},
		{store.Page{Limit: 2, Before: k}, byTime, "(t < ? OR (t = ? AND id < ?))", " ORDER BY t DESC, id DESC LIMIT ?"},
		{store.Page{Limit: 2, Before: k}, byName, "(name > ? OR (name = ? AND id > ?))", " ORDER BY name ASC, id ASC LIMIT ?"},
		{store.Page{Limit: 2, After: k}, byName, "(name < ? OR (name = ? AND id < ?))", " ORDER BY name DESC, id DESC LIMIT ?"},
		{store.Page{Limit: 2}, byCode, "", " ORDER BY code ASC, version DESC LIMIT ?"},
		{store.Page{Limit: 2, Before: k}, byCode, "(code > ? OR (code = ? AND version < ?))", " ORDER BY code ASC, version DESC LIMIT ?"},
		{store.Page{Limit: 2, After: k}, byCode, "(code < ? OR (code = ? AND version > ?))", " ORDER BY code DESC, version ASC LIMIT ?"},
	} {
		if cond, _ := c.p.Where(c.o); cond != c.cond {
			t.Errorf("%+v %+v: where %q, want %q", c.p, c.o, cond, c.cond)
		}
		if sort := c.p.OrderBy(c.o); sort != c.sort {
			t.Errorf("%+v %+v: order %q, want %q", c.p, c.o, sort, c.sort)
		}
	}
}

// TestTail: the whole list and its pages share the conditions and the order; only a page
// starts past its key and is limited.
func TestTail(t *testing.T) {
	o := store.Versions
	for _, c := range []struct {
		pg    *store.Page
		conds []string
		tail  string
		args  []any
	}{
		{nil, nil, " ORDER BY code ASC, version DESC", nil},
		{nil, []string{"active = ?"}, " WHERE active = ? ORDER BY code ASC, version DESC", []any{true}},
		{&store.Page{Limit: 2}, []string{"active = ?"}, " WHERE active = ? ORDER BY code ASC, version DESC LIMIT ?", []any{true, 3}},
		{&store.Page{Limit: 2, Before: &store.Key{Name: "b", ID: 4}}, []string{"active = ?"},
			" WHERE active = ? AND (code > ? OR (code = ? AND version < ?)) ORDER BY code ASC, version DESC LIMIT ?", []any{true, "b", "b", int64(4), 3}},
	} {
		var args []any
		if c.conds != nil {
			args = []any{true}
		}
		tail, got := store.Tail(o, c.pg, c.conds, args)
		if tail != c.tail || !slices.Equal(got, c.args) {
			t.Errorf("%+v: %q %v, want %q %v", c.pg, tail, got, c.tail, c.args)
		}
	}
}

// TestCut pages through ids 9…1 three at a time, forward then back.
func TestCut(t *testing.T) {
	all := []int64{9, 8, 7, 6, 5, 4, 3, 2, 1}
	key := func(id int64) store.Key { return store.Key{ID: id} }
	fetch := func(p store.Page) []int64 { // what the database answers: Fetch() rows in OrderBy's order
		var out []int64
		for _, id := range all {
			if (p.Before == nil || id < p.Before.ID) && (p.After == nil || id > p.After.ID) {
				out = append(out, id)
			}
		}
		if p.Backward() {
			slices.Reverse(out)
		}
		return out[:min(len(out), p.Fetch())]
	}
	var pages [][]int64
	p := store.Page{Limit: 3}
	for {
		rows, next, prev := store.Cut(fetch(p), p, key)
		if (prev == nil) != (len(pages) == 0) {
			t.Errorf("page %d: previous key %v", len(pages)+1, prev)
		}
		pages = append(pages, rows)
		if next == nil {
			break
		}
		p = store.Page{Limit: 3, Before: next}
	}
	if !slices.Equal(slices.Concat(pages...), all) || len(pages) != 3 {
		t.Fatalf("pages %v", pages)
	}
	p = store.Page{Limit: 3, After: &store.Key{ID: 3}}
	rows, next, prev := store.Cut(fetch(p), p, key)
	if !slices.Equal(rows, pages[1]) || next == nil || next.ID != 4 || prev == nil || prev.ID != 6 {
		t.Errorf("back from the last page: %v, next %v, prev %v", rows, next, prev)
	}
	p = store.Page{Limit: 3, After: &store.Key{ID: 6}}
	if rows, _, prev := store.Cut(fetch(p), p, key); !slices.Equal(rows, pages[0]) || prev != nil {
		t.Errorf("back to the first page: %v, prev %v", rows, prev)
	}
}
