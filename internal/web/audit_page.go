package web

import (
	"net/http"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

type auditData struct {
	Entries  []audit.Entry
	Total    int
	Filter   map[string]string
	Pager    pager
	Entities []string
}

// auditEntities are the entities the audit page offers as a filter: every entity an area
// records (TestAuditLabels checks the list against the source).
var auditEntities = []string{
	"unit", "person", "roles", "user", "token", "session",
	"calendar_day", "calendar_config", "calendar_year",
	"complaint", "complaint_policy", "complaint_direct_deduction",
	"assessment_close", "assessment_decision", "assessment_evidence", "assessment_scheme", "assessment_expense", "assessment_hr_decision",
	"work_order", "workorder_draw", "workorder_task", "workorder_followup", "workorder_meeting", "workorder_settings",
	"inspection", "inspection_finding", "inspection_checklist", "sampling_plan", "sampling_draw", "sampling_item",
	"workorder_import", "improvement", "quality_meeting", "workorder_duty",
	"survey_template", "survey_campaign", "survey_answer", "survey_entry", "survey_followup", "survey_improper_case",
	"project", "project_acceptance", "service_target", "webhook", "webhook_delivery", "booking",
	"demo",
}

// auditList shows the audit log to administrators; a scoped administrator sees only the
// entries of units in scope.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !p.CanAnywhere(access.ReadAudit) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	q := r.URL.Query()
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action")}
	if v := q.Get("actor_id"); v != "" {
		f.ActorID, _ = strconv.ParseInt(v, 10, 64)
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, timeZone)
			if err != nil {
				return errs.Field(name, "err.invalid_date", v)
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	if _, everything := p.ScopeRoots(access.ReadAudit); !everything {
		units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{IncludeInactive: true, Action: access.ReadAudit})
		if err != nil {
			return err
		}
		f.UnitIDs = []int64{}
		for _, u := range units {
			f.UnitIDs = append(f.UnitIDs, u.ID)
		}
	}
	d := auditData{Filter: map[string]string{"entity": f.Entity, "entity_id": f.EntityID, "action": f.Action, "from": q.Get("from"), "to": q.Get("to"), "actor_id": q.Get("actor_id")},
		Entities: auditEntities}
	err = s.db.Read(r.Context(), func(tx *store.Tx) (err error) {
		d.Entries, d.Total, err = audit.List(r.Context(), tx, f)
		return err
	})
	if err != nil {
		return err
	}
	var next, prev *store.Key
	d.Entries, next, prev = store.Cut(d.Entries, pg, func(e audit.Entry) store.Key { return store.Key{ID: e.ID} })
	d.Pager = pageLinks(r, next, prev)
	s.render(w, r, "audit", http.StatusOK, d)
	return nil
}
