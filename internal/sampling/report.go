package sampling

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the weekly report as a workbook: a summary sheet (one row a plan) and a sheet of
// every sampled item. label translates the column headings and results, so the workbook is in
// the reader's language.
func (w Week) XLSX(label func(key string) string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sum := label("sampling.sheet_summary")
	if err := f.SetSheetName("Sheet1", sum); err != nil {
		return nil, err
	}
	head := []any{label("field.plan_name"), label("sampling.population"), label("sampling.quota"), label("sampling.sampled"),
		label("sampling.checked"), label("sampling.problems"), label("sampling.met")}
	if err := f.SetSheetRow(sum, "A1", &head); err != nil {
		return nil, err
	}
	if err := f.SetCellValue(sum, "I1", fmt.Sprintf("%s %s (%s – %s)", label("sampling.week"), w.Week, w.From, w.To)); err != nil {
		return nil, err
	}
	for i, p := range w.Plans {
		row := []any{p.Name, 0, 0, 0, 0, 0, label("sampling.not_drawn")}
		if s := w.Samples[p.ID]; s != nil {
			met := label("sampling.no")
			if s.Met() {
				met = label("sampling.yes")
			}
			row = []any{p.Name, s.PopulationSize, s.Quota, s.Size, s.Checked(), s.Problems(), met}
		}
		if err := f.SetSheetRow(sum, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return nil, err
		}
	}
	items := label("sampling.sheet_items")
	if _, err := f.NewSheet(items); err != nil {
		return nil, err
	}
	head = []any{label("field.plan_name"), "#", label("sampling.ref"), label("sampling.label"), label("sampling.stratum"),
		label("sampling.result"), label("field.sample_note"), label("sampling.checked_by")}
	if err := f.SetSheetRow(items, "A1", &head); err != nil {
		return nil, err
	}
	r := 2
	for _, p := range w.Plans {
		s := w.Samples[p.ID]
		if s == nil {
			continue
		}
		for _, it := range s.Items {
			res := ""
			if it.Result != "" {
				res = label("sampling.result_" + it.Result)
			}
			row := []any{p.Name, it.Position, it.Ref, it.Label, it.Stratum, res, it.Note, it.CheckedBy}
			if err := f.SetSheetRow(items, fmt.Sprintf("A%d", r), &row); err != nil {
				return nil, err
			}
			r++
		}
	}
	if err := f.SetColWidth(sum, "A", "A", 28); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(items, "D", "D", 48); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
