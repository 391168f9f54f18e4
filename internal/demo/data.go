package demo

import (
	"manyi/internal/access"
	"manyi/internal/org"
)

// unitSpec is one unit of the demo tree, its people and its sub-units, in creation order.
type unitSpec struct {
	code, name  string
	kind        org.Kind
	households  int // areas only
	thresholdBP int // areas only
	people      []personSpec
	children    []unitSpec
}

// orgWide as a personSpec scope grants the role over the whole organisation.
const orgWide = "*"

// personSpec is a member of staff. An empty name is filled from the name generator; an empty
// scope means the person's own unit; an empty username means no login account.
type personSpec struct {
	name, title string
	role        access.Role
	scope       string
	username    string
}

func unit(code, name string, kind org.Kind, people []personSpec, children ...unitSpec) unitSpec {
	return unitSpec{code: code, name: name, kind: kind, people: people, children: children}
}

func area(code, name string, households, thresholdBP int, people []personSpec) unitSpec {
	return unitSpec{code: code, name: name, kind: org.Area, households: households, thresholdBP: thresholdBP, people: people}
}

// staff returns n people with generated names, the same title and role over scope.
func staff(n int, title string, role access.Role, scope string) []personSpec {
	out := make([]personSpec, n)
	for i := range out {
		out[i] = personSpec{title: title, role: role, scope: scope}
	}
	return out
}

