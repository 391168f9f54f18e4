package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/improvement"
	"manyi/internal/meeting"
	"manyi/internal/store"
)

// improvements fills the one improvement loop beside the work orders' items: items from a
// survey opinion, a survey follow-up, a complaint and an inspection finding in every state
// (open, overdue, reported done, verified), and the group's quality analysis meeting of the
// last closed quarter, held on the 10th, whose remedies became items and which verified an
// item reported done.
func (l *loader) improvements(ctx context.Context, prev error) error {
	if prev != nil {
		return prev
	}
	clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	q := meeting.LastClosed(l.now)
	from, to := q.Start().UTC(), q.End().UTC()
	// The newest record of each kind in the quarter: a fixed handful of look-ups.
	pick := func(query string, args ...any) (string, error) {
		var id int64
		err := l.db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, query, args...).Scan(&id) })
		if store.IsNoRows(err) {
			return "", nil
		}
		return strconv.FormatInt(id, 10), err
	}
	type raise struct {
		kind    improvement.Kind
		query   string
		title   string
		cause   string
		measure string
		due     int // days after the quarter's end
		state   improvement.Status
	}
	plan := []raise{
		{improvement.SurveyOpinion, "SELECT id FROM survey_answers WHERE has_opinion = ? AND answered_at >= ? AND answered_at < ? ORDER BY id DESC LIMIT 1",
			"楼道照明维修不及时", "报修登记后无人跟踪", "建立公共照明报修台账，48 小时内修复", 20, improvement.Verified},
		{improvement.SurveyFollowUp, "SELECT id FROM survey_followups WHERE created_at >= ? AND created_at < ? AND ? ORDER BY id DESC LIMIT 1",
			"垃圾清运时间与住户作息冲突", "清运排班按车辆安排，未征求住户意见", "调整清运时间至 7:00 前，并公告住户", 10, improvement.Open},
		{improvement.Complaint, "SELECT id FROM complaints WHERE received_at >= ? AND received_at < ? AND ? ORDER BY id DESC LIMIT 1",
			"投诉答复超时", "值班人员不熟悉投诉流程", "组织投诉处理流程培训，答复时限纳入班组考核", 15, improvement.Done},
		{improvement.InspectionFinding, "SELECT f.id FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE i.inspected_at >= ? AND i.inspected_at < ? AND ? ORDER BY f.id DESC LIMIT 1",
			"消防通道堆放杂物", "巡查未覆盖地下车库", "巡查路线增加地下车库，每周两次", 5, improvement.Open},
	}
	l.at(q.End().Add(2 * time.Hour))
	var done int64
	for _, p := range plan {
		args := []any{true, from, to}
		if p.kind != improvement.SurveyOpinion {
			args = []any{from, to, true}
		}
		ref, err := pick(p.query, args...)
		if err != nil || ref == "" {
			if err != nil {
				return fmt.Errorf("demo improvement source: %w", err)
			}
			continue
		}
		due := q.End().AddDate(0, 0, p.due).Format(time.DateOnly)
		it, err := improvement.Raise(ctx, l.db, clerk, p.kind, ref, improvement.Input{Title: p.title, Cause: p.cause, Measures: p.measure, Owner: "责任单位负责人", DueOn: due})
		if err != nil {
			return fmt.Errorf("demo improvement %s: %w", p.kind, err)
		}
		if p.state == improvement.Done || p.state == improvement.Verified {
			if _, err := improvement.Report(ctx, l.db, clerk, it.ID, "整改完成，附现场照片与台账记录"); err != nil {
				return fmt.Errorf("demo improvement report: %w", err)
			}
		}
		if p.state == improvement.Verified {
			if _, err := improvement.Verify(ctx, l.db, clerk, it.ID, improvement.Verification{Accept: true, Decision: "复查属实"}); err != nil {
				return fmt.Errorf("demo improvement verify: %w", err)
			}
		}
		if p.state == improvement.Done {
			done = it.ID
		}
	}
	return l.meeting(ctx, clerk, q, done)
}

// meeting holds the group's quality analysis meeting of quarter q on its day (or, when that
// day has not come yet, today), records two findings whose remedies become items, and
// verifies the item reported done.
func (l *loader) meeting(ctx context.Context, clerk access.Principal, q meeting.Quarter, done int64) error {
	held, _ := time.ParseInLocation(time.DateOnly, q.MeetsOn(), Zone)
	if held.After(l.today) {
		held = l.today
	}
	l.atMost(held.Add(9 * time.Hour))
	m, err := meeting.Open(ctx, l.db, clerk, meeting.Input{OrgID: l.units["GROUP"].ID, Quarter: q.String(), HeldOn: held.Format(time.DateOnly),
		Attendees: "质量管理委员会、质量管理工作小组、各单位负责人"})
	if err != nil {
		return fmt.Errorf("demo meeting: %w", err)
	}
	for _, f := range []meeting.FindingInput{
		{UnitID: l.units["PROP"].ID, Problem: "多个小区住户反映维修响应慢", Cause: "夜间值班人手不足，报修信息未及时派单", Remedy: "夜间增设一名值班维修工，报修 30 分钟内派单",
			Owner: "物业公司总经理", DueOn: held.AddDate(0, 1, 0).Format(time.DateOnly), Raise: true},
		{UnitID: l.units["CARE"].ID, Problem: "护理记录填写不完整", Cause: "新入职护理员未接受记录规范培训", Remedy: "开展护理记录专项培训并每周抽查",
			Owner: "养老中心护理部", DueOn: held.AddDate(0, 0, 14).Format(time.DateOnly), Raise: true},
	} {
		if _, err := meeting.AddFinding(ctx, l.db, clerk, m.ID, f); err != nil {
			return fmt.Errorf("demo meeting finding: %w", err)
		}
	}
	if done == 0 {
		return nil
	}
	if err := meeting.VerifyItems(ctx, l.db, clerk, m.ID, []int64{done}); err != nil {
		return fmt.Errorf("demo meeting verification: %w", err)
	}
	return nil
}
