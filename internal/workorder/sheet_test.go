package workorder_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// craftXLSX writes the smallest workbook Excel opens, whose one worksheet's rows are written
// by rows (inline strings), streamed through the compressor so that a test can make a huge
// cell without holding it.
func craftXLSX(t testing.TB, rows func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	part := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	rows(w)
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inlineRow writes one row of inline-string cells.
func inlineRow(w io.Writer, n int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, n)
	for i, c := range cells {
		fmt.Fprintf(w, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, n, c)
	}
	io.WriteString(w, `</row>`)
}

func wantKey(t *testing.T, what string, err error, key string) *errs.Error {
	t.Helper()
	e := errs.As(err)
	if err == nil || e.Key != key || e.Field != "import_file" {
		t.Fatalf("%s: got %v, want %s", what, err, key)
	}
	return e
}

// TestReadSheetHugeCell: a workbook of a few hundred kilobytes that unpacks to one cell of
// 64 MB is refused from its zip directory, naming the part, before anything is unpacked: the
// refusal allocates a few megabytes, not the cell (before, the whole cell was unpacked,
// parsed and copied — 1.9 GB for a 400 MB cell — and then refused with a wrong message).
func TestReadSheetHugeCell(t *testing.T) {
	const cellBytes = 64 << 20
	data := craftXLSX(t, func(w io.Writer) {
		inlineRow(w, 1, "报修时间", "故障情况")
		io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>2026-10-12 08:30</t></is></c><c r="B2" t="inlineStr"><is><t>`)
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range cellBytes >> 20 {
			w.Write(chunk)
		}
		io.WriteString(w, `</t></is></c></row>`)
	})
	if len(data) > 1<<20 {
		t.Fatalf("the crafted workbook is %d bytes, want a small file", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := workorder.ReadSheet("bomb.xlsx", data)
	runtime.ReadMemStats(&after)
	e := wantKey(t, "a 64 MB cell in a small workbook", err, "wo.import_zip_ratio")
	if msg := e.Message(locale.EN); !strings.Contains(msg, "xl/worksheets/sheet1.xml") || !strings.Contains(msg, "100-fold") {
		t.Errorf("message %q does not name the part and the bound", msg)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Fatalf("refusing the workbook allocated %d MB", got>>20)
	}
}

// TestReadSheetBounds: cells, rows, columns and text over the import's bounds are each refused
// with a message naming the bound and, for a cell, its row and column.
func TestReadSheetBounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	long := make([]byte, workorder.MaxCellChars+1)
	for i := range long {
		long[i] = 'a' + byte(rnd.IntN(26)) // random letters: no compression ratio to catch
	}
	data := craftXLSX(t, func(w io.Writer) {
		inlineRow(w, 1, "报修时间", "故障情况")
		inlineRow(w, 2, "2026-10-12 08:30", "网络不通")
		inlineRow(w, 3, "2026-10-12 08:40", string(long))
	})
	e := wantKey(t, "a cell over Excel's limit", must(workorder.ReadSheet("long.xlsx", data)), "wo.import_cell_too_long")
	if msg := e.Message(locale.ZH); !strings.Contains(msg, "第 3 行 B 列") || !strings.Contains(msg, "32767") {
		t.Errorf("message %q does not name the cell and the limit", msg)
	}

	wide := strings.Repeat("a,", workorder.MaxImportColumns) + "a\n1\n"
	wantKey(t, "a CSV row over the column limit", must(workorder.ReadSheet("wide.csv", []byte(wide))), "wo.import_too_many_columns")
	data = craftXLSX(t, func(w io.Writer) {
		inlineRow(w, 1, "报修时间")
		fmt.Fprintf(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="CW2" t="inlineStr"><is><t>y</t></is></c></row>`)
	})
	wantKey(t, "an XLSX row over the column limit", must(workorder.ReadSheet("wide.xlsx", data)), "wo.import_too_many_columns")

	// The row limit: a file of exactly the limit reads, one row more is refused naming it.
	var tall strings.Builder
	tall.WriteString("报修时间\n")
	for range workorder.MaxImportRows {
		tall.WriteString("1\n")
	}
	if s, err := workorder.ReadSheet("tall.csv", []byte(tall.String())); err != nil || len(s.Rows) != workorder.MaxImportRows {
		t.Fatalf("a CSV of exactly the row limit: %d rows, %v", len(s.Rows), err)
	}
	tall.WriteString("1\n")
	e = wantKey(t, "a CSV over the row limit", must(workorder.ReadSheet("tall.csv", []byte(tall.String()))), "wo.import_too_many")
	for _, lang := range locale.Langs {
		if msg := e.Message(lang); !strings.Contains(msg, " "+strconv.Itoa(workorder.MaxImportRows)+" ") {
			t.Errorf("the refusal %q does not name the limit", msg)
		}
	}

	e = wantKey(t, "a NUL in a cell", must(workorder.ReadSheet("nul.csv", []byte("报修时间,报修人\n2026-10-12 08:30,王\x00老师\n"))), "text.control_chr_cell")
	if msg := e.Message(locale.ZH); !strings.Contains(msg, "第 2 行 B 列") {
		t.Errorf("message %q does not name the cell", msg)
	}

	// A workbook whose parts would unpack to more than the bound is refused from the zip
	// directory alone (the entries' data is never read here: it is 4 MB of noise).
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	noise := make([]byte, 4<<20)
	for i := range noise {
		noise[i] = byte(rnd.IntN(256))
	}
	for _, name := range []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"} {
		w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(len(noise)), UncompressedSize64: 200 << 20})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(noise)
	}
	z.Close()
	e = wantKey(t, "parts unpacking to 400 MB", must(workorder.ReadSheet("big.xlsx", buf.Bytes())), "wo.import_unzip_too_large")
	if msg := e.Message(locale.ZH); !strings.Contains(msg, "256 MB") {
		t.Errorf("message %q does not name the bound", msg)
	}
}

