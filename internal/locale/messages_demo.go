package locale

func init() {
	defineAll(map[string][2]string{
		"demo.not_empty": {
			"组织中已有单位,演示数据只能载入空的组织;请使用一个新的数据库再载入演示数据",
			"The organisation already has units: demo data can only be loaded into an empty organisation. Use a new database for the demo",
		},
	})
}
