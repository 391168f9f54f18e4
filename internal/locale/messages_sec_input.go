package locale

// Messages of the checks on text input and on uploaded files (branch sec-input).
func init() {
	defineAll(map[string][2]string{
		"text.bad_utf8":         {"%s含有无法识别的字节（不是 UTF-8 文本），请重新输入", "%s contains bytes that are not UTF-8 text; type it again"},
		"text.control_chr":      {"%s含有不可见的控制字符（如 NUL），请删除后重试", "%s contains an invisible control character (such as NUL); remove it and try again"},
		"text.bad_utf8_name":    {"表单的字段名不是 UTF-8 文本", "A form field's name is not UTF-8 text"},
		"text.control_chr_name": {"表单的字段名含有控制字符", "A form field's name contains a control character"},

		"text.bad_utf8_cell":    {"%s第 %d 行 %s 列含有无法识别的字节（不是 UTF-8 文本）", "%s: the cell in row %d, column %s contains bytes that are not UTF-8 text"},
		"text.control_chr_cell": {"%s第 %d 行 %s 列含有不可见的控制字符（如 NUL）", "%s: the cell in row %d, column %s contains an invisible control character (such as NUL)"},

		"wo.import_too_many_columns":     {"%s第 %d 行有 %d 列，超过上限 %d 列", "%s: row %d has %d columns, more than the %d allowed"},
		"wo.import_cell_too_long":        {"%s第 %d 行 %s 列超过 %d 个字符（Excel 单元格的上限）", "%s: the cell in row %d, column %s is longer than %d characters (Excel's own limit for a cell)"},
		"wo.import_text_too_large":       {"%s的文字合计超过 %d MB，请分成几个文件导入", "%s holds more than %d MB of text; split it into several files"},
		"wo.import_unzip_too_large":      {"%s解压后超过 %d MB，请分成几个文件导入", "%s unpacks to more than %d MB; split it into several files"},
		"wo.import_zip_ratio":            {"%s中的“%s”被压缩了 %d 倍以上，不是正常的工作簿（可能藏有超大单元格），已拒绝", "%s: its part “%s” is compressed more than %d-fold, which no ordinary workbook is (it may hide a huge cell); refused"},
		"wo.import_zip_parts":            {"%s包含超过 %d 个部件，不是正常的工作簿", "%s has more than %d parts, which no ordinary workbook has"},
		"wo.import_utf16":                {"%s是 UTF-16 编码（Excel 的“Unicode 文本”），不受支持。支持的编码：UTF-8、GBK/GB18030；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”", "%s is in UTF-16 (Excel's “Unicode Text”), which is not supported. Supported encodings: UTF-8, GBK/GB18030; in Excel, save as “CSV UTF-8 (Comma delimited)”"},
		"wo.import_encoding_unsupported": {"%s的文字编码不受支持（既不是 UTF-8，也不像 GBK/GB18030 中文，可能是 Big5 或 Shift-JIS）。支持的编码：UTF-8、GBK/GB18030；请另存为“CSV UTF-8（逗号分隔）”", "%s is in a text encoding that is not supported (neither UTF-8 nor Chinese in GBK/GB18030; Big5 or Shift-JIS, perhaps). Supported encodings: UTF-8, GBK/GB18030; save it as “CSV UTF-8 (Comma delimited)”"},
		"calendar.import_too_large":      {"%s太大（最大 %d KB）", "%s is too large (at most %d KB)"},
		"calendar.import_too_many":       {"%s列出的日期超过 %d 天，请分年导入", "%s lists more than %d days; import a few years at a time"},
		"wo.too_early":                   {"%s早于 %s，不是合理的工单时间", "%s is before %s: not a plausible time for a work order"},
	})
}
