package project

import (
	"context"
	"strings"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/workorder"
)

// Columns of an import file, by their header (Chinese as the register is kept, or English).
// The unit is named by its code or its name.
var importColumns = []struct {
	field   string
	headers []string
}{
	{"project_code", []string{"项目编号", "code"}},
	{"project_name", []string{"项目名称", "name"}},
	{"project_contract_no", []string{"合同编号", "contract_no"}},
	{"project_customer", []string{"顾客", "建设方", "customer"}},
	{"project_unit", []string{"工程处", "unit"}},
	{"project_major", []string{"重大工程", "major"}},
	{"project_tendered", []string{"招投标", "tendered"}},
	{"project_planned_start", []string{"计划开工", "planned_start"}},
	{"project_plan_filed_on", []string{"施工组织设计报送", "plan_filed_on"}},
	{"project_plan_approved_on", []string{"施工组织设计审批", "plan_approved_on"}},
	{"project_handed_over_on", []string{"交付日期", "handed_over_on"}},
	{"project_fulfilled", []string{"合同履约", "fulfilled"}},
	{"project_customer_satisfied", []string{"顾客满意", "customer_satisfied"}},
	{"project_plan_on_time", []string{"按时报送", "plan_on_time"}},
}

// RowProblem is a refused row of an import file, with the row number the user sees.
type RowProblem struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportError lists every refused row; nothing of the file was stored.
type ImportError struct{ Rows []RowProblem }

func (e *ImportError) Error() string { return "project import: rows refused" }

// Import reads a register (XLSX or CSV) and saves every row, as Save does, in one
// transaction: a file with a bad row stores nothing and every bad row is reported with its
// number, field and reason in lang.
func Import(ctx context.Context, db *store.DB, actor access.Principal, name string, data []byte, lang locale.Lang) (int, error) {
	sheet, err := workorder.ReadSheet(name, data)
	if err != nil {
		return 0, err
	}
	col := map[string]int{}
	for i, h := range sheet.Headers {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, c := range importColumns {
			for _, want := range c.headers {
				if h == strings.ToLower(want) {
					col[c.field] = i
				}
			}
		}
	}
	for _, f := range []string{"project_code", "project_name", "project_unit", "project_planned_start"} {
		if _, ok := col[f]; !ok {
			return 0, errs.Field("import_file", "project.import_column_missing", locale.T(lang, "field."+f))
		}
	}
	saved := 0
	var problems []RowProblem
	err = db.InTx(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		units := map[string]int64{}
		for _, u := range tree.Ordered() {
			units[u.Code], units[u.Name] = u.ID, u.ID
		}
		seen := map[string]int{}
		for _, row := range sheet.Rows {
			cell := func(field string) string {
				i, ok := col[field]
				if !ok {
					return ""
				}
				return row.Cell(i)
			}
			in := Input{Code: cell("project_code"), Name: cell("project_name"), ContractNo: cell("project_contract_no"), Customer: cell("project_customer"),
				PlannedStart: cell("project_planned_start"), PlanFiledOn: cell("project_plan_filed_on"), PlanApprovedOn: cell("project_plan_approved_on"),
				HandedOverOn: cell("project_handed_over_on")}
			fail := func(err error) {
				e := errs.As(err)
				problems = append(problems, RowProblem{Row: row.Number, Field: e.Field, Message: e.Message(lang)})
			}
			if first, dup := seen[strings.TrimSpace(in.Code)]; dup && in.Code != "" {
				fail(errs.Field("project_code", "project.import_duplicate", in.Code, first))
				continue
			}
			seen[strings.TrimSpace(in.Code)] = row.Number
			if u := cell("project_unit"); u != "" {
				if in.UnitID = units[u]; in.UnitID == 0 {
					fail(errs.Field("project_unit", "project.unit_name_unknown", u))
					continue
				}
			}
			bad := false
			for _, b := range []struct {
				field string
				dst   **bool
			}{{"project_fulfilled", &in.Fulfilled}, {"project_customer_satisfied", &in.CustomerSatisfied}, {"project_plan_on_time", &in.PlanOnTime}} {
				v, ok := yesNo(cell(b.field))
				if !ok {
					fail(errs.Field(b.field, "project.yes_no", cell(b.field)))
					bad = true
					break
				}
				*b.dst = v
			}
			for _, b := range []struct {
				field string
				dst   *bool
			}{{"project_major", &in.Major}, {"project_tendered", &in.Tendered}} {
				v, ok := yesNo(cell(b.field))
				if !ok {
					fail(errs.Field(b.field, "project.yes_no", cell(b.field)))
					bad = true
					break
				}
				*b.dst = v != nil && *v
			}
			if bad {
				continue
			}
			if _, err := save(ctx, tx, actor, in, row.Number); err != nil {
				if e := errs.As(err); e.Code == errs.Internal {
					return err
				}
				fail(err)
				continue
			}
			saved++
		}
		if len(problems) > 0 {
			return &ImportError{Rows: problems}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return saved, nil
}

// yesNo reads a yes/no cell: 是/否, Y/N, yes/no, true/false, 1/0; empty is nil.
func yesNo(s string) (*bool, bool) {
	yes, no := true, false
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return nil, true
	case "是", "y", "yes", "true", "1", "√":
		return &yes, true
	case "否", "n", "no", "false", "0", "×":
		return &no, true
	}
	return nil, false
}
