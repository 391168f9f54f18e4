// Package project is the engineering project register of an engineering company (seed 002,
// 电信工程公司工程服务服务质量管理办法): each project of an engineering office (工程处) with its
// contract, customer, planned start, construction-plan filing (施工组织设计), materials plan,
// handover, acceptance inspections (交验) and contract fulfilment. The register is the record
// the engineering quality targets are measured from: contract fulfilment 100 %, first-time
// acceptance pass > 96 %, customer satisfaction > 93 %, and every construction plan filed in
// time.
package project

import (
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Zone is where project days are counted.
var Zone = time.FixedZone("CST", 8*3600)

// PlanLeadDays is how many days before the start a major project's construction plan must
// reach the engineering management department (第七条: 开工前3天).
const PlanLeadDays = 3

// Project is one engineering project.
type Project struct {
	ID                int64        `json:"id"`
	Code              string       `json:"code"`
	Name              string       `json:"name"`
	ContractNo        string       `json:"contract_no"`
	Customer          string       `json:"customer"`
	UnitID            int64        `json:"unit_id"`
	UnitName          string       `json:"unit_name"`
	Major             bool         `json:"major"`
	Tendered          bool         `json:"tendered"`
	PlannedStart      string       `json:"planned_start"`
	PlanFiledOn       string       `json:"plan_filed_on,omitempty"`
	PlanApprovedOn    string       `json:"plan_approved_on,omitempty"`
	PlanApprovedBy    string       `json:"plan_approved_by,omitempty"`
	MaterialsPlan     string       `json:"materials_plan,omitempty"`
	HandedOverOn      string       `json:"handed_over_on,omitempty"`
	Fulfilled         *bool        `json:"fulfilled"`          // nil until the contract is settled
	CustomerSatisfied *bool        `json:"customer_satisfied"` // the customer's verdict at handover
	Acceptances       []Acceptance `json:"acceptances"`
	CreatedBy         string       `json:"created_by"`
	CreatedAt         time.Time    `json:"created_at"`
}

// Acceptance is one acceptance inspection (交验) of a project.
type Acceptance struct {
	ID          int64  `json:"id"`
	InspectedOn string `json:"inspected_on"`
	Passed      bool   `json:"passed"`
	Note        string `json:"note,omitempty"`
}

// Input creates or changes a project. PlanOnTime, when set, is what the office claims about
// its filing; it is checked against the dates, never taken on trust.
type Input struct {
	Code              string `json:"code"`
	Name              string `json:"name"`
	ContractNo        string `json:"contract_no"`
	Customer          string `json:"customer"`
	UnitID            int64  `json:"unit_id"`
	Major             bool   `json:"major"`
	Tendered          bool   `json:"tendered"`
	PlannedStart      string `json:"planned_start"`
	PlanFiledOn       string `json:"plan_filed_on"`
	PlanApprovedOn    string `json:"plan_approved_on"`
	MaterialsPlan     string `json:"materials_plan"`
	HandedOverOn      string `json:"handed_over_on"`
	Fulfilled         *bool  `json:"fulfilled"`
	CustomerSatisfied *bool  `json:"customer_satisfied"`
	PlanOnTime        *bool  `json:"plan_on_time,omitempty"`
}

// PlanStatus says how a project's construction plan stands against the rule.
type PlanStatus string

const (
	PlanNotRequired PlanStatus = "not_required" // neither major nor tendered: the office manages it
	PlanOnTime      PlanStatus = "on_time"
	PlanLate        PlanStatus = "late"    // filed, but after the deadline
	PlanMissing     PlanStatus = "missing" // the deadline passed with nothing filed
	PlanPending     PlanStatus = "pending" // not filed yet, the deadline still ahead
)

// Breach reports whether the status breaks the filing rule.
func (s PlanStatus) Breach() bool { return s == PlanLate || s == PlanMissing }

// PlanDeadline is the last day a project's plan may be filed: 3 days before the start for a
// major project; for a tendered project that is not major, the start itself (the seed asks
// it to be filed for the record without a lead time). "" when no filing is required.
func PlanDeadline(major, tendered bool, plannedStart string) string {
	start, err := time.ParseInLocation(time.DateOnly, plannedStart, Zone)
	if err != nil {
		return ""
	}
	switch {
	case major:
		return start.AddDate(0, 0, -PlanLeadDays).Format(time.DateOnly)
	case tendered:
		return start.Format(time.DateOnly)
	}
	return ""
}

// Plan is the filing status of a project on day today (YYYY-MM-DD).
func Plan(major, tendered bool, plannedStart, filedOn, today string) PlanStatus {
	deadline := PlanDeadline(major, tendered, plannedStart)
	switch {
	case deadline == "":
		return PlanNotRequired
	case filedOn != "" && filedOn <= deadline:
		return PlanOnTime
	case filedOn != "":
		return PlanLate
	case today > deadline:
		return PlanMissing
	}
	return PlanPending
}

// FirstPass reports whether the project passed its first acceptance inspection, and whether it
// has had one at all.
func FirstPass(acceptances []Acceptance) (passed, inspected bool) {
	if len(acceptances) == 0 {
		return false, false
	}
	first := acceptances[0]
	for _, a := range acceptances[1:] {
		if a.InspectedOn < first.InspectedOn {
			first = a
		}
	}
	return first.Passed, true
}

func day(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", errs.Required(field)
		}
		return "", nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Zone)
	if err != nil {
		return "", errs.Field(field, "err.invalid_date", s)
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return "", errs.Field(field, "project.date_implausible", s)
	}
	return t.Format(time.DateOnly), nil
}

