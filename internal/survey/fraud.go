package survey

import (
	"context"
	"fmt"
	"sort"
	"time"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Signal kinds: what may mean answers were not given freely by residents (seed 001 §七.3).
const (
	SameClient     = "same_client"     // many online answers from one device or network in a short time
	StaffEntry     = "staff_entry"     // a paper answer entered by staff of the unit being rated
	IdenticalBurst = "identical_burst" // identical answer patterns in a burst
	AboveHistory   = "above_history"   // a unit's satisfaction far above its earlier quarters
)

// Thresholds of the signals. They flag for a clerk to look; they decide nothing.
const (
	BurstWindow    = 10 * time.Minute
	BurstMin       = 5
	HistoryJumpBP  = 1500 // 15 percentage points
	HistoryMinimum = 20   // valid answers before a rate is compared
)

// Signal is one fraud signal with its evidence.
type Signal struct {
	Kind      string
	UnitID    int64
	UnitName  string
	AnswerIDs []int64
	Evidence  string
	At        time.Time
}

// SignalRow is what the detection reads of an answer.
type SignalRow struct {
	ID          int64
	UnitID      int64
	UnitName    string
	Channel     string
	ClientKey   string
	Pattern     string
	At          time.Time // when it was submitted
	EnteredBy   string    // the user who typed it, "" for online answers
	StaffOfUnit bool      // EnteredBy belongs to the unit being rated (or a unit under it)
}

// Rate is a unit's satisfied and valid counts.
type Rate struct{ Satisfied, Valid int }

// Detect finds the signals in a campaign's answers. history holds each unit's counts over
// earlier campaigns, current this campaign's.
func Detect(rows []SignalRow, current, history map[int64]Rate) []Signal {
	var out []Signal
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].At.Before(rows[j].At) })
	groups := func(key func(SignalRow) string) map[string][]SignalRow {
		m := map[string][]SignalRow{}
		for _, r := range rows {
			if k := key(r); k != "" {
				m[k] = append(m[k], r)
			}
		}
		return m
	}
	bursts := func(kind string, key func(SignalRow) string, evidence func([]SignalRow) string) {
		g := groups(key)
		keys := make([]string, 0, len(g))
		for k := range g {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rs := g[k]
			for i := 0; i < len(rs); {
				j := i
				for j+1 < len(rs) && rs[j+1].At.Sub(rs[i].At) <= BurstWindow {
					j++
				}
				if j-i+1 >= BurstMin {
					s := Signal{Kind: kind, UnitID: rs[i].UnitID, UnitName: rs[i].UnitName, At: rs[i].At, Evidence: evidence(rs[i : j+1])}
					for _, r := range rs[i : j+1] {
						s.AnswerIDs = append(s.AnswerIDs, r.ID)
					}
					out = append(out, s)
					i = j + 1
					continue
				}
				i++
			}
		}
	}
	span := func(rs []SignalRow) string {
		return fmt.Sprintf("%d 份，%s 至 %s", len(rs), rs[0].At.In(Zone).Format("01-02 15:04"), rs[len(rs)-1].At.In(Zone).Format("15:04"))
	}
	bursts(SameClient, func(r SignalRow) string {
		if r.Channel != Online || r.ClientKey == "" {
			return ""
		}
		return r.ClientKey
	}, func(rs []SignalRow) string {
		key := rs[0].ClientKey
		if len(key) > 8 {
			key = key[:8] + "…"
		}
		return "同一设备或网络（" + key + "）提交 " + span(rs)
	})
	bursts(IdenticalBurst, func(r SignalRow) string {
		if r.Channel != Online {
			return ""
		}
		return fmt.Sprint(r.UnitID, "|", r.Pattern)
	}, func(rs []SignalRow) string { return "答案完全相同 " + span(rs) })
	staff := map[int64][]SignalRow{}
	for _, r := range rows {
		if r.StaffOfUnit {
			staff[r.UnitID] = append(staff[r.UnitID], r)
		}
	}
	units := make([]int64, 0, len(staff))
	for u := range staff {
		units = append(units, u)
	}
	sort.Slice(units, func(i, j int) bool { return units[i] < units[j] })
	for _, u := range units {
		rs := staff[u]
		s := Signal{Kind: StaffEntry, UnitID: u, UnitName: rs[0].UnitName, At: rs[0].At}
		who := map[string]bool{}
		for _, r := range rs {
			s.AnswerIDs = append(s.AnswerIDs, r.ID)
			who[r.EnteredBy] = true
		}
		names := make([]string, 0, len(who))
		for n := range who {
			names = append(names, n)
		}
		sort.Strings(names)
		s.Evidence = fmt.Sprintf("%d 份由被评单位人员录入（%v）", len(rs), names)
		out = append(out, s)
	}
	ids := make([]int64, 0, len(current))
	for u := range current {
		ids = append(ids, u)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	name := map[int64]string{}
	for _, r := range rows {
		name[r.UnitID] = r.UnitName
	}
	for _, u := range ids {
		c, h := current[u], history[u]
		if c.Valid < HistoryMinimum || h.Valid < HistoryMinimum {
			continue
		}
		// c.S/c.V − h.S/h.V ≥ jump, in integers.
		if int64(c.Satisfied)*int64(h.Valid)*10000-int64(h.Satisfied)*int64(c.Valid)*10000 >= HistoryJumpBP*int64(c.Valid)*int64(h.Valid) {
			cur, _ := Percent("valid", c.Satisfied, c.Valid)
			past, _ := Percent("valid", h.Satisfied, h.Valid)
			out = append(out, Signal{Kind: AboveHistory, UnitID: u, UnitName: name[u], Evidence: fmt.Sprintf("本期满意率 %s，往期 %s（%d 份）", cur, past, h.Valid)})
		}
	}
	return out
}