func people(groups ...[]personSpec) []personSpec {
	var out []personSpec
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func one(name, title string, role access.Role, scope, username string) []personSpec {
	return []personSpec{{name: name, title: title, role: role, scope: scope, username: username}}
}

// tree is the demo organisation: one group holding the organisations of the four seeds.
//
//   - seed 000 and 001: the property company, its Service Management Section (organiser of
//     the monthly unit assessment), its Quality Department (organiser of the quarterly
//     survey), the four residential areas with the thresholds of docs/policies.md §2, and the
//     sections that serve residents;
//   - seed 003: the IT/facility maintenance centre with its dispatch room, its managers and
//     four teams of a foreman and maintainers;
//   - seed 002: the logistics company's assessed departments and its quality work group in
//     the HR department, and the care home with its departments and wards.
//
// servesPublic are the units the public complaint form offers: the residential areas and the
// sections that serve residents, the maintenance teams that serve their reporters, and the
// care home's wards and living department. Internal units (HR, the quality work group, the
// organisers) are not offered.
var servesPublic = map[string]bool{
	"PROP-MDC": true, "PROP-YJC": true, "PROP-YXY": true, "PROP-MGQ": true,
	"PROP-WXK": true, "PROP-BJK": true, "PROP-LHK": true,
	"IMC-WL": true, "IMC-ZD": true, "IMC-JF": true, "IMC-RD": true,
	"CARE-SHB": true, "CARE-BQ1": true, "CARE-BQ2": true,
}

var tree = unit("GROUP", "示范集团", org.Company,
	one("郑永年", "质量管理委员会主任", access.Committee, orgWide, "committee"),

	unit("PROP", "物业公司", org.Company,
		staff(1, "总经理", access.UnitHead, ""),
		unit("PROP-FWGL", "服务管理科", org.Section, people(
			staff(1, "科长", access.Clerk, "PROP"),
			staff(1, "服务督查员", access.Clerk, "PROP"),
		)),
		unit("PROP-PZB", "品质部", org.Department, people(
			staff(1, "部长", access.UnitHead, ""),
			one("林晓雯", "质量管理员", access.Clerk, orgWide, "clerk"),
			staff(1, "质检员", access.Clerk, "PROP"),
		)),
		area("PROP-MDC", "牡丹处", 1200, 1000, people(
			one("周建华", "主任", access.UnitHead, "", "head.mudan"),
			staff(2, "客服管家", access.Staff, ""),
		)),
		area("PROP-YJC", "月季处", 960, 1000, people(
			one("吴秀兰", "主任", access.UnitHead, "", "head.yueji"),
			staff(2, "客服管家", access.Staff, ""),
		)),
		area("PROP-YXY", "永馨园", 400, 3000, people(
			one("陈立新", "主任", access.UnitHead, "", "head.yongxin"),
			staff(1, "客服管家", access.Staff, ""),
		)),
		area("PROP-MGQ", "玫瑰区", 620, 3000, people(
			one("王丽娟", "主任", access.UnitHead, "", "head.meigui"),
			staff(1, "客服管家", access.Staff, ""),
		)),
		unit("PROP-WXK", "维修科", org.Section, people(
			staff(1, "科长", access.UnitHead, ""),
			staff(3, "维修工", access.Staff, ""),
		)),
		unit("PROP-BJK", "保洁科", org.Section, people(
			staff(1, "科长", access.UnitHead, ""),
			staff(3, "保洁员", access.Staff, ""),
		)),
		unit("PROP-LHK", "绿化科", org.Section, people(
			staff(1, "科长", access.UnitHead, ""),
			staff(2, "绿化工", access.Staff, ""),
		)),
	),

	// Dispatchers and managers call back the reporters of every team, so their roles cover
	// the whole centre; foremen and maintainers see their own team.
	unit("IMC", "信息维修中心", org.Department,
		staff(1, "中心主任", access.UnitHead, ""),
		unit("IMC-DDS", "调度室", org.Section, people(
			one("刘晓燕", "调度", access.Dispatcher, "IMC", "dispatcher1"),
			staff(3, "调度", access.Dispatcher, "IMC"),
		)),
		unit("IMC-GLS", "综合管理室", org.Section, people(
			one("孙志刚", "维修工程师", access.Manager, "IMC", "manager1"),
			staff(1, "科室负责人", access.Manager, "IMC"),
			staff(1, "专业分管领导", access.Manager, "IMC"),
		)),
		unit("IMC-WL", "网络班", org.Team, people(
			one("马俊杰", "工长", access.Foreman, "", "foreman.net"),
			one("何海涛", "维修人", access.Staff, "", "staff1"),
			staff(4, "维修人", access.Staff, ""),
		)),
		unit("IMC-ZD", "终端班", org.Team, people(
			staff(1, "工长", access.Foreman, ""),
			staff(4, "维修人", access.Staff, ""),
		)),
		unit("IMC-JF", "机房班", org.Team, people(
			staff(1, "工长", access.Foreman, ""),
			staff(5, "维修人", access.Staff, ""),
		)),
		unit("IMC-RD", "弱电班", org.Team, people(
			staff(1, "工长", access.Foreman, ""),
			staff(4, "维修人", access.Staff, ""),
		)),
	),

	// The logistics company's quality committee approves its own departments' results; its
	// work group sits in the HR department and assesses the whole company.
	unit("LOG", "物流公司", org.Company,
		staff(1, "副总经理（质量管理委员会副主任）", access.Committee, "LOG"),
		unit("LOG-SCJY", "市场经营部", org.Department, staff(1, "部长", access.UnitHead, "")),
		unit("LOG-WLYW", "物流业务部", org.Department, staff(1, "部长", access.UnitHead, "")),
		unit("LOG-WH", "武汉业务部", org.Department, staff(1, "部长", access.UnitHead, "")),
		unit("LOG-DDCL", "订单处理中心", org.Department, staff(1, "主任", access.UnitHead, "")),
		unit("LOG-CY", "储运中心", org.Department, staff(1, "主任", access.UnitHead, "")),
		unit("LOG-ZB", "招标分公司", org.Department, staff(1, "经理", access.UnitHead, "")),
		unit("LOG-JLJC", "计量检测中心", org.Department, staff(1, "主任", access.UnitHead, "")),
		unit("LOG-RLZY", "人力资源部", org.Department, staff(1, "部长", access.UnitHead, ""),
			unit("LOG-ZLXZ", "质量管理工作小组", org.Section, people(
				one("黄文博", "组长", access.Clerk, "LOG", "clerk.log"),
				staff(2, "组员", access.Clerk, "LOG"),
			)),
		),
	),

	unit("CARE", "养老中心", org.Company,
		one("徐淑珍", "主任", access.UnitHead, "", "head.care"),
		unit("CARE-ZHB", "综合部", org.Department, people(
			staff(1, "部长", access.UnitHead, ""),
			staff(2, "行政总值班", access.Staff, ""),
		)),
		unit("CARE-SHB", "生活部", org.Department, people(
			staff(1, "部长", access.UnitHead, ""),
			staff(4, "护理员", access.Staff, ""),
		)),
		unit("CARE-BQ1", "一病区", org.Section, people(
			staff(1, "病区主任", access.UnitHead, ""),
			one("杨春梅", "护士", access.Staff, "", "nurse1"),
			staff(1, "护士", access.Staff, ""),
			staff(3, "护理员", access.Staff, ""),
		)),
		unit("CARE-BQ2", "二病区", org.Section, people(
			staff(1, "病区主任", access.UnitHead, ""),
			staff(2, "护士", access.Staff, ""),
			staff(3, "护理员", access.Staff, ""),
		)),
	),

	// Seed 002's engineering company: its offices (工程处) run the projects of the register,
	// its engineering management department approves major projects' construction plans.
	unit("ENG", "电信工程公司", org.Company,
		staff(1, "总经理", access.UnitHead, ""),
		unit("ENG-GLB", "工程管理部", org.Department, people(
			staff(1, "部长", access.UnitHead, ""),
			one("谢振东", "工程管理员", access.Clerk, "ENG", "clerk.eng"),
		)),
		unit("ENG-GC1", "第一工程处", org.Department, people(
			one("高建国", "处长", access.UnitHead, "", "head.gc1"),
			staff(2, "项目经理", access.Staff, ""),
		)),
		unit("ENG-GC2", "第二工程处", org.Department, people(
			staff(1, "处长", access.UnitHead, ""),
			staff(2, "项目经理", access.Staff, ""),
		)),
		unit("ENG-GC3", "第三工程处", org.Department, people(
			staff(1, "处长", access.UnitHead, ""),
			staff(2, "项目经理", access.Staff, ""),
		)),
	),
)
