package locale

// Messages of period close for every subject type, its ledger and the quality work group's
// budget (issue 12; internal/assessment ledger.go, budget.go, subjects.go).
func init() {
	defineAll(map[string][2]string{
		"field.scheme_subjects":   {"考核对象", "subjects"},
		"field.ledger_month":      {"发放月份", "Pay month"},
		"field.ledger_year":       {"年度", "Year"},
		"field.budget_spent_on":   {"支出日期", "Date spent"},
		"field.budget_amount":     {"金额（元）", "Amount (yuan)"},
		"field.budget_note":       {"用途", "Purpose"},
		"field.assessment_person": {"人员", "Person"},
		"field.hr_decision":       {"人事决定", "HR decision"},

		"scheme.subjects_roles_person": {"%s：只有按人员考核的方案（subject: person）可以指定角色", "%s: only a person scheme (subject: person) can name roles"},

		"assessment.no_subjects":             {"%s：“%s”下没有方案 %s 的考核对象（单位类型或人员角色不符），不能结账", "%s: “%s” has no subjects of scheme %s below it (no unit of its kinds, no person of its roles); nothing to close"},
		"assessment.evidence_missing":        {"%s：方案 %s 所需的证据“%s”没有来源（相应业务模块未启用），不能结账", "%s: scheme %s needs the evidence “%s”, which no area provides (the area is not in use); the period cannot be closed"},
		"assessment.close_exists_field":      {"%s“%s”已有方案 %s 的结账（编号 %d），请在该结账中继续", "%s “%s” already has a close of scheme %s (id %d); continue there"},
		"assessment.undecided_field":         {"%s：以下考核对象缺项且未记录决定：%s；不能审定", "%s: these subjects are incomplete without a decision: %s; the close cannot be approved"},
		"assessment.bad_year":                {"%s“%s”不是年份，请按 2026 的格式填写", "%s “%s” is not a year; write it as 2026"},
		"assessment.bad_amount":              {"%s“%s”无效：请填写大于 0 的金额", "%s “%s” is not valid: give an amount above 0"},
		"assessment.ledger_unapproved":       {"%s %s 尚有未审定的结账（%s），审定后才能导出工资扣发表", "%s %s has closes not yet approved (%s); the payroll can be exported once they are approved"},
		"assessment.ledger_nothing_approved": {"%s %s 没有已审定的结账，没有可导出的工资扣发项", "%s %s has no approved close: there is nothing for the payroll"},
		"assessment.person_not_subject":      {"%s：该人员不是本次结账的考核对象", "%s: this person is not a subject of this close"},
		"assessment.hr_not_dismissal":        {"%s：该结果没有辞退审查标记", "%s: this result carries no dismissal review"},
		"assessment.hr_bad_outcome":          {"%s“%s”无效：请选择留用或辞退", "%s “%s” is not valid: choose kept or dismissed"},
		"assessment.hr_only":                 {"只有该人员所在单位的负责人或系统管理员可以记录人事决定", "Only the head of the person's unit or an administrator can record the HR decision"},
	})
}
