package locale

// Messages of the quarterly quality analysis meeting (质量分析会).
func init() {
	defineAll(map[string][2]string{
		"entity.improvement":     {"改善项目", "Improvement item"},
		"entity.quality_meeting": {"质量分析会", "Quality analysis meeting"},
		"action.add_finding":     {"记录会议问题", "recorded a finding"},
		"action.verified":        {"验证", "verified"},

		"field.meet_problem": {"存在问题", "Problem"},
		"field.meet_cause":   {"原因分析", "Cause"},
		"field.meet_remedy":  {"整改措施", "Remedy"},
		"field.held_on":      {"会议日期", "Held on"},
		"field.attendees":    {"参会人员", "Attendees"},
		"field.org_id":       {"单位", "Organisation"},
		"field.item_ids":     {"改善项目", "Improvement items"},

		"meet.title":          {"质量分析会", "Quality analysis meetings"},
		"meet.one":            {"%s 质量分析会", "Quality analysis meeting %s"},
		"meet.new":            {"召开质量分析会", "Open a meeting"},
		"meet.open":           {"建立会议记录", "Open the meeting"},
		"meet.none":           {"还没有质量分析会", "No meetings yet"},
		"meet.agenda":         {"会议议程（本季度数据）", "Agenda (the quarter's evidence)"},
		"meet.minutes":        {"会议纪要", "Minutes"},
		"meet.add_finding":    {"记录问题与整改措施", "Record a problem and its remedy"},
		"meet.raise_item":     {"纳入改善项目", "Make the remedy an improvement item"},
		"meet.item":           {"改善项目 %d", "Item %d"},
		"meet.to_verify":      {"待会议验证的改善项目", "Items awaiting the meeting's verification"},
		"meet.verify":         {"会议验证通过", "Verified at the meeting"},
		"meet.verified":       {"本次会议验证的改善项目", "Items verified at this meeting"},
		"meet.status.planned": {"待召开", "Planned"},
		"meet.status.held":    {"已召开", "Held"},
		"meet.saved_flash":    {"已保存会议记录", "The meeting is saved"},
		"meet.verified_flash": {"已记录会议验证", "The meeting's verification is recorded"},
		"meet.count":          {"数量", "Count"},
		"meet.extra":          {"其中", "Of which"},

		"meet.agenda.spot_checks":  {"工作组抽查（有问题的次数）", "Spot checks (with findings)"},
		"meet.agenda.self_checks":  {"部门自查（有问题的次数）", "Self-checks (with findings)"},
		"meet.agenda.routine":      {"服务标准检查（有问题的次数）", "Routine inspections (with findings)"},
		"meet.agenda.surveys":      {"满意度调查答卷（满意）", "Survey answers (satisfied)"},
		"meet.agenda.complaints":   {"投诉（有效）", "Complaints (valid)"},
		"meet.agenda.dept_results": {"考核结果（已审定）", "Assessment results (approved)"},
		"meet.agenda.items":        {"未完成改善项目（逾期）", "Open improvement items (overdue)"},

		"meet.bad_quarter":         {"%s“%s”无效，应为 2026-Q3 的形式", "%s: “%s” is not a quarter (like 2026-Q3)"},
		"meet.quarter_not_begun":   {"%s：%s 还没有开始，不能召开该季度的质量分析会", "%s: %s has not begun, there is nothing to analyse yet"},
		"meet.held_before_quarter": {"%s不能早于 %s 开始", "%s cannot be before %s begins"},
		"meet.exists":              {"%s：%s 已有质量分析会（%d）", "%s: %s already has a meeting (%d)"},
		"meet.forbidden":           {"您无权处理质量分析会", "You may not keep quality analysis meetings"},
		"meet.not_found":           {"找不到质量分析会 %d", "Meeting %d is not found"},
		"meet.none_for_quarter":    {"%s 没有质量分析会", "%s has no meeting"},
		"meet.unit_outside":        {"%s：单位 %d 不属于本次会议的单位", "%s: unit %d is not part of the meeting's organisation"},
	})
}
