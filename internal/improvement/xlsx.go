package improvement

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the tracking table (改善项目跟踪管理表) as a workbook: ids as numbers, due and
// source days as dates, overdue rows marked, and the overdue count per unit on a second sheet.
// label translates headings and statuses, so the workbook is in the reader's language.
func XLSX(items []Item, today string, label func(key string, args ...any) string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := label("imp.sheet_items")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	head := []any{label("imp.col_no"), label("imp.col_source"), label("imp.col_source_on"), label("field.unit_id"), label("field.item_title"),
		label("field.item_problem"), label("field.item_cause"), label("field.item_measures"), label("field.item_owner"), label("field.item_due_on"),
		label("field.item_evidence"), label("imp.col_status"), label("imp.col_verified_by"), label("imp.col_overdue")}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return nil, err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return nil, err
	}
	for n, i := range items {
		overdue := ""
		if i.Overdue(today) {
			overdue = label("imp.overdue")
		}
		by := ""
		if i.VerifiedBy != "" {
			by = label("imp.by." + i.VerifiedBy)
		}
		row := []any{i.ID, label("imp.kind." + string(i.Kind)), asDate(i.SourceOn), i.UnitName, i.Title, i.Problem, i.Cause, i.Measures, i.Owner,
			asDate(i.DueOn), i.Evidence, label("imp.status." + string(i.Status)), by, overdue}
		cell := fmt.Sprintf("A%d", n+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, err
		}
		for _, col := range []string{"C", "J"} {
			if err := f.SetCellStyle(sheet, fmt.Sprintf("%s%d", col, n+2), fmt.Sprintf("%s%d", col, n+2), dateStyle); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetColWidth(sheet, "E", "K", 24); err != nil {
		return nil, err
	}
	units := label("imp.sheet_overdue")
	if _, err := f.NewSheet(units); err != nil {
		return nil, err
	}
	head = []any{label("field.unit_id"), label("imp.col_open"), label("imp.col_overdue_count")}
	if err := f.SetSheetRow(units, "A1", &head); err != nil {
		return nil, err
	}
	for n, u := range PerUnit(items, today) {
		row := []any{u.UnitName, u.Open, u.Overdue}
		if err := f.SetSheetRow(units, fmt.Sprintf("A%d", n+2), &row); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// asDate makes a day a date cell; a day that does not parse stays text.
func asDate(s string) any {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t
}