// Signals lists a campaign's fraud signals over the units the actor may read.
func Signals(ctx context.Context, db *store.DB, actor access.Principal, campaignID int64) ([]Signal, error) {
	var out []Signal
	err := db.Read(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if err := readable(ctx, tx, actor, &c); err != nil {
			return err
		}
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		for _, cu := range c.Units {
			mine[cu.UnitID] = true
		}
		rows, err := tx.Query(ctx, `SELECT a.id, a.unit_id, u.name, a.channel, a.client_key, a.pattern, a.created_at, COALESCE(us.username, ''), COALESCE(p.unit_id, 0), a.satisfied, a.authenticity
			FROM survey_answers a JOIN units u ON u.id = a.unit_id LEFT JOIN users us ON us.id = a.entered_by LEFT JOIN people p ON p.id = us.person_id
			WHERE a.campaign_id = ?`, c.ID)
		if err != nil {
			return err
		}
		var sr []SignalRow
		current := map[int64]Rate{}
		for rows.Next() {
			var r SignalRow
			var staffUnit int64
			var sat bool
			var auth string
			if err := rows.Scan(&r.ID, &r.UnitID, &r.UnitName, &r.Channel, &r.ClientKey, &r.Pattern, &r.At, &r.EnteredBy, &staffUnit, &sat, &auth); err != nil {
				rows.Close()
				return err
			}
			if !mine[r.UnitID] {
				continue
			}
			if staffUnit != 0 {
				for _, a := range tree.Ancestry(staffUnit) {
					r.StaffOfUnit = r.StaffOfUnit || a == r.UnitID
				}
			}
			sr = append(sr, r)
			if auth != Fake {
				x := current[r.UnitID]
				x.Valid++
				if sat {
					x.Satisfied++
				}
				current[r.UnitID] = x
			}
		}
		rows.Close()
		history := map[int64]Rate{}
		// The earlier quarters' valid and satisfied answers per unit, from the campaigns'
		// running totals (which count satisfied answers among the valid only): at N=100 the
		// answers themselves are 750,000 rows.
		hrows, err := tx.Query(ctx, `SELECT s.unit_id, SUM(s.answered - s.fake), SUM(s.satisfied) FROM survey_unit_counts s JOIN survey_campaigns c ON c.id = s.campaign_id
			WHERE c.quarter < ? GROUP BY s.unit_id`, c.Quarter)
		if err != nil {
			return err
		}
		for hrows.Next() {
			var u int64
			var r Rate
			if err := hrows.Scan(&u, &r.Valid, &r.Satisfied); err != nil {
				hrows.Close()
				return err
			}
			history[u] = r
		}
		hrows.Close()
		out = Detect(sr, current, history)
		return nil
	})
	return out, err
}
