package scheme

import "sort"

// applyRules adds the flags of multi-period rules. results are grouped by subject and, within a
// subject, in period order, as Evaluate makes them.
func (s *Scheme) applyRules(results []Result) {
	for i, rule := range s.Rules {
		switch rule.Kind {
		case CountInYear:
			forSubjects(results, func(rs []Result) {
				year, n := -1, 0
				for j := range rs {
					r := &rs[j]
					if r.period.Year != year {
						year, n = r.period.Year, 0
					}
					if r.Status == Scored && r.rules[i] {
						n++
					}
					// Once reached, the count stays reached for the rest of the year: a unit
					// that lost year-end eligibility in October has still lost it in November.
					if n >= rule.Count {
						r.Flags = append(r.Flags, rule.Flag)
					}
				}
			})
		case Consecutive:
			forSubjects(results, func(rs []Result) {
				run := 0
				for j := range rs {
					r := &rs[j]
					if j > 0 && rs[j-1].period.Next() != r.period {
						run = 0 // a gap in the periods breaks the run
					}
					if r.Status == Scored && r.rules[i] {
						run++
					} else {
						run = 0
					}
					if run >= rule.Count {
						r.Flags = append(r.Flags, rule.Flag)
					}
				}
			})
		case YearBudget:
			s.budget(results, rule)
		}
	}
}

// forSubjects calls f with each subject's run of results.
func forSubjects(results []Result, f func([]Result)) {
	for start := 0; start < len(results); {
		end := start + 1
		for end < len(results) && results[end].Subject == results[start].Subject {
			end++
		}
		f(results[start:end])
		start = end
	}
}

// budget flags, in period order across all subjects, every result from the one whose money
// takes the year's spending above the limit.
func (s *Scheme) budget(results []Result, rule Rule) {
	order := make([]*Result, len(results))
	for i := range results {
		order[i] = &results[i]
	}
	// Stable: within a period, subjects keep the order they were given in.
	sort.SliceStable(order, func(i, j int) bool { return order[i].period.Before(order[j].period) })
	year := -1
	var spent Decimal
	for _, r := range order {
		if r.period.Year != year {
			year, spent = r.period.Year, Decimal{}
		}
		if amount, ok := r.Money[rule.Money]; ok {
			spent, _ = spent.Add(amount)
		}
		if spent.Cmp(*rule.Limit) > 0 {
			r.Flags = append(r.Flags, rule.Flag)
		}
	}
}
