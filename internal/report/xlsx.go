package report

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the report as a workbook: a cover sheet with the title, period and basis,
// then one sheet per section holding its figures and tables, numeric cells as numbers. The
// cells are the ones the page shows, so a total in the file is the total on the screen.
func WriteXLSX(w io.Writer, r Report, statusText string) error {
	f := excelize.NewFile()
	defer f.Close()
	cover := sheetName(r.Title, map[string]bool{})
	if err := f.SetSheetName("Sheet1", cover); err != nil {
		return err
	}
	rows := [][]any{{r.Title}, {r.PeriodText, r.Period}, {statusText}}
	for _, b := range r.Basis {
		rows = append(rows, []any{b.Scheme, b.Period, b.Status})
	}
	if err := writeRows(f, cover, rows); err != nil {
		return err
	}
	used := map[string]bool{cover: true}
	for _, s := range r.Sections {
		name := sheetName(s.Title, used)
		used[name] = true
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		rows := [][]any{{s.Title}}
		if s.Note != "" {
			rows = append(rows, []any{s.Note})
		}
		for _, fig := range s.Figures {
			rows = append(rows, []any{fig.Label, value(fig.Cell)})
		}
		if len(s.Tables) == 0 && len(s.Figures) == 0 && s.Empty != "" {
			rows = append(rows, []any{s.Empty})
		}
		for _, t := range s.Tables {
			rows = append(rows, nil)
			if t.Caption != "" {
				rows = append(rows, []any{t.Caption})
			}
			head := make([]any, len(t.Head))
			for i, h := range t.Head {
				head[i] = h
			}
			rows = append(rows, head)
			for _, row := range t.Rows {
				rows = append(rows, values(row))
			}
			if len(t.Foot) > 0 {
				rows = append(rows, values(t.Foot))
			}
		}
		if err := writeRows(f, name, rows); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}

func values(cells []Cell) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = value(c)
	}
	return out
}

func value(c Cell) any {
	if c.Numeric {
		return c.Value
	}
	if c.Text == "" {
		return nil
	}
	return c.Text
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// sheetName makes a section title a valid, unused sheet name: at most 31 characters, none of
// []:*?/\.
func sheetName(title string, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, title)
	rs := []rune(clean)
	if len(rs) > 28 {
		rs = rs[:28]
	}
	name := string(rs)
	for i := 2; used[name]; i++ {
		name = string(rs) + " " + string(rune('0'+i%10))
	}
	return name
}
