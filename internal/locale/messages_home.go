package locale

func init() {
	defineAll(map[string][2]string{
		"home.today":                    {"今天是 %s。以下是您今天要处理的事项。", "Today is %s. Here is what needs you today."},
		"home.nothing":                  {"您的账号还没有分配角色。请联系系统管理员。", "Your account has no role yet. Ask your administrator."},
		"home.users":                    {"在用账号", "Active accounts"},
		"home.calendar_missing":         {"缺少下一年的工作日历（年份）", "Next year's working calendar is missing (year)"},
		"home.schemes_inactive":         {"未启用的考评方案", "Scheme versions not active"},
		"home.audit":                    {"审计日志", "Audit log"},
		"home.complaints_breached":      {"已超时限的投诉", "Complaints past their deadline"},
		"home.complaints_due_soon":      {"时限将到的投诉", "Complaints with a deadline due soon"},
		"home.complaints_open":          {"未办结的投诉", "Open complaints"},
		"home.rectifications_overdue":   {"逾期未整改的问题", "Rectifications overdue"},
		"home.signoffs_pending":         {"待负责人签认的扣分", "Deductions awaiting sign-off"},
		"home.survey_followups_overdue": {"逾期的问卷意见回访", "Survey follow-ups overdue"},
		"home.improvements_overdue":     {"逾期的改善项目", "Improvement items overdue"},
		"home.closes_draft":             {"待完成的考评结账", "Closes in review"},
		"home.imports_staged":           {"待确认导入的工单文件", "Work-order files waiting to be imported"},
		"home.closes_to_approve":        {"待审定的考评结果", "Results waiting for approval"},
		"home.callbacks_waiting":        {"待回访的工单", "Callbacks waiting"},
		"home.self_evaluations":         {"待自评的工单", "Self-evaluations waiting"},
		"home.followup_visits":          {"待上门回访的不满意工单", "Dissatisfaction visits due"},
		"home.my_notices":               {"本月给我的扣分通知", "Deduction notices to me this month"},
		"home.my_scores":                {"我的月度得分", "My monthly scores"},
	})
}