func must(_ workorder.Sheet, err error) error { return err }

// TestReadSheetEncodings: UTF-8 and GB18030 are read; UTF-16 (with a BOM or without), Big5
// and Shift-JIS are refused as unsupported encodings, naming the ones that are, instead of
// being decoded into nonsense that fails later as a wrong column.
func TestReadSheetEncodings(t *testing.T) {
	simplified := "报修时间,报修人,联系电话,报修地点,故障情况\n2026-10-12 08:30,王老师,13800001111,3号楼201,网络不通\n"
	traditional := "報修時間,報修人,聯絡電話,報修地點,故障情況\n2026-10-12 08:30,王老師,13800001111,3號樓201,網路不通\n"
	japaneseText := "受付日時,報告者,電話番号,場所,故障内容\n2026-10-12 08:30,山田太郎,09012345678,三号館,プリンターの紙詰まり\n"
	enc := func(e encoding.Encoding, s string) []byte {
		t.Helper()
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(simplified)},
		{"UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), simplified...)},
		{"GBK", enc(simplifiedchinese.GBK, simplified)},
		{"GB18030", enc(simplifiedchinese.GB18030, simplified+"2026-10-12 09:00,𠀀先生,13800002222,食堂,卡纸\n")},
	} {
		s, err := workorder.ReadSheet("a.csv", c.data)
		if err != nil || s.Headers[1] != "报修人" || s.Rows[0].Cell(4) != "网络不通" {
			t.Errorf("%s: %+v, %v", c.name, s, err)
		}
	}
	for _, c := range []struct {
		name string
		data []byte
		key  string
	}{
		{"UTF-16LE with BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), simplified), "wo.import_utf16"},
		{"UTF-16BE with BOM", enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), simplified), "wo.import_utf16"},
		{"UTF-16LE without BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), simplified), "wo.import_utf16"},
		{"Big5", enc(traditionalchinese.Big5, traditional), "wo.import_encoding_unsupported"},
		{"Shift-JIS", enc(japanese.ShiftJIS, japaneseText), "wo.import_encoding_unsupported"},
		{"binary", []byte("报修时间\n\x81\x00\xff\xfe\x01\n"), "wo.import_encoding_unsupported"},
	} {
		e := wantKey(t, c.name, must(workorder.ReadSheet("a.csv", c.data)), c.key)
		if msg := e.Message(locale.EN); !strings.Contains(msg, "UTF-8, GBK/GB18030") {
			t.Errorf("%s: message %q does not say which encodings are supported", c.name, msg)
		}
	}
}

// TestImportRefusesImplausibleTimes: report times of 0001-01-01 and 1900-01-01 (what a
// blank or a slip becomes in a spreadsheet) are row-numbered problems, on both databases.
func TestImportRefusesImplausibleTimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		csv := "报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人\n" +
			"2026-10-12 08:30,甲,13800001111,3号楼,交换机,不通,IMC-WL,维修人甲\n" +
			"0001-01-01 00:00,乙,13800002222,3号楼,交换机,不通,IMC-WL,维修人甲\n" +
			"1900-01-01 08:00,丙,13800003333,3号楼,交换机,不通,IMC-WL,维修人甲\n" +
			"1999-12-31 23:59,丁,13800004444,3号楼,交换机,不通,IMC-WL,维修人甲\n" +
			"2000-01-01 00:00,戊,13800005555,3号楼,交换机,不通,IMC-WL,维修人甲\n"
		sheet, err := workorder.ReadSheet("t.csv", []byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		res, err := workorder.Import(ctx, db, f.clerk, workorder.ImportInput{Sheet: sheet})
		wantCode(t, err, errs.Invalid, "a file with implausible times")
		var got []string
		for _, p := range res.Check.Problems {
			got = append(got, fmt.Sprintf("%d %s %s", p.Row, p.Err.Field, p.Err.Key))
		}
		want := "3 reported_at wo.too_early|4 reported_at wo.too_early|5 reported_at wo.too_early"
		if strings.Join(got, "|") != want {
			t.Fatalf("problems %q, want %q", got, want)
		}
		if msg := res.Check.Problems[0].Err.Message(locale.ZH); !strings.Contains(msg, "2000-01-01") {
			t.Errorf("message %q does not say the earliest time", msg)
		}
		if n := countOrders(t, db); n != 0 {
			t.Fatalf("%d orders stored from a refused file", n)
		}
	})
}
