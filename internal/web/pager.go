package web

import (
	"net/http"

	"manyi/internal/store"
)

// listPage is how many rows a keyset-paged list page shows.
const listPage = 50

// pager holds the links to the pages either side of a keyset-paged list page; "" where
// there is none. Each carries the key of the row at that edge of this page (store.Page).
type pager struct {
	Prev, Next string
}

// pageOf reads the page a list request asks for: ?before=CURSOR (the next page, older rows),
// ?after=CURSOR (the previous page, newer rows), or neither (the newest rows).
func pageOf(r *http.Request) (store.Page, error) {
	p := store.Page{Limit: listPage}
	for name, dst := range map[string]**store.Key{"before": &p.Before, "after": &p.After} {
		if c := r.URL.Query().Get(name); c != "" {
			k, err := store.ParseCursor(name, c)
			if err != nil {
				return p, err
			}
			*dst = &k
		}
	}
	if p.Before != nil && p.After != nil {
		p.After = nil
	}
	return p, nil
}

// pageLinks builds the pager from the keys store.Cut returned, keeping the request's path
// and its other parameters (the filters).
func pageLinks(r *http.Request, next, prev *store.Key) pager {
	link := func(name string, k *store.Key) string {
		if k == nil {
			return ""
		}
		q := r.URL.Query()
		q.Del("before")
		q.Del("after")
		q.Set(name, k.Cursor())
		return r.URL.Path + "?" + q.Encode()
	}
	return pager{Prev: link("after", prev), Next: link("before", next)}
}
