package locale

// Messages of the quarterly department assessment's evidence (docs/policies.md §3): self-check
// reports, spot checks, callback audits, key-customer questionnaires and direct deductions.
func init() {
	defineAll(map[string][2]string{
		"field.check_month":      {"考核月份", "Month assessed"},
		"field.quarter":          {"季度", "Quarter"},
		"field.parent_unit_id":   {"公司", "Company"},
		"field.survey_customers": {"重点客户", "Key customers"},
		"field.survey_audience":  {"调查对象", "Addressed to"},

		"survey.customers_residents":    {"%s只用于重点客户问卷；业主调查按户数发放", "%s are for key-customer questionnaires only; a residents' survey goes by households"},
		"survey.customer_twice":         {"%s“%s”重复", "%s: “%s” is listed twice"},
		"survey.customers_hint":         {"每行一个重点客户；每个客户一份问卷（附件3《服务满意度》调查问卷），问卷得分 95 分及以上按 100 分计入部门季度考核。", "One key customer a line; one questionnaire each. A questionnaire score of 95 or more counts as 100 in the department's quarterly assessment."},
		"survey.audience.residents":     {"业主（住户）", "Residents"},
		"survey.audience.key_customers": {"重点客户", "Key customers"},

		"quality.bad_instant":           {"%s“%s”不是有效的时间（RFC 3339，如 2026-10-03T09:00:00+08:00）", "%s “%s” is not an instant (RFC 3339, e.g. 2026-10-03T09:00:00+08:00)"},
		"quality.bad_month":             {"%s“%s”不是有效的月份（格式 2026-10）", "%s “%s” is not a month (format 2026-10)"},
		"quality.bad_quarter":           {"%s“%s”不是有效的季度（格式 2026-Q4）", "%s “%s” is not a quarter (format 2026-Q4)"},
		"quality.month_not_ended":       {"%s %s 尚未结束：月度自查只能在当月结束后上报", "%s %s has not ended: a monthly self-check is reported once the month is over"},
		"quality.month_after_check":     {"%s %s 晚于检查日期 %s", "%s %s is after the day of the check, %s"},
		"quality.month_outside_quarter": {"%s %s 不在 %s 季度内", "%s %s is not in the quarter %s"},
		"quality.spot_without_self":     {"%s %s 没有自查得分，不能抽查该月（抽查是对部门自查报表的核查）", "%s %s has no self-check score, so it cannot be spot-checked (a spot check checks the department's report)"},
		"quality.callback_range":        {"%s %s 超出回访记录抽查的扣分范围 %s–%s", "%s %s is outside the callback-audit range %s–%s"},

		"field.complaint_id":                {"投诉编号", "Complaint no."},
		"field.direct_points":               {"直接扣分", "Points deducted"},
		"field.direct_reason":               {"扣分原因", "Reason"},
		"field.direct_day":                  {"扣分日期", "Day"},
		"complaint.clerk_only":              {"只有投诉受理员可以记录主业直接扣分", "Only the complaint desk may record direct deductions"},
		"complaint.direct_bad_points":       {"%s“%s”不是有效的分数（最多两位小数）", "%s “%s” is not a number of points (two decimals at most)"},
		"complaint.direct_bad_day":          {"%s“%s”不是有效的日期（格式 2026-10-12）", "%s “%s” is not a day (format 2026-10-12)"},
		"complaint.direct_future":           {"%s %s 晚于今天", "%s %s is after today"},
		"entity.complaint_direct_deduction": {"主业直接扣分", "direct deduction"},
		"complaint.direct":                  {"主业直接扣分", "Direct deductions"},
		"complaint.direct_add":              {"记录直接扣分", "Record a direct deduction"},
		"complaint.direct_added":            {"已记录%s直接扣分 %s 分", "Recorded a direct deduction of %[2]s points for %[1]s"},
		"complaint.direct_none":             {"本季度没有直接扣分", "No direct deductions this quarter"},
		"complaint.direct_by":               {"记录人", "Recorded by"},
		"complaint.direct_hint":             {"主业直接扣分在部门季度考核的客户投诉得分中直接扣减（附件1 第十二条）。", "A direct deduction comes off the department's complaint score in the quarterly assessment (附件1 art. 12)."},
		"complaint.direct_not_found":        {"找不到编号为 %d 的直接扣分", "There is no direct deduction with id %d"},
		"complaint.direct_other_unit":       {"%s %d 不是该单位的投诉", "%s %d is not a complaint about this unit"},

		"quality.report":     {"自查自报", "Self-check report"},
		"quality.due_on":     {"应于 %s 前上报", "due by %s"},
		"quality.file_self":  {"填报自查", "File self-check"},
		"quality.file_spot":  {"抽查", "Spot-check"},
		"quality.board_hint": {"各业务部门每月结束后上报月度自查得分（次月 5 日前为按时）；工作组抽查已上报的月份。未报、迟报在此一目了然。", "Each business department reports its monthly self-check score once the month is over (on time by the 5th of the next month); the work group spot-checks reported months. Missing and late reports show here."},
		"report.on_time":     {"按时", "On time"},
		"report.late":        {"迟报", "Late"},
		"report.missing":     {"未报", "Missing"},
		"report.due":         {"待报", "Due"},
		"report.open":        {"未到期", "Month not over"},
	})
}
