package locale

func init() {
	defineAll(map[string][2]string{
		"demo.not_empty": {
			"组织中已有单位,演示数据只能载入空的组织;请使用一个新的数据库再载入演示数据",
			"The organisation already has units: demo data can only be loaded into an empty organisation. Use a new database for the demo",
		},
		"demo.scale_range": {
			"%[1]s须大于 0 且不超过 %[2]v(例如 --scale 100 即演示数据的 100 倍)",
			"%[1]s must be greater than 0 and at most %[2]v (for example --scale 100 for 100 times the demo)",
		},
		"field.scale":       {"规模倍数", "Scale"},
		"entity.demo":       {"演示数据", "Demo data"},
		"action.demo.scale": {"批量生成规模数据", "Scale data generated in bulk"},
	})
}
