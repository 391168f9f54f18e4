// Package inspection is the inspection side of docs/policies.md §1, §3, §5 and §6: checklists of
// service standards (versioned), inspections of every kind with their findings, photos taken
// on a phone, deductions charged to a unit or a person (with the department head's sign-off
// and an in-app notice to the person), rectifications with deadlines and an overdue sweep,
// self-check and spot-check scores, and the facts period close needs (inspections, problems,
// self_checks, spot_checks, callback_deductions, deductions).
package inspection

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
)

// Kind is what sort of inspection it is.
type Kind string

const (
	Routine       Kind = "routine"        // 服务标准检查 (§1, §6 property inspections)
	SpotCheck     Kind = "spot_check"     // 工作组抽查 (§3)
	SelfCheck     Kind = "self_check"     // 部门自查 (§3, §6)
	DirectorRound Kind = "director_round" // 主任大查房 (§5)
	DutyRound     Kind = "duty_round"     // 行政总值班 (§5)
	WardRound     Kind = "ward_round"     // 业务查房 (§5)
	CallbackAudit Kind = "callback_audit" // 回访记录抽查 (§3)
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{Routine, SpotCheck, SelfCheck, DirectorRound, DutyRound, WardRound, CallbackAudit}

// Scored reports whether the kind may carry a 0–100 score: the monthly self-check (which
// must) and the work group's spot check of §3 (which may also just record problems).
func (k Kind) Scored() bool { return k == SelfCheck || k == SpotCheck }

// Signoff is where a person-charged finding is in its sign-off.
type Signoff string

const (
	NoSignoff Signoff = "none" // charges the unit only
	Pending   Signoff = "pending"
	Signed    Signoff = "signed"
	Rejected  Signoff = "rejected"
)

// Zone is the organisation's time zone: months and days are read in it.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Points are hundredths of a point (or of a score), so that 0.5 and 99.5 are exact integers
// and sums in SQL stay exact on both databases.
type Points int64

// String formats p as a decimal without trailing zeros: 150 → "1.5", 1000 → "10".
func (p Points) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	s := fmt.Sprintf("%s%d.%02d", sign, p/100, p%100)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Yuan is the money a deduction costs at yuanPerPoint yuan a point, as a decimal string.
func (p Points) Yuan(yuanPerPoint int64) string { return Points(int64(p) * yuanPerPoint).String() }

// ParsePoints reads "1", "0.5" or "12.25"; more than two decimals, a sign or junk is refused
// naming field.
func ParsePoints(field, s string) (Points, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errs.Required(field)
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || len(frac) > 2 || !digits(whole) || !digits(frac) || len(whole) > 6 {
		return 0, errs.Field(field, "inspection.bad_points", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	frac += strings.Repeat("0", 2-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Points(w*100 + f), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Item is one service standard of a checklist: a deduction by default, changeable by the
// inspector within [Min, Max] (e.g. 0.5–1 for a callback record, §3).
type Item struct {
	ID            int64  `json:"id"`
	Code          string `json:"code"`
	Text          string `json:"text"`
	Deduction     Points `json:"deduction"`
	Min           Points `json:"min"`
	Max           Points `json:"max"`
	ChargesPerson bool   `json:"charges_person"`
}

// CheckDeduction reports whether d lies in the item's range.
func (it Item) CheckDeduction(d Points) error {
	if d < it.Min || d > it.Max {
		return errs.Field("deduction", "inspection.deduction_range", d.String(), it.Code, it.Min.String(), it.Max.String())
	}
	return nil
}

// Checklist is one version of a checklist of service standards for a kind of unit.
type Checklist struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	Name      string    `json:"name"`
	UnitKind  string    `json:"unit_kind,omitempty"`
	Active    bool      `json:"active"`
	Items     []Item    `json:"items"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Item returns the checklist's item with id.
func (c Checklist) Item(id int64) (Item, bool) {
	for _, it := range c.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// ParseItems reads a checklist's items, one a line: "code | text | deduction" with an optional
// "| min-max" range and an optional "| person" when the item charges the person responsible.
// Every bad line is refused naming its number.
func ParseItems(text string) ([]Item, error) {
	var out []Item
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		if len(parts) < 3 || len(parts) > 5 || parts[0] == "" || parts[1] == "" {
			return nil, errs.Field("checklist_items", "inspection.item_line", i+1)
		}
		if seen[parts[0]] {
			return nil, errs.Field("checklist_items", "inspection.item_duplicate", i+1, parts[0])
		}
		seen[parts[0]] = true
		d, err := ParsePoints("checklist_items", parts[2])
		if err != nil {
			return nil, errs.Field("checklist_items", "inspection.item_line", i+1)
		}
		it := Item{Code: parts[0], Text: parts[1], Deduction: d, Min: d, Max: d}
		for _, p := range parts[3:] {
			switch {
			case p == "person":
				it.ChargesPerson = true
			case strings.Contains(p, "-"):
				lo, hi, _ := strings.Cut(p, "-")
				a, err1 := ParsePoints("checklist_items", lo)
				b, err2 := ParsePoints("checklist_items", hi)
				if err1 != nil || err2 != nil || a > b || d < a || d > b {
					return nil, errs.Field("checklist_items", "inspection.item_range", i+1)
				}
				it.Min, it.Max = a, b
			default:
				return nil, errs.Field("checklist_items", "inspection.item_line", i+1)
			}
		}
		if len([]rune(it.Text)) > 200 || len(it.Code) > 20 {
			return nil, errs.Field("checklist_items", "inspection.item_line", i+1)
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		return nil, errs.Required("checklist_items")
	}
	if len(out) > 200 {
		return nil, errs.Field("checklist_items", "err.out_of_range", "1", "200")
	}
	return out, nil
}

// ItemsText writes items back in the form ParseItems reads.
func ItemsText(items []Item) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s | %s | %s", it.Code, it.Text, it.Deduction)
		if it.Min != it.Deduction || it.Max != it.Deduction {
			fmt.Fprintf(&b, " | %s-%s", it.Min, it.Max)
		}
		if it.ChargesPerson {
			b.WriteString(" | person")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// DutyQuota is the points a duty officer must log a day (§5); shown as status, never
// enforced by inventing findings.
const DutyQuota Points = 1000

// QuotaStatus is one duty officer's day against the quota.
type QuotaStatus struct {
	Day       string `json:"day"`
	Inspector string `json:"inspector"`
	Logged    Points `json:"logged"`
	Met       bool   `json:"met"`
}
