// Package sampling runs the weekly sampling of docs/policies.md §6 (seed 002, X软件广东区): a plan per
// service type with its quota (at least 2 implementation projects covering stages A–D, 10
// on-site maintenance tickets, 5 % of trainees, 5 contracts), a reproducible draw each week
// from the population the clerk supplies (closed work orders from the work-order area, the
// rest imported), with the seed and population stored so anyone can redo it, progress
// against the quota, and the weekly service-quality report for the GM meeting.
package sampling

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/scheme"
)

// Member is one element of a population: a reference, a line a supervisor recognises, and
// its stratum (a project's stage, a ticket's team); "" when the plan has none.
type Member struct {
	Ref     string `json:"ref"`
	Label   string `json:"label"`
	Stratum string `json:"stratum,omitempty"`
}

// Quota is how many of a population of n the plan must sample: at least minCount, at least
// minBP basis points of n (rounded up), and at least one of every stratum named by the plan
// that the population has, so "stages A–D" are all covered when they occur.
func Quota(minCount, minBP int, strata []string, pop []Member) int {
	q := minCount
	if pct := (minBP*len(pop) + 9999) / 10000; pct > q {
		q = pct
	}
	present := map[string]bool{}
	for _, m := range pop {
		if contains(strata, m.Stratum) {
			present[m.Stratum] = true
		}
	}
	if len(present) > q {
		q = len(present)
	}
	return q
}

// Draw picks size members reproducibly: the same population (in any order), size, seed and
// strata give the same sample. Members are put in a canonical order, each stratum (the plan's
// strata first, in the plan's order, then any others by name) is shuffled with a generator
// seeded by seed, and the sample takes one from each stratum in turn, so small samples spread
// over the strata.
func Draw(pop []Member, size int, seed int64, strata []string) []Member {
	sorted := append([]Member(nil), pop...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Stratum != sorted[j].Stratum {
			return sorted[i].Stratum < sorted[j].Stratum
		}
		return sorted[i].Ref < sorted[j].Ref
	})
	groups := map[string][]Member{}
	var names []string
	for _, m := range sorted {
		if _, ok := groups[m.Stratum]; !ok {
			names = append(names, m.Stratum)
		}
		groups[m.Stratum] = append(groups[m.Stratum], m)
	}
	rank := func(s string) int {
		for i, x := range strata {
			if x == s {
				return i
			}
		}
		return len(strata)
	}
	sort.SliceStable(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d616e7969)) // "manyi"
	for _, n := range names {
		g := groups[n]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
	}
	out := make([]Member, 0, size)
	for len(out) < size {
		took := false
		for _, n := range names {
			if len(groups[n]) > 0 && len(out) < size {
				out = append(out, groups[n][0])
				groups[n] = groups[n][1:]
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// WeekDays returns the Monday and Sunday (YYYY-MM-DD) of an ISO week "2026-W47".
func WeekDays(week string) (string, string, error) {
	p, err := scheme.ParsePeriod(week)
	if err != nil || p.Kind != scheme.Week {
		return "", "", errs.Field("week", "sampling.bad_week", week)
	}
	jan4 := time.Date(p.Year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(p.N-1))
	return monday.Format("2006-01-02"), monday.AddDate(0, 0, 6).Format("2006-01-02"), nil
}

// WeekOf returns the ISO week key of t.
func WeekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return scheme.Period{Kind: scheme.Week, Year: y, N: w}.String()
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Percent is the plan's minimum share as a percentage without trailing zeros: 500 → "5".
func (p Plan) Percent() string {
	s := fmt.Sprintf("%d.%02d", p.MinBP/100, p.MinBP%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
