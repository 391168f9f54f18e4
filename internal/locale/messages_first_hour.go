package locale

// Messages of the first-hour branch: the 不满意 callback's problem, public units, password reset.
func init() {
	defineAll(map[string][2]string{
		"wo.dissatisfied_problem":   {"“%s”必填：评价为“不满意”时须记下报修人不满意的问题", "%s is required with a dissatisfied rating: note what the reporter was unhappy about"},
		"complaint.unit_not_public": {"%s不受理公众投诉：请从列表中选择为您服务的单位", "%s does not take complaints from the public: choose a unit that serves you from the list"},
		"field.serves_public":       {"受理公众投诉", "Takes complaints from the public"},
		"org.serves_public_hint":    {"勾选后，该单位出现在公众投诉页的单位列表中；人力资源部、质量管理工作小组等内部单位不要勾选。", "When ticked, the unit is listed on the public complaint form; leave internal units such as HR or the quality work group unticked."},
		"auth.username_unknown":     {"%s“%s”不存在", "%s %s: no such account"},
	})
}
