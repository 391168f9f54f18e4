package workorder_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// sheetRow is a row as the import reads it: its number in the spreadsheet and its cells.
type sheetRow struct {
	n     int
	cells []string
}

// excelizeRows is the oracle: the first sheet read with excelize's row iterator and raw cell
// values, as the import read it before its own reader, non-blank rows only.
func excelizeRows(t *testing.T, data []byte) []sheetRow {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sheetRow
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			out = append(out, sheetRow{n, cells})
		}
	}
	return out
}

// readRows is the sheet as the import reads it, the header as its first row.
func readRows(t *testing.T, data []byte) []sheetRow {
	t.Helper()
	s, err := workorder.ReadSheet("book.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	var out []sheetRow
	for _, r := range s.Rows {
		out = append(out, sheetRow{r.Number, r.Cells})
	}
	return append([]sheetRow{{0, s.Headers}}, out...) // the header's number is not kept
}

func hasPart(t *testing.T, data []byte, name string) bool {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(z.File, func(f *zip.File) bool { return f.Name == name })
}

// TestReadXLSX reads workbooks written by excelize — shared strings and inline strings, rich
// text, numbers, dates, booleans, formulas, blanks, gaps, merged cells, a second sheet — and
// checks each against what the import read before (excelize's iterator with raw values) and
// against the values a person sees in the spreadsheet.
func TestReadXLSX(t *testing.T) {
	at := time.Date(2026, 10, 13, 14, 5, 0, 0, time.UTC)
	cases := []struct {
		name   string
		shared bool // the workbook has a shared-string table
		build  func(f *excelize.File) error
		want   []sheetRow // the header first (n ignored), then the data rows
	}{{
		name:   "shared strings, numbers, a date, a boolean",
		shared: true,
		build: func(f *excelize.File) error {
			for i, row := range [][]any{
				{"报修时间", "报修人", "联系电话", "数量", "已关闭"},
				{at, "王老师 ", 13800005555, 3.25, true},
				{"2026-10-13 15:00", "<李&老师>", "013800006666", -1, false},
			} {
				if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
					return err
				}
			}
			style, err := f.NewStyle(&excelize.Style{NumFmt: 22})
			if err != nil {
				return err
			}
			return f.SetCellStyle("Sheet1", "A2", "A2", style)
		},
		want: []sheetRow{
			{0, []string{"报修时间", "报修人", "联系电话", "数量", "已关闭"}},
			{2, []string{"46308.586805555555", "王老师 ", "13800005555", "3.25", "1"}},
			{3, []string{"2026-10-13 15:00", "<李&老师>", "013800006666", "-1", "0"}},
		},
	}, {
		name: "inline strings from the stream writer",
		build: func(f *excelize.File) error {
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			rows := [][]any{{"报修时间", "故障情况", "备注"}, {"2026-10-13 14:05", "网络\n不通", 7}, {"2026-10-13 14:06", "a_x0041_b", nil}}
			for i, r := range rows {
				if err := sw.SetRow(fmt.Sprintf("A%d", i+1), r); err != nil {
					return err
				}
			}
			return sw.Flush()
		},
		want: []sheetRow{
			{0, []string{"报修时间", "故障情况", "备注"}},
			{2, []string{"2026-10-13 14:05", "网络\n不通", "7"}},
			{3, []string{"2026-10-13 14:06", "a_x0041_b"}},
		},
	}, {
		name:   "blank cells, blank and missing rows, merged cells",
		shared: true,
		build: func(f *excelize.File) error {
			set := map[string]any{
				"B2": "报修时间", "C2": "报修人", "E2": "故障情况", // the header starts at row 2, column B
				"B3": "2026-10-13 14:05", "E3": "卡纸", // C3, D3 empty
				"B4": "   ", // a row of spaces is blank
				"B6": "2026-10-13 16:00", "C6": "赵老师", "D6": "合并", "F6": "",
			}
			for cell, v := range set {
				if err := f.SetCellValue("Sheet1", cell, v); err != nil {
					return err
				}
			}
			return f.MergeCell("Sheet1", "D6", "E6")
		},
		want: []sheetRow{
			{0, []string{"", "报修时间", "报修人", "", "故障情况"}},
			{3, []string{"", "2026-10-13 14:05", "", "", "卡纸"}},
			{6, []string{"", "2026-10-13 16:00", "赵老师", "合并"}},
		},
	}, {
		name:   "rich text, a formula, the first of two sheets whatever its name",
		shared: true,
		build: func(f *excelize.File) error {
			if err := f.SetSheetRow("Sheet1", "A1", &[]any{"not", "this", "sheet"}); err != nil {
				return err
			}
			if _, err := f.NewSheet("十月"); err != nil {
				return err
			}
			if err := f.MoveSheet("十月", "Sheet1"); err != nil {
				return err
			}
			if err := f.SetSheetRow("十月", "A1", &[]any{"报修人", "合计"}); err != nil {
				return err
			}
			if err := f.SetCellRichText("十月", "A2", []excelize.RichTextRun{{Text: "王"}, {Text: "老师", Font: &excelize.Font{Bold: true}}}); err != nil {
				return err
			}
			return f.SetCellFormula("十月", "B2", "SUM(1,2)")
		},
		want: []sheetRow{
			{0, []string{"报修人", "合计"}},
			{2, []string{"王老师", ""}},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := excelize.NewFile()
			defer f.Close()
			if err := c.build(f); err != nil {
				t.Fatal(err)
			}
			buf, err := f.WriteToBuffer()
			if err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if got := hasPart(t, data, "xl/sharedStrings.xml"); got != c.shared {
				t.Fatalf("the workbook has shared strings: %v, want %v", got, c.shared)
			}
			got := readRows(t, data)
			oracle := excelizeRows(t, data)
			if len(got) != len(oracle) || len(got) != len(c.want) {
				t.Fatalf("read %d rows, excelize %d, want %d:\n%v\n%v", len(got), len(oracle), len(c.want), got, oracle)
			}
			for i := range got {
				header := i == 0
				if !header && (got[i].n != c.want[i].n || got[i].n != oracle[i].n) {
					t.Errorf("row %d numbered %d, excelize %d, want %d", i, got[i].n, oracle[i].n, c.want[i].n)
				}
				wantOracle := oracle[i].cells
				if header {
					wantOracle = trimAll(wantOracle)
				}
				if !slices.Equal(got[i].cells, c.want[i].cells) || !slices.Equal(got[i].cells, wantOracle) {
					t.Errorf("row %d: %q, excelize %q, want %q", c.want[i].n, got[i].cells, oracle[i].cells, c.want[i].cells)
				}
			}
		})
	}
}

func trimAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// TestReadXLSXRefusals: a workbook the reader cannot follow — a missing worksheet, a shared
// string that is not in the table, broken XML, a row past Excel's last — is refused as not a
// workbook; a workbook with no sheet or no rows as empty.
func TestReadXLSXRefusals(t *testing.T) {
	for _, c := range []struct {
		name  string
		parts map[string]string
		key   string
	}{
		{"no worksheet part", map[string]string{"xl/worksheets/sheet1.xml": ""}, "wo.import_not_xlsx"},
		{"a shared string out of the table", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(`<row r="1"><c r="A1" t="s"><v>3</v></c></row>`),
			"xl/sharedStrings.xml": `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></sst>`}, "wo.import_not_xlsx"},
		{"broken XML", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>a</is></c></row>`)}, "wo.import_not_xlsx"},
		{"a row past Excel's last", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(`<row r="1048577"><c t="inlineStr"><is><t>a</t></is></c></row>`)}, "wo.import_not_xlsx"},
		{"a bad cell reference", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(`<row r="1"><c r="1A" t="inlineStr"><is><t>a</t></is></c></row>`)}, "wo.import_not_xlsx"},
		{"no rows", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(``)}, "wo.import_empty"},
		{"no sheets", map[string]string{"xl/worksheets/sheet1.xml": sheetXML(``), "xl/workbook.xml": `<workbook><sheets/></workbook>`}, "wo.import_empty"},
	} {
		_, err := workorder.ReadSheet("a.xlsx", xlsxParts(t, c.parts))
		if e := errs.As(err); e == nil || e.Key != c.key || e.Field != "import_file" {
			t.Errorf("%s: got %v, want %s", c.name, err, c.key)
		}
	}
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
}

// xlsxParts writes the parts of a one-sheet workbook, stored uncompressed; parts given
// replace the defaults, and a part given as "" is left out.
func xlsxParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	all := map[string]string{
		"_rels/.rels":                `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
	}
	for name, body := range parts {
		all[name] = body
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if all[name] == "" {
			continue
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(all[name]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadWorksheet feeds arbitrary worksheet and shared-string XML, in a well-formed
// package, to the sheet reader: it must refuse with a user error or return rows within the
// bounds; never panic.
func FuzzReadWorksheet(f *testing.F) {
	sst := `<sst><si><t>报修时间</t></si><si><r><t>王</t></r><r><t>老师</t></r><rPh><t>ワン</t></rPh></si><si><t>_x0008_ _x005F_x0041_</t></si></sst>`
	for _, rows := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="3"><c r="A3"><v>46308.5868</v></c><c t="s"><v>2</v></c></row>`,
		`<row><c t="inlineStr"><is><t xml:space="preserve"> a&amp;b </t></is></c><c r="B1"><f>SUM(1)</f></c></row><row><c t="b"><v>1</v></c></row>`,
		`<x:row r="2"><x:c r="AB2" t="str"><x:v>text</x:v></x:c></x:row><row r="4"><c r="A4" t="inlineStr"><is><r><t>&#x4E2D;</t></r></is></c></row>`,
	} {
		f.Add(sheetXML(rows), sst)
	}
	f.Fuzz(func(t *testing.T, sheet, shared string) {
		if sheet == "" || shared == "" {
			return // a part left out: covered by the refusals
		}
		s, err := workorder.ReadSheet("a.xlsx", xlsxParts(t, map[string]string{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": shared}))
		if err != nil {
			if e := errs.As(err); e.Code == errs.Internal {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		if len(s.Headers) == 0 && len(s.Rows) == 0 {
			t.Fatal("a sheet without a header and rows was read")
		}
		for _, r := range s.Rows {
			if len(r.Cells) > workorder.MaxImportColumns || r.Number < 1 {
				t.Fatalf("row %d has %d cells", r.Number, len(r.Cells))
			}
		}
	})
}

// TestStageKeepsTheSheetRead: an upload is read once, when it is staged; the mapping screen
// and the commit get the same sheet from what was kept, and the import's audit entry still
// names the file's checksum. An upload staged as the file itself, by an earlier version, is
// still read.
func TestStageKeepsTheSheetRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		book := excelize.NewFile()
		defer book.Close()
		for i, row := range strings.Split(strings.TrimSpace(workbookCSV), "\n") {
			cells := strings.Split(row, ",")
			if err := book.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &cells); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := book.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		file := buf.Bytes()
		read, err := workorder.ReadSheet("day.xlsx", file)
		if err != nil {
			t.Fatal(err)
		}
		id, err := workorder.Stage(ctx, db, f.disp1, "day.xlsx", file)
		if err != nil {
			t.Fatal(err)
		}
		var kept []byte
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT content FROM workorder_imports WHERE id = ?", id).Scan(&kept)
		}); err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(kept, []byte("PK")) {
			t.Fatal("the staged import keeps the workbook, not the sheet read from it")
		}
		_, staged, err := workorder.GetStaged(ctx, db, f.disp1, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(staged.Headers, read.Headers) || !slices.EqualFunc(staged.Rows, read.Rows, func(a, b workorder.SheetRow) bool {
			return a.Number == b.Number && slices.Equal(a.Cells, b.Cells)
		}) {
			t.Fatalf("staged sheet %+v, read %+v", staged, read)
		}
		res, err := workorder.Commit(ctx, db, f.disp1, id, true)
		if err != nil || res.Imported != 2 {
			t.Fatalf("commit: %+v, %v", res, err)
		}
		sum := sha256.Sum256(file)
		var logged string
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT after_json FROM audit_log WHERE entity = 'workorder_import' AND entity_id = ?", strconv.FormatInt(id, 10)).Scan(&logged)
		}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logged, `"sha256":"`+hex.EncodeToString(sum[:])+`"`) {
			t.Fatalf("the audit entry %s does not name the file's checksum", logged)
		}

		// An upload an earlier version staged as the file itself.
		var legacy int64
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			legacy, err = tx.InsertID(ctx, `INSERT INTO workorder_imports (file_name, sha256, content, mapping_json, status, rows_total, created_by, created_at)
				VALUES ('old.xlsx', ?, ?, '[]', 'staged', 4, ?, ?)`, hex.EncodeToString(sum[:]), file, f.disp1.Username, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, old, err := workorder.GetStaged(ctx, db, f.disp1, legacy); err != nil || len(old.Rows) != len(read.Rows) || old.Rows[1].Cell(2) != "李老师" {
			t.Fatalf("an upload staged as the file: %+v, %v", old, err)
		}
	})
}
