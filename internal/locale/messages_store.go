package locale

func init() {
	defineAll(map[string][2]string{
		"err.storage_full": {"服务器存储空间已满，本次提交没有保存。请稍后再试。", "The server's storage is full and nothing was saved. Please try again later."},
	})
}
