package locale

func init() {
	defineAll(map[string][2]string{
		"err.internal":             {"服务器内部错误，请稍后再试；如果问题持续，请联系管理员", "Something went wrong on our side; please try again, and tell the administrator if it persists"},
		"punct.colon":              {"：", ": "},
		"err.required":             {"%s不能为空", "%s is required"},
		"err.too_long":             {"%s太长（最多 %d 个字符）", "%s is too long (at most %d characters)"},
		"err.bad_complaint_period": {"%s“%s”不是有效的期间（月份如 2026-10，季度如 2026-Q3，年份如 2026）", "%s “%s” is not a valid period (a month as 2026-10, a quarter as 2026-Q3 or a year as 2026)"},
		"err.bad_month":            {"%s“%s”不是有效的月份（格式如 2026-10）", "%s “%s” is not a valid month (format 2026-10)"},
		"err.bad_day":              {"%s“%s”不是有效的日期（格式如 2026-10-05）", "%s “%s” is not a valid date (format 2026-10-05)"},
		"err.bad_quarter":          {"%s“%s”不是有效的季度（格式如 2026-Q3）", "%s “%s” is not a valid quarter (format 2026-Q3)"},
		"err.bad_week":             {"%s“%s”不是有效的周（格式如 2026-W47）", "%s “%s” is not a valid week (format 2026-W47)"},
		"err.not_integer":          {"%s必须是整数", "%s must be a whole number"},
		"err.not_number":           {"%s必须是数字", "%s must be a number"},
		"err.negative":             {"%s不能小于 0", "%s cannot be below 0"},
		"err.out_of_range":         {"%s必须在 %s 到 %s 之间", "%s must be between %s and %s"},
		"err.invalid_choice":       {"%s的取值“%s”无效", "%s: “%s” is not a valid choice"},
		"err.invalid_json":         {"请求内容不是有效的 JSON:%s", "The request body is not valid JSON: %s"},
		"err.unknown_field":        {"未知字段“%s”", "Unknown field “%s”"},
		"err.not_found":            {"找不到该记录", "No such record"},
		"err.forbidden":            {"您没有权限执行此操作", "You do not have the right to do this"},
		"err.out_of_scope":         {"您无权访问该单位的数据", "You have no access to this unit's data"},
		"err.login_required":       {"请先登录", "Please log in first"},
		"err.csrf":                 {"表单已过期或来源无效，请刷新页面后重试", "The form has expired or did not come from this site; reload the page and try again"},
		"err.invalid_id":           {"编号“%s”无效", "“%s” is not a valid id"},
		"err.method":               {"不支持该请求方法", "This method is not allowed here"},
		"err.bad_form":             {"表单内容无法读取，请刷新页面后重试", "The form could not be read; reload the page and try again"},
		"err.body_too_large":       {"请求内容过大", "The request is too large"},
		"err.unsupported_type":     {"不支持的内容类型，请使用 application/json", "Unsupported content type; send application/json"},
	})
}
