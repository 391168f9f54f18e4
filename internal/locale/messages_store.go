package locale

func init() {
	defineAll(map[string][2]string{
		"err.database_unreachable": {"暂时无法连接数据库，本次提交没有保存。请稍后再试。", "The database cannot be reached right now and nothing was saved. Please try again later."},
		"err.bad_cursor":           {"%s无效：请从列表第一页重新翻页", "%s is not valid: page through the list again from its first page"},
		"err.storage_full":         {"服务器存储空间已满，本次提交没有保存。请稍后再试。", "The server's storage is full and nothing was saved. Please try again later."},
	})
}
