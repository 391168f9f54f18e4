package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/store"
)

// Every list that grows with use is read a page at a time by keyset (store.Page): in the
// list's order with the id last, and the next page starts past the key of the last row of
// this one (keyPage; newPage for the lists by id alone). The few answered whole say why where
// they are answered (wholePage, and the {items,total} lists of units, areas and tokens).

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// pageParams are the documented query parameters of a paged list.
var pageParams = []param{
	{"limit", "integer", "int32", "Page size, 1–200 (default 50)."},
	{"cursor", "string", "", "The next_cursor of the previous page; absent for the first page."},
}

// unitPeriodParams filter a paged list by unit and period.
var unitPeriodParams = []param{
	{"unit_id", "integer", "int64", "Only records of this unit and its sub-units."},
	{"period", "string", "", "Only records of this period: a year (2026), a month (2026-03) or a quarter (2026-Q1), China time."},
}

// page is the envelope of a paged list. NextCursor is null on the last page.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageReq is a page request: how many items, and the id below which they start (0: the first page).
type pageReq struct {
	Limit  int
	Before int64
}

// fetch is how many rows to ask the area for: one more than the page, to know whether
// another page follows without counting.
func (q pageReq) fetch() int { return q.Limit + 1 }

// pageQuery reads limit and cursor.
func pageQuery(r *http.Request) (pageReq, error) {
	n, err := queryInt(r, "limit", defaultPageSize)
	if err != nil {
		return pageReq{}, err
	}
	if n < 1 || n > maxPageSize {
		return pageReq{}, errs.Field("limit", "err.out_of_range", "1", strconv.Itoa(maxPageSize))
	}
	q := pageReq{Limit: int(n)}
	if c := r.URL.Query().Get("cursor"); c != "" {
		if q.Before, err = decodeCursor(c); err != nil {
			return pageReq{}, err
		}
	}
	return q, nil
}

// decodeCursor reads a cursor of the API's lists, which page by id (store.Key).
func decodeCursor(c string) (int64, error) {
	k, err := store.ParseCursor("cursor", c)
	if err != nil {
		return 0, &errs.Error{Code: errs.Invalid, Field: "cursor", Key: "api.bad_cursor"}
	}
	return k.ID, nil
}

// keyPageQuery reads limit and cursor as a store.Page, for a list not sorted by id alone,
// whose cursor carries its sort value too (store.Key).
func keyPageQuery(r *http.Request) (store.Page, error) {
	q, err := pageQuery(r)
	if err != nil {
		return store.Page{}, err
	}
	pg := store.Page{Limit: q.Limit}
	if c := r.URL.Query().Get("cursor"); c != "" {
		k, err := store.ParseCursor("cursor", c)
		if err != nil {
			return pg, &errs.Error{Code: errs.Invalid, Field: "cursor", Key: "api.bad_cursor"}
		}
		pg.Before = &k
	}
	return pg, nil
}

// keyPage cuts rows (fetched for pg) to the page and sets the cursor of the next one.
func keyPage[T any](rows []T, pg store.Page, key func(T) store.Key) page[T] {
	rows, next, _ := store.Cut(rows, pg, key)
	out := page[T]{Items: rows}
	if next != nil {
		c := next.Cursor()
		out.NextCursor = &c
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out
}

// newPage cuts rows (fetched with q.fetch()) to the page and sets the cursor of the next one.
func newPage[T any](rows []T, q pageReq, id func(T) int64) page[T] {
	out := page[T]{Items: rows}
	if len(rows) > q.Limit {
		out.Items = rows[:q.Limit]
		c := store.Key{ID: id(rows[q.Limit-1])}.Cursor()
		out.NextCursor = &c
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out
}

// wholePage answers, in the paged envelope and all in one page, a list that is bounded by
// what it is rather than by how long the system has run: an order's tasks (two at most), a
// campaign's rates (a row per unit it covers) and the target attainment (one entry per
// built-in target, which cannot be added to). Everything that grows with use pages by key.
func wholePage[T any](rows []T) page[T] {
	if rows == nil {
		rows = []T{}
	}
	return page[T]{Items: rows}
}

// chinaPeriod is a period filter: [From, To) in UTC, and the same as months [FromMonth, ToMonth).
type chinaPeriod struct {
	From, To           time.Time
	FromMonth, ToMonth string
}

// queryPeriod reads the period parameter: YYYY, YYYY-MM or YYYY-Qn in China time. The zero
// value when absent.
func queryPeriod(r *http.Request, name string) (chinaPeriod, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	var p chinaPeriod
	if s == "" {
		return p, nil
	}
	bad := &errs.Error{Code: errs.Invalid, Field: name, Key: "api.bad_period", Args: []any{s}}
	var start time.Time
	months := 0
	if y, q, ok := strings.Cut(s, "-Q"); ok {
		t, err := time.ParseInLocation("2006", y, chinaTime)
		n, qerr := strconv.Atoi(q)
		if err != nil || qerr != nil || n < 1 || n > 4 || len(q) != 1 {
			return p, bad
		}
		start, months = t.AddDate(0, 3*(n-1), 0), 3
	} else if t, err := time.ParseInLocation("2006-01", s, chinaTime); err == nil {
		start, months = t, 1
	} else if t, err := time.ParseInLocation("2006", s, chinaTime); err == nil {
		start, months = t, 12
	} else {
		return p, bad
	}
	end := start.AddDate(0, months, 0)
	return chinaPeriod{From: start.UTC(), To: end.UTC(), FromMonth: start.Format("2006-01"), ToMonth: end.Format("2006-01")}, nil
}

// unitPeriod reads the unit_id and period filters.
func unitPeriod(r *http.Request) (int64, chinaPeriod, error) {
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return 0, chinaPeriod{}, err
	}
	per, err := queryPeriod(r, "period")
	return unit, per, err
}

// show answers the record get returns for the path's id: the shape of every "one record"
// route of the areas.
func show[T any](w http.ResponseWriter, r *http.Request, get func(id int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := get(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// actOn applies an action with a JSON body to the record of the path's id, then answers
// the record as it now is: the shape of the areas' actions that return nothing themselves.
func actOn[In, T any](w http.ResponseWriter, r *http.Request, act func(id int64, in In) error, get func(id int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := act(id, in); err != nil {
		return err
	}
	v, err := get(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
