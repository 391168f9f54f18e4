package workorder

import (
	"bytes"
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"manyi/internal/errs"
)

// MaxImportBytes bounds an uploaded workbook: a year of a busy centre's orders is well under it.
const MaxImportBytes = 32 << 20

// MaxImportRows bounds the data rows of one import.
const MaxImportRows = 200_000

// Sheet is an uploaded table: its header row and its data rows as text, each row with the
// number the user sees in the spreadsheet (1-based, counting the header and blank rows).
type Sheet struct {
	Headers []string
	Rows    []SheetRow
}

// SheetRow is one data row.
type SheetRow struct {
	Number int
	Cells  []string
}

// Cell returns the row's text in column i ("" past the end).
func (r SheetRow) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

// ReadSheet reads the first worksheet of an XLSX file or a CSV file (chosen by the file
// name, then by content). CSV may be UTF-8 (with or without BOM) or GB18030, which is what
// Excel writes on a Chinese Windows; a tab-separated export is recognised by its header.
func ReadSheet(name string, data []byte) (Sheet, error) {
	if len(data) == 0 {
		return Sheet{}, errs.Field("import_file", "wo.import_empty")
	}
	if len(data) > MaxImportBytes {
		return Sheet{}, errs.Field("import_file", "wo.import_too_large", MaxImportBytes>>20)
	}
	ext := strings.ToLower(filepath.Ext(name))
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	switch {
	case ext == ".xlsx" || (ext != ".csv" && isZip):
		if !isZip {
			return Sheet{}, errs.Field("import_file", "wo.import_not_xlsx")
		}
		return readXLSX(data)
	case ext == ".csv" || ext == ".txt" || ext == "":
		if isZip {
			return Sheet{}, errs.Field("import_file", "wo.import_not_csv")
		}
		return readCSV(data)
	default:
		return Sheet{}, errs.Field("import_file", "wo.import_format", ext)
	}
}

func readXLSX(data []byte) (Sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return Sheet{}, errs.Field("import_file", "wo.import_not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Sheet{}, errs.Field("import_file", "wo.import_empty")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Sheet{}, errs.Field("import_file", "wo.import_not_xlsx")
	}
	defer rows.Close()
	var s Sheet
	n := 0
	for rows.Next() {
		n++
		// Raw values: a date cell arrives as its serial number, not in whatever display
		// format the author's Excel used, and is read back exactly by parseCellTime.
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Sheet{}, errs.Field("import_file", "wo.import_not_xlsx")
		}
		if err := s.add(n, cells); err != nil {
			return Sheet{}, err
		}
	}
	return s.finish()
}

func readCSV(data []byte) (Sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return Sheet{}, errs.Field("import_file", "wo.import_encoding")
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(firstLine, []byte("\t")) > bytes.Count(firstLine, []byte(",")) {
		r.Comma = '\t'
	}
	// Strict quoting: a stray quote would otherwise swallow the rows after it unnoticed.
	r.FieldsPerRecord = -1
	var s Sheet
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			if pe, ok := err.(*csv.ParseError); ok {
				line = pe.Line
			}
			return Sheet{}, errs.Field("import_file", "wo.import_csv", line)
		}
		line, _ := r.FieldPos(0)
		if err := s.add(line, cells); err != nil {
			return Sheet{}, err
		}
	}
	return s.finish()
}

// add takes the first non-blank row as the header and the rest as data, skipping blank rows.
func (s *Sheet) add(number int, cells []string) error {
	blank := true
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil
	}
	if s.Headers == nil {
		s.Headers = make([]string, len(cells))
		for i, c := range cells {
			s.Headers[i] = strings.TrimSpace(c)
		}
		return nil
	}
	if len(s.Rows) >= MaxImportRows {
		return errs.Field("import_file", "wo.import_too_many", MaxImportRows)
	}
	s.Rows = append(s.Rows, SheetRow{Number: number, Cells: cells})
	return nil
}

func (s *Sheet) finish() (Sheet, error) {
	if s.Headers == nil {
		return Sheet{}, errs.Field("import_file", "wo.import_empty")
	}
	if len(s.Rows) == 0 {
		return Sheet{}, errs.Field("import_file", "wo.import_no_rows")
	}
	return *s, nil
}

// cellTimeLayouts are the ways people type a date and time in a fault workbook.
var cellTimeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006.1.2 15:04", "2006年1月2日 15:04", "2006年1月2日15:04",
	"2006-1-2 15:04:05", "2006-1-2 15:04",
}

// parseCellTime reads a cell as a local (Asia/Shanghai) time: typed text in one of the usual
// layouts, RFC 3339, or an Excel serial date number.
func parseCellTime(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	for _, layout := range cellTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, Zone); err == nil {
			return &t, nil
		}
	}
	// An Excel serial: days since 1899-12-30, the fraction the time of day. 20000 is 1954 and
	// 80000 is 2119: anything else is not a date of a work order.
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			// The serial is a wall-clock reading in China time; rounding to the second undoes
			// the floating point (14:05 is stored as 14:04:59.9999…).
			t = t.Round(time.Second)
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, Zone)
			return &t, nil
		}
	}
	return nil, errs.Field(field, "wo.import_bad_time", s)
}
