package locale

// Messages of the security fixes of issue 13: complaint response codes, public rate limits,
// common passwords.
func init() {
	defineAll(map[string][2]string{
		"field.response_code":             {"确认码", "Response code"},
		"complaint.answer_by_desk":        {"%s：此投诉登记时尚无确认码，请致电投诉受理台告知您是否满意，由受理员代为记录", "%s: this complaint was registered before response codes existed; tell the complaint desk by phone whether you are satisfied and they will record it"},
		"public.answer_by_desk":           {"此投诉登记时尚无确认码：请致电投诉受理台告知您是否满意，由受理员代为记录。", "This complaint was registered before response codes existed: tell the complaint desk by phone whether you are satisfied and they will record it."},
		"complaint.response_code_wrong":   {"%s不正确：请输入提交投诉时与查询码一起显示的确认码（不是查询码）", "%s is wrong: enter the response code shown with the tracking code when you submitted the complaint (not the tracking code)"},
		"complaint.created_with_response": {"投诉已登记，查询码 %s。请将确认码 %s 告知投诉人：它只显示这一次，投诉人用它确认是否满意", "Complaint registered, tracking code %s. Tell the complainant the response code %s: it is shown only this once, and the complainant needs it to confirm or reject the solution"},
		"public.keep_response_code":       {"您的确认码（处理完成后，用它确认满意或提出异议）：", "Your response code (once the complaint is resolved, it confirms or rejects the solution):"},
		"public.response_code_private":    {"确认码只显示这一次，工作人员也看不到它，请妥善保存、不要告诉他人。查询码只能查看进度，可以告诉工作人员。", "The response code is shown only now and staff cannot see it: keep it to yourself. The tracking code only shows progress and may be shared with staff."},
		"public.response_code_hint":       {"确认码是提交投诉时与查询码一起显示的另一个码。", "The response code is the second code shown with the tracking code when you submitted the complaint."},
		"complaint.track_rate_limited":    {"查询太频繁，请一分钟后再试", "Too many lookups; please try again in a minute"},
		"complaint.rate_limited_minute":   {"请求太频繁，请一分钟后再试", "Too many requests; please try again in a minute"},
		"auth.password_common":            {"%s太常见，容易被猜中：请换一个不在常用或已泄露密码表中的密码", "%s is too common and easily guessed: choose one that is not on the lists of common or breached passwords"},
	})
}
