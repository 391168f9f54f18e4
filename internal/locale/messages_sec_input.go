package locale

// Messages of the checks on text input and on uploaded files (branch sec-input).
func init() {
	defineAll(map[string][2]string{
		"text.bad_utf8":         {"%s含有无法识别的字节（不是 UTF-8 文本），请重新输入", "%s contains bytes that are not UTF-8 text; type it again"},
		"text.control_chr":      {"%s含有不可见的控制字符（如 NUL），请删除后重试", "%s contains an invisible control character (such as NUL); remove it and try again"},
		"text.bad_utf8_name":    {"表单的字段名不是 UTF-8 文本", "A form field's name is not UTF-8 text"},
		"text.control_chr_name": {"表单的字段名含有控制字符", "A form field's name contains a control character"},
	})
}
