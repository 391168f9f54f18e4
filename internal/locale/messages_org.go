package locale

func init() {
	defineAll(map[string][2]string{
		"field.code":       {"编码", "Code"},
		"field.name":       {"名称", "Name"},
		"field.kind":       {"类型", "Kind"},
		"field.parent_id":  {"上级单位", "Parent unit"},
		"field.households": {"户数", "Households"},
		"field.threshold":  {"回收率门槛", "Response-rate threshold"},
		"field.unit_id":    {"所属单位", "Unit"},
		"field.phone":      {"电话", "Phone"},
		"field.title":      {"职务", "Title"},
		"field.role":       {"角色", "Role"},
		"field.role_unit":  {"角色范围", "Role scope"},

		"org.code_chars":               {"%s不能包含空格或 / \\ ? # %% 等字符", "%s cannot contain spaces or / \\ ? # %%"},
		"org.code_taken":               {"%s已被其他单位使用", "%s is already used by another unit"},
		"org.households_only_areas":    {"只有“小区/片区”类型的单位才有%s和回收率门槛", "Only units of kind “area” have %s and a response-rate threshold"},
		"org.unit_not_found":           {"找不到编号为 %d 的单位", "There is no unit with id %d"},
		"org.ref_missing":              {"%s不存在（编号 %d)", "%s does not exist (id %d)"},
		"org.move_into_own_subtree":    {"%s不能是该单位自身或其下级单位", "%s cannot be the unit itself or one of its own sub-units"},
		"org.deactivate_with_children": {"该单位还有 %d 个启用的下级单位，请先停用或移走它们", "This unit still has %d active sub-units; deactivate or move them first"},
		"org.delete_in_use":            {"该单位已有下级单位、人员或角色，不能删除；请改为停用，以保留历史记录", "This unit has sub-units, people or roles and cannot be deleted; deactivate it instead to keep its history"},
		"org.person_not_found":         {"找不到编号为 %d 的人员", "There is no person with id %d"},
		"org.phone_invalid":            {"%s格式不正确，只能包含数字、空格和 -", "%s is not a valid phone number: use digits, spaces and -"},
		"org.person_outranks":          {"此人拥有超出您管理范围的“%s”角色，您不能修改其资料或账号", "This person holds the role “%s” beyond your scope; you cannot change their record or account"},
		"org.grant_out_of_scope":       {"%s：您无权授予或撤销“%s”角色的这一范围", "%s: you cannot grant or revoke the role “%s” over this scope"},

		"kind.company":    {"公司", "Company"},
		"kind.department": {"部门", "Department"},
		"kind.area":       {"小区/片区", "Area"},
		"kind.section":    {"科室", "Section"},
		"kind.team":       {"班组", "Team"},

		"role.admin":      {"系统管理员", "Administrator"},
		"role.clerk":      {"质量管理员", "Quality clerk"},
		"role.committee":  {"质量管理委员会委员", "Committee member"},
		"role.unit_head":  {"单位负责人", "Unit head"},
		"role.foreman":    {"工长", "Foreman"},
		"role.dispatcher": {"调度", "Dispatcher"},
		"role.manager":    {"管理人员", "Manager"},
		"role.staff":      {"员工/维修人", "Staff"},
	})
}
