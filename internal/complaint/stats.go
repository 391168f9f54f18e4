package complaint

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/store"
)

// Row is one line of a statistics table.
type Row struct {
	Key         string `json:"key"`   // unit id, channel, category or month (2026-10)
	Label       string `json:"label"` // unit name, or the key
	Total       int    `json:"total"`
	Valid       int    `json:"valid"`
	Major       int    `json:"major"`
	Invalid     int    `json:"invalid"`
	ReplyDone   int    `json:"reply_done"`    // replied, or reply deadline passed
	ReplyOnTime int    `json:"reply_on_time"` // replied by the deadline
	SolDone     int    `json:"solution_done"`
	SolOnTime   int    `json:"solution_on_time"`
}

// ReplyRate is the on-time reply rate in per cent, -1 when nothing is due yet.
func (r Row) ReplyRate() float64 { return rate(r.ReplyOnTime, r.ReplyDone) }

// SolutionRate is the on-time solution rate in per cent, -1 when nothing is due yet.
func (r Row) SolutionRate() float64 { return rate(r.SolOnTime, r.SolDone) }

func rate(n, d int) float64 {
	if d == 0 {
		return -1
	}
	return float64(n) * 100 / float64(d)
}

// Repeat is a complainant who complained more than once. Pages show the contact masked and
// link to the complaints by LatestID (Filter.SameContactAs), so the full number never enters
// a URL, where browser histories, proxies and access logs would keep it.
type Repeat struct {
	ContactKey string `json:"-"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	LatestID   int64  `json:"latest_id"` // the newest of the complainant's complaints
}

// Stats is the statistics page.
type Stats struct {
	All        Row         `json:"all"`
	ByUnit     []Row       `json:"by_unit"`
	ByChannel  []Row       `json:"by_channel"`
	ByCategory []Row       `json:"by_category"`
	ByMonth    []Row       `json:"by_month"`
	Repeats    []Repeat    `json:"repeats"`
	RootCauses []Complaint `json:"root_causes"`
}

// Aggregate computes statistics of complaints at now; months are in loc.
func Aggregate(cs []Complaint, now time.Time, loc *time.Location) Stats {
	var s Stats
	groups := map[string]map[string]*Row{"unit": {}, "channel": {}, "category": {}, "month": {}}
	contacts := map[string]*Repeat{}
	for i := range cs {
		c := &cs[i]
		keys := map[string][2]string{
			"unit":     {fmt.Sprint(c.UnitID), c.UnitName},
			"channel":  {string(c.Channel), string(c.Channel)},
			"category": {string(c.Category), string(c.Category)},
			"month":    {c.ReceivedAt.In(loc).Format("2006-01"), c.ReceivedAt.In(loc).Format("2006-01")},
		}
		rows := []*Row{&s.All}
		for g, k := range keys {
			r := groups[g][k[0]]
			if r == nil {
				r = &Row{Key: k[0], Label: k[1]}
				groups[g][k[0]] = r
			}
			rows = append(rows, r)
		}
		for _, r := range rows {
			count(r, c, now)
		}
		if key := ContactKey(c.Contact); key != "" {
			if contacts[key] == nil {
				contacts[key] = &Repeat{ContactKey: key, Name: c.Complainant}
			}
			contacts[key].Count++
			contacts[key].LatestID = max(contacts[key].LatestID, c.ID)
		}
		if c.RootCause != "" {
			s.RootCauses = append(s.RootCauses, *c)
		}
	}
	list := func(g string) []Row {
		var out []Row
		for _, r := range groups[g] {
			out = append(out, *r)
		}
		sort.Slice(out, func(i, j int) bool {
			if g != "month" && out[i].Total != out[j].Total {
				return out[i].Total > out[j].Total
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	s.ByUnit, s.ByChannel, s.ByCategory, s.ByMonth = list("unit"), list("channel"), list("category"), list("month")
	for _, r := range contacts {
		if r.Count > 1 {
			s.Repeats = append(s.Repeats, *r)
		}
	}
	sort.Slice(s.Repeats, func(i, j int) bool {
		if s.Repeats[i].Count != s.Repeats[j].Count {
			return s.Repeats[i].Count > s.Repeats[j].Count
		}
		return s.Repeats[i].ContactKey < s.Repeats[j].ContactKey
	})
	return s
}

func count(r *Row, c *Complaint, now time.Time) {
	r.Total++
	switch c.Class {
	case Valid:
		r.Valid++
	case Major:
		r.Major++
	case Invalid:
		r.Invalid++
	}
	if c.RepliedAt != nil || !now.Before(c.ReplyDueAt) {
		r.ReplyDone++
		if c.RepliedAt != nil && !c.RepliedAt.After(c.ReplyDueAt) {
			r.ReplyOnTime++
		}
	}
	if c.ResolvedAt != nil || (c.SolutionDueAt != nil && !now.Before(*c.SolutionDueAt)) {
		r.SolDone++
		if c.ResolvedAt != nil && c.SolutionDueAt != nil && !c.ResolvedAt.After(*c.SolutionDueAt) {
			r.SolOnTime++
		}
	}
}

// Statistics computes the statistics of the complaints the actor may read that match f.
func Statistics(ctx context.Context, db *store.DB, actor access.Principal, f Filter, loc *time.Location) (Stats, error) {
	f.Limit, f.Page = 1_000_000, nil
	cs, _, err := List(ctx, db, actor, f)
	if err != nil {
		return Stats{}, err
	}
	return Aggregate(cs, db.Now(), loc), nil
}

// Percent formats a rate for a page: "97.5 %", or "—" when nothing was due.
func Percent(rate float64) string {
	if rate < 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(rate*10)/10, 'f', -1, 64) + " %"
}

// ReplyRateText is the on-time reply rate for a page.
func (r Row) ReplyRateText() string { return Percent(r.ReplyRate()) }

// SolutionRateText is the on-time solution rate for a page.
func (r Row) SolutionRateText() string { return Percent(r.SolutionRate()) }