// validate checks an input and normalises its text and dates. Every refusal names its field.
func validate(in *Input) error {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	in.ContractNo, in.Customer = strings.TrimSpace(in.ContractNo), strings.TrimSpace(in.Customer)
	in.MaterialsPlan = strings.TrimSpace(in.MaterialsPlan)
	switch {
	case in.Code == "":
		return errs.Required("project_code")
	case utf8.RuneCountInString(in.Code) > 40 || strings.ContainsAny(in.Code, " \t/\\?#%"):
		return errs.Field("project_code", "project.code_invalid")
	case in.Name == "":
		return errs.Required("project_name")
	case utf8.RuneCountInString(in.Name) > 200:
		return errs.Field("project_name", "err.too_long", 200)
	case utf8.RuneCountInString(in.Customer) > 200:
		return errs.Field("project_customer", "err.too_long", 200)
	case utf8.RuneCountInString(in.ContractNo) > 60:
		return errs.Field("project_contract_no", "err.too_long", 60)
	case utf8.RuneCountInString(in.MaterialsPlan) > 2000:
		return errs.Field("project_materials_plan", "err.too_long", 2000)
	case in.UnitID == 0:
		return errs.Required("project_unit")
	}
	var err error
	if in.PlannedStart, err = day("project_planned_start", in.PlannedStart, true); err != nil {
		return err
	}
	if in.PlanFiledOn, err = day("project_plan_filed_on", in.PlanFiledOn, false); err != nil {
		return err
	}
	if in.PlanApprovedOn, err = day("project_plan_approved_on", in.PlanApprovedOn, false); err != nil {
		return err
	}
	if in.HandedOverOn, err = day("project_handed_over_on", in.HandedOverOn, false); err != nil {
		return err
	}
	switch {
	case in.PlanApprovedOn != "" && in.PlanFiledOn == "":
		return errs.Field("project_plan_approved_on", "project.approved_unfiled")
	case in.PlanApprovedOn != "" && in.PlanApprovedOn < in.PlanFiledOn:
		return errs.Field("project_plan_approved_on", "project.approved_before_filed")
	case in.HandedOverOn != "" && in.HandedOverOn < in.PlannedStart:
		return errs.Field("project_handed_over_on", "project.before_start")
	case in.Fulfilled != nil && in.HandedOverOn == "":
		return errs.Field("project_fulfilled", "project.fulfilled_before_handover")
	}
	if in.PlanOnTime != nil && *in.PlanOnTime {
		deadline := PlanDeadline(in.Major, in.Tendered, in.PlannedStart)
		if deadline != "" && (in.PlanFiledOn == "" || in.PlanFiledOn > deadline) {
			return errs.Field("project_plan_on_time", "project.plan_not_on_time", deadline)
		}
	}
	return nil
}

// validateAcceptance checks an acceptance inspection against its project.
func validateAcceptance(p Project, a *Acceptance) error {
	var err error
	if a.InspectedOn, err = day("acceptance_inspected_on", a.InspectedOn, true); err != nil {
		return err
	}
	a.Note = strings.TrimSpace(a.Note)
	switch {
	case a.InspectedOn < p.PlannedStart:
		return errs.Field("acceptance_inspected_on", "project.acceptance_before_start", p.PlannedStart)
	case utf8.RuneCountInString(a.Note) > 500:
		return errs.Field("acceptance_note", "err.too_long", 500)
	}
	return nil
}
