package locale

func init() {
	defineAll(map[string][2]string{
		"field.username":             {"用户名", "Username"},
		"field.password":             {"密码", "Password"},
		"field.old_password":         {"当前密码", "Current password"},
		"field.new_password":         {"新密码", "New password"},
		"field.person_id":            {"人员", "Person"},
		"field.locale":               {"语言", "Language"},
		"field.active":               {"启用状态", "Active"},
		"field.token_name":           {"令牌名称", "Token name"},
		"field.MANYI_ADMIN_PASSWORD": {"MANYI_ADMIN_PASSWORD", "MANYI_ADMIN_PASSWORD"},

		"auth.password_short":         {"%s至少需要 %d 个字符", "%s must be at least %d characters long"},
		"auth.username_format":        {"%s只能包含小写字母、数字、点、下划线和连字符，2–40 个字符，以字母或数字开头", "%s may contain lower-case letters, digits, dots, underscores and hyphens, 2–40 characters, starting with a letter or digit"},
		"auth.username_taken":         {"%s已被使用", "%s is already taken"},
		"auth.person_has_user":        {"该%s已经有账号", "This %s already has an account"},
		"auth.person_inactive":        {"%s“%s”已停用，不能开通账号", "%s “%s” is inactive and cannot be given an account"},
		"auth.user_not_found":         {"找不到编号为 %d 的账号", "There is no account with id %d"},
		"auth.cannot_deactivate_self": {"%s：不能停用自己的账号", "%s: you cannot deactivate your own account"},
		"auth.old_password_wrong":     {"%s不正确", "%s is wrong"},
		"auth.password_unchanged":     {"%s不能与当前密码相同", "%s must differ from the current password"},
		"auth.bad_credentials":        {"用户名或密码不正确", "Wrong username or password"},
		"auth.throttled":              {"登录失败次数过多，请 %d 分钟后再试", "Too many failed logins; try again in %d minutes"},
		"auth.session_expired":        {"登录已过期，请重新登录", "Your session has expired; please log in again"},
		"auth.bad_token":              {"API 令牌无效或已撤销", "The API token is invalid or revoked"},
	})
}
