package locale

func init() {
	defineAll(map[string][2]string{
		"api.no_such_path":    {"没有这个 API 地址", "There is no such API address"},
		"api.empty_body":      {"请求内容为空，需要一个 JSON 对象", "The request body is empty; send a JSON object"},
		"api.json_truncated":  {"请求内容不是完整的 JSON，在结尾前中断了", "The request body is not complete JSON: it ends too early"},
		"api.json_syntax":     {"请求内容不是有效的 JSON（第 %d 个字节附近）", "The request body is not valid JSON (near byte %d)"},
		"api.json_invalid":    {"无法读取请求内容中的 JSON", "The JSON in the request body cannot be read"},
		"api.trailing_data":   {"请求内容只能包含一个 JSON 值", "The request body must hold exactly one JSON value"},
		"api.body_not_object": {"请求内容必须是一个 JSON 对象", "The request body must be a JSON object"},
		"api.wrong_type":      {"%s的类型不对，应为 %s", "%s has the wrong type: expected %s"},
		"api.not_boolean":     {"%s只能是 true 或 false", "%s must be true or false"},
		"api.bad_time":        {"%s的值“%s”无效，请使用 RFC 3339 时间或 YYYY-MM-DD 日期", "%s: “%s” is not valid; use an RFC 3339 time or a YYYY-MM-DD date"},
		"api.two_decimals":    {"%s最多保留两位小数", "%s can have at most two decimals"},
		"api.idem_bad_key":    {"%s必须是 1 到 %d 个可见 ASCII 字符", "%s must be 1 to %d visible ASCII characters"},
		"api.idem_reused":     {"%s已用于另一个请求；新的请求请使用新的键", "%s was already used for a different request; use a new key for a new request"},
		"api.idem_running":    {"使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试", "A request with the same Idempotency-Key is still being processed; retry later"},
		"api.bad_cursor":      {"%s无效，请使用上一页返回的 next_cursor", "%s is not valid: use the next_cursor of the previous page"},
		"api.bad_period":      {"%s的值“%s”无效，请使用 YYYY、YYYY-MM 或 YYYY-Qn", "%s: “%s” is not valid; use YYYY, YYYY-MM or YYYY-Qn"},
		"api.not_an_area":     {"编号为 %d 的单位不是小区/片区", "The unit with id %d is not an area"},
	})
}

func init() {
	defineAll(map[string][2]string{
		"webhook.bad_url":            {"%s必须是 http 或 https 地址", "%s must be an http or https address"},
		"webhook.url_credentials":    {"%s不能包含用户名或密码，请用密钥验证签名", "%s cannot hold a user name or password; verify the signature with the secret"},
		"webhook.private_address":    {"%s指向内部地址 %s；只有允许内部地址的 webhook 可以投递到内部地址", "%s points to the internal address %s; only a webhook that allows private addresses may deliver there"},
		"webhook.secret_length":      {"%s长度必须在 %d 到 %d 个字符之间", "%s must be %d to %d characters long"},
		"webhook.bad_event":          {"%s中的“%s”无效，请使用 实体.动作、实体.* 或 *", "%s: “%s” is not valid; use entity.action, entity.* or *"},
		"webhook.admin_only":         {"只有全组织的系统管理员可以管理 webhook", "Only an organisation-wide administrator can manage webhooks"},
		"webhook.bad_format":         {"%s必须是以下之一：%s", "%s must be one of: %s"},
		"webhook.wecom_no_secret":    {"企业微信群机器人不验证签名（地址中的 key 即凭证），%s请留空", "A WeCom group robot verifies no signature (the key in its URL is the credential); leave %s empty"},
		"webhook.delivery_not_found": {"找不到编号为 %d 的投递", "There is no delivery with id %d"},
		"webhook.inactive_redeliver": {"这个 webhook 已停用，不能重新投递；请先启用", "This webhook is stopped and sends nothing; start it again before redelivering"},
		"webhook.not_found":          {"找不到编号为 %d 的 webhook", "There is no webhook with id %d"},
		"entity.webhook":             {"事件推送", "Webhook"},
		"entity.webhook_delivery":    {"事件推送投递", "Webhook delivery"},
		"action.redeliver":           {"重新投递", "redelivered"},
		"nav.webhooks":               {"事件推送", "Webhooks"},
		"webhook.intro":              {"把系统中的变化推送到其他系统，或以群机器人消息发到企业微信、钉钉群。推送只说明发生了什么、在哪个单位，不含记录内容。", "Send the system's changes to another system, or as a group-robot message to a WeCom or DingTalk group. A delivery says what happened and where, never the record's data."},
		"webhook.new":                {"新建事件推送", "New webhook"},
		"webhook.list":               {"已登记的事件推送", "Registered webhooks"},
		"webhook.none":               {"还没有事件推送。", "No webhooks yet."},
		"webhook.register":           {"登记", "Register"},
		"webhook.save":               {"保存", "Save"},
		"webhook.registered":         {"已登记事件推送", "Webhook registered"},
		"webhook.saved":              {"已保存", "Saved"},
		"webhook.redelivered":        {"将在一分钟内重新投递", "It will be sent again within a minute"},
		"webhook.events_hint":        {"逗号分隔：complaint.create、complaint.* 或 * 表示全部", "Comma-separated: complaint.create, complaint.* or * for every change"},
		"webhook.secret_hint":        {"留空则保留原密钥", "Leave empty to keep the secret"},
		"webhook.format.manyi":       {"系统事件（JSON，签名）", "manyi event (JSON, signed)"},
		"webhook.format.wecom":       {"企业微信群机器人", "WeCom group robot"},
		"webhook.format.dingtalk":    {"钉钉群机器人", "DingTalk group robot"},
		"webhook.is_active":          {"启用", "Active"},
		"webhook.stopped":            {"已停用", "Stopped"},
		"webhook.deliveries":         {"投递记录", "Delivery log"},
		"webhook.no_deliveries":      {"还没有投递。", "No deliveries yet."},
		"webhook.attempts":           {"尝试", "Attempts"},
		"webhook.redeliver":          {"重新投递", "Redeliver"},
		"webhook.status.pending":     {"待投递", "pending"},
		"webhook.status.delivered":   {"已送达", "delivered"},
		"webhook.status.failed":      {"已放弃", "given up"},
		"webhook.no_answer":          {"无应答", "no answer"},
		"field.format":               {"消息格式", "Format"},
		"field.allow_private":        {"允许内部地址", "Allow private addresses"},
	})
}

// Labels of the API's own fields, so refusals name them in the reader's words.
func init() {
	defineAll(map[string][2]string{
		"field.verb":            {"操作", "Action"},
		"field.cursor":          {"分页游标", "Cursor"},
		"field.period":          {"期间", "Period"},
		"field.limit":           {"每页条数", "Page size"},
		"field.Idempotency-Key": {"Idempotency-Key 请求头", "The Idempotency-Key header"},
		"field.url":             {"接收地址", "URL"},
		"field.secret":          {"签名密钥", "Secret"},
		"field.events":          {"事件", "Events"},
		"field.result":          {"检查结果", "Result"},
		"field.order_id":        {"工单", "Work order"},
		"field.team_id":         {"班组", "Team"},
		"field.item_id":         {"检查项", "Checklist item"},
	})
}
