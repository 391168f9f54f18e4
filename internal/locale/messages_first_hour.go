package locale

// Messages of the first-hour branch: the 不满意 callback's problem, public units, password reset.
func init() {
	defineAll(map[string][2]string{
		"wo.dissatisfied_problem": {"评价为“不满意”时“%s”必填：请记下报修人说的问题", "%s is required with a dissatisfied rating: note the problem the reporter gave"},
	})
}
