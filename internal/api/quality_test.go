package api

import (
	"context"
	"fmt"
	"testing"

	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestQualityAPI files §3 evidence through the API (the clock is 1 March 2026): every refusal
// of the rules answers with the field it names and changes nothing; then a February report,
// its spot check, an audit and a direct deduction, and the quarter board that shows them.
func TestQualityAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cb, err := inspection.SaveChecklist(context.Background(), db, *f.who["admin"], inspection.ChecklistInput{Code: "CB", Name: "回访记录抽查", Items: "CB1 | 回访记录不全 | 0.5 | 0.25-2"})
		if err != nil {
			t.Fatal(err)
		}
		f.vars["{cb}"], f.vars["{cbitem}"] = fmt.Sprint(cb.ID), fmt.Sprint(cb.Items[0].ID)
		rows := func(table string) int {
			var n int
			if err := db.Read(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		f.refused(t, []scenario{
			{name: "self-check of a month not ended", who: "admin", method: "POST", url: "/api/v1/quality/self-checks",
				body: `{"unit_id": {prop}, "month": "2026-03", "score": "95"}`, status: 422, code: errs.Invalid, field: "check_month"},
			{name: "self-check outside the quarter", who: "admin", method: "POST", url: "/api/v1/quality/self-checks",
				body: `{"unit_id": {prop}, "month": "2025-12", "quarter": "2026-Q1", "score": "95"}`, status: 422, code: errs.Invalid, field: "check_month"},
			{name: "spot check of a month without a self-check", who: "admin", method: "POST", url: "/api/v1/quality/spot-checks",
				body: `{"unit_id": {prop}, "month": "2026-01", "score": "90"}`, status: 422, code: errs.Invalid, field: "check_month"},
			{name: "audit deduction of 2", who: "admin", method: "POST", url: "/api/v1/quality/callback-audits",
				body: `{"unit_id": {prop}, "checklist_id": {cb}, "findings": [{"item_id": {cbitem}, "description": "回访记录与实际不符", "deduction": "2"}]}`, status: 422, code: errs.Invalid, field: "deduction"},
			{name: "audit deduction of 0.25", who: "admin", method: "POST", url: "/api/v1/quality/callback-audits",
				body: `{"unit_id": {prop}, "checklist_id": {cb}, "findings": [{"item_id": {cbitem}, "description": "缺回访时间", "deduction": "0.25"}]}`, status: 422, code: errs.Invalid, field: "deduction"},
			{name: "direct deduction without a reason", who: "admin", method: "POST", url: "/api/v1/quality/direct-deductions",
				body: `{"unit_id": {prop}, "day": "2026-02-10", "points": "2"}`, status: 422, code: errs.Invalid, field: "direct_reason"},
			{name: "a self-check by the committee", who: "committee", method: "POST", url: "/api/v1/quality/self-checks",
				body: `{"unit_id": {prop}, "month": "2026-02", "score": "95"}`, status: 403, code: errs.Forbidden},
			{name: "board without a quarter", who: "admin", method: "GET", url: "/api/v1/quality/reports?unit_id={co}", status: 422, code: errs.Invalid, field: "quarter"},
		})
		if n := rows("inspections") + rows("complaint_direct_deductions"); n != 0 {
			t.Fatalf("refused requests stored %d records", n)
		}
		f.run(t, []scenario{
			{name: "February's report", who: "admin", method: "POST", url: "/api/v1/quality/self-checks",
				body: `{"unit_id": {prop}, "month": "2026-02", "quarter": "2026-Q1", "score": "96.5", "note": "台账与系统数据"}`, status: 201, want: []string{`"month":"2026-02"`, `"score":9650`}},
			{name: "its spot check", who: "admin", method: "POST", url: "/api/v1/quality/spot-checks",
				body: `{"unit_id": {prop}, "month": "2026-02", "score": "94"}`, status: 201},
			{name: "an audit", who: "admin", method: "POST", url: "/api/v1/quality/callback-audits",
				body: `{"unit_id": {prop}, "checklist_id": {cb}, "findings": [{"item_id": {cbitem}, "description": "客户称未接到回访", "deduction": "1"}]}`, status: 201, want: []string{`"deducted":100`}, save: "audit"},
			{name: "the audit read back", who: "admin", method: "GET", url: "/api/v1/quality/checks/{audit}", status: 200, want: []string{`"客户称未接到回访"`}},
			{name: "a direct deduction", who: "admin", method: "POST", url: "/api/v1/quality/direct-deductions",
				body: `{"unit_id": {prop}, "day": "2026-02-10", "points": "2.5", "reason": "主业考核差错"}`, status: 201, want: []string{`"points":"2.5"`}},
			{name: "the direct deductions", who: "committee", method: "GET", url: "/api/v1/quality/direct-deductions?from=2026-01-01&to=2026-03-31", status: 200, want: []string{`"主业考核差错"`, `"next_cursor":null`}, check: itemCount(1)},
			{name: "the board", who: "admin", method: "GET", url: "/api/v1/quality/reports?unit_id={co}&quarter=2026-Q1", status: 200,
				want: []string{`"unit_name":"物业管理处"`, `"month":"2026-02","state":"on_time"`, `"self":9650`, `"spot":9400`, `"penalty":250`, `"month":"2026-01","state":"missing"`}},
		})
	})
}
