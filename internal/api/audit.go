package api

import (
	"net/http"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// chinaTime is the zone of YYYY-MM-DD dates in audit filters: the organisations manyi serves
// work in China Standard Time, which has no daylight saving, so a fixed zone is exact and
// needs no time-zone database on the server.
var chinaTime = time.FixedZone("CST", 8*60*60)

const (
	defaultAuditLimit = 100
	maxAuditLimit     = 500
)

// auditPage is a page of the audit log: total counts the entries matching the filter from the
// page's start (the cursor), of which limit select a page.
type auditPage struct {
	Items      []audit.Entry `json:"items"`
	Total      int           `json:"total"`
	NextCursor *string       `json:"next_cursor"`
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if !p.CanAnywhere(access.ReadAudit) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	q := r.URL.Query()
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action")}
	var err error
	if f.ActorID, err = queryInt(r, "actor_id", 0); err != nil {
		return err
	}
	if f.From, err = queryTime(r, "from", false); err != nil {
		return err
	}
	if f.To, err = queryTime(r, "to", true); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", defaultAuditLimit)
	if err != nil {
		return err
	}
	if limit < 1 || limit > maxAuditLimit {
		return errs.Field("limit", "err.out_of_range", "1", "500")
	}
	offset, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	if offset < 0 {
		return errs.Field("offset", "err.negative")
	}
	f.Limit, f.Offset = int(limit), int(offset)
	pg := pageReq{Limit: int(limit)}
	if c := q.Get("cursor"); c != "" {
		if pg.Before, err = decodeCursor(c); err != nil {
			return err
		}
		f.BeforeID = pg.Before
	}
	unit, per, err := unitPeriod(r)
	if err != nil {
		return err
	}
	if !per.From.IsZero() {
		if f.From.Before(per.From) {
			f.From = per.From
		}
		if f.To.IsZero() || f.To.After(per.To) {
			f.To = per.To
		}
	}

	// An administrator of a subtree sees the entries of its units only; entries without a
	// unit (accounts outside units, tokens) are for organisation-wide administrators.
	if _, everything := p.ScopeRoots(access.ReadAudit); !everything || unit != 0 {
		units, err := org.ListUnits(r.Context(), a.db, p, org.UnitFilter{IncludeInactive: true, Action: access.ReadAudit})
		if err != nil {
			return err
		}
		readable := make(map[int64]bool, len(units))
		for _, u := range units {
			readable[u.ID] = true
		}
		ids := make([]int64, 0, len(units))
		for _, u := range units {
			ids = append(ids, u.ID)
		}
		if unit != 0 {
			// The unit and its sub-units, of those the caller may audit.
			all, err := org.ListUnits(r.Context(), a.db, access.System, org.UnitFilter{IncludeInactive: true})
			if err != nil {
				return err
			}
			ids = ids[:0]
			for _, id := range org.NewTree(all).Subtree(unit) {
				if readable[id] {
					ids = append(ids, id)
				}
			}
		}
		f.UnitIDs = ids
	}
	var entries []audit.Entry
	var total int
	err = a.db.Read(r.Context(), func(tx *store.Tx) (err error) {
		entries, total, err = audit.List(r.Context(), tx, f)
		return err
	})
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	out := auditPage{Items: entries, Total: total}
	// total counts the matching entries from this page's start: more remain past this page
	// when it holds fewer than that.
	if len(entries) > 0 && f.Offset+len(entries) < total {
		c := store.Key{ID: entries[len(entries)-1].ID}.Cursor()
		out.NextCursor = &c
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queryTime parses an instant (RFC 3339) or a day (YYYY-MM-DD, China time). As an upper
// bound (end), a day includes itself: it becomes the start of the next day.
func queryTime(r *http.Request, name string, end bool) (time.Time, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	// An unencoded "+" of a zone offset arrives as a space in a query string.
	if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1)); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
	if err != nil {
		return time.Time{}, &errs.Error{Code: errs.Malformed, Field: name, Key: "api.bad_time", Args: []any{s}}
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}
