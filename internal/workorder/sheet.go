package workorder

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"manyi/internal/errs"
	"manyi/internal/plaintext"
)

// The bounds of one import. Together they bound the memory an upload can take to a small
// multiple of its size, and each is refused, before the work it would cost, with a message
// that names it (a 413 KB workbook holding one 400 MB cell once took 1.9 GB and 23 s).
const (
	// MaxImportBytes bounds an uploaded workbook: a year of a busy centre's orders is well under it.
	MaxImportBytes = 32 << 20
	// MaxImportRows bounds the data rows of one import. An import holds its rows in memory
	// (as text, then parsed) to check them all before it stores any: 100,000 rows peak at
	// ≈ 330 MB of server RSS and 200,000 at 560 MB (docs/benchmarks.md, targets 4 and 5), so
	// the limit keeps an upload under 500 MB. A day's workbook has tens of rows; a longer file
	// goes in parts, and a part sent twice is skipped as duplicates.
	MaxImportRows = 100_000
	// MaxImportColumns bounds a row: a fault workbook has about fifteen columns.
	MaxImportColumns = 100
	// MaxCellChars is Excel's own limit for a cell; no workbook Excel wrote has a longer one.
	MaxCellChars = 32_767
	// MaxImportText bounds the text of all cells together.
	MaxImportText = 64 << 20
	// maxUnzipBytes bounds the unpacked parts of a workbook together.
	maxUnzipBytes = 8 * MaxImportBytes
	// maxZipRatio bounds how many times a part of a workbook may be compressed. Worksheet
	// XML compresses 5 to 20 times; a part compressed a thousandfold is a zip bomb.
	maxZipRatio = 100
	// maxZipParts bounds the parts of a workbook: a real one has a dozen or two.
	maxZipParts = 1000
)

// Sheet is an uploaded table: its header row and its data rows as text, each row with the
// number the user sees in the spreadsheet (1-based, counting the header and blank rows).
type Sheet struct {
	Headers []string
	Rows    []SheetRow
	text    int // bytes of cell text so far, for MaxImportText
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

// checkZip reads the workbook's zip directory before anything is unpacked and refuses one
// that would unpack to too much. archive/zip refuses to read past a part's declared size, so
// a directory that lies is caught as a broken workbook.
func checkZip(z *zip.Reader) error {
	if len(z.File) > maxZipParts {
		return errs.Field("import_file", "wo.import_zip_parts", maxZipParts)
	}
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > maxUnzipBytes {
			return errs.Field("import_file", "wo.import_unzip_too_large", maxUnzipBytes>>20)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxZipRatio*(f.CompressedSize64+1) {
			return errs.Field("import_file", "wo.import_zip_ratio", f.Name, maxZipRatio)
		}
	}
	return nil
}

func readCSV(data []byte) (Sheet, error) {
	data, err := csvText(data)
	if err != nil {
		return Sheet{}, err
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

// csvText returns a CSV file's text as UTF-8. It takes UTF-8 (with or without BOM) and
// GB18030/GBK; UTF-16 (Excel's "Unicode text") and bytes that are neither UTF-8 nor
// plausible Chinese in GB18030 (Big5, Shift-JIS, binary) are refused as an encoding the
// import does not read, rather than decoded into nonsense that fails as a wrong column.
func csvText(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data = data[3:]
	} else if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) || looksUTF16(data) {
		return nil, errs.Field("import_file", "wo.import_utf16")
	}
	if utf8.Valid(data) {
		return data, nil
	}
	if !plausibleGB18030(data) {
		return nil, errs.Field("import_file", "wo.import_encoding_unsupported")
	}
	decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, errs.Field("import_file", "wo.import_encoding_unsupported")
	}
	return decoded, nil
}

// looksUTF16 reports whether the start of data has the NUL bytes of UTF-16 without a BOM:
// every ASCII character (digits, commas, line ends) has a zero byte beside it, always on
// the same side.
func looksUTF16(data []byte) bool {
	sample := data[:min(len(data), 4096)]
	var even, odd int
	for i, b := range sample {
		if b == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	return even+odd >= len(sample)/20 && even+odd >= 4 && max(even, odd) >= 9*(even+odd)/10
}

// plausibleGB18030 reports whether data reads as Chinese text in GB18030: every byte
// sequence valid, and almost every double-byte character in the GB2312 rows of symbols and
// common hanzi. Big5 and Shift-JIS text decodes under GB18030 too, but mostly into its
// rarely used extension rows (their trail bytes below 0xA1, Shift-JIS's lead bytes below
// 0xA1), which names and addresses in a Chinese workbook hardly ever touch.
func plausibleGB18030(data []byte) bool {
	var common, rare int
	for i := 0; i < len(data); {
		b := data[i]
		switch {
		case b < 0x80:
			i++
			continue
		case b == 0x80 || b == 0xff || i+1 >= len(data):
			return false
		}
		t := data[i+1]
		switch {
		case t >= 0x30 && t <= 0x39: // four bytes: lead, digit, lead, digit
			if i+3 >= len(data) || data[i+2] < 0x81 || data[i+2] > 0xfe || data[i+3] < 0x30 || data[i+3] > 0x39 {
				return false
			}
			rare++
			i += 4
			continue
		case t < 0x40 || t == 0x7f || t == 0xff:
			return false
		case t >= 0xa1 && ((b >= 0xa1 && b <= 0xa9) || (b >= 0xb0 && b <= 0xf7)):
			common++
		default:
			rare++
		}
		i += 2
	}
	return common > 0 && rare*20 <= common+rare
}

// add takes the first non-blank row as the header and the rest as data, skipping blank
// rows. It checks every cell against the import's bounds and as plain text, naming the row
// and the column.
func (s *Sheet) add(number int, cells []string) error {
	if len(cells) > MaxImportColumns {
		return errs.Field("import_file", "wo.import_too_many_columns", number, len(cells), MaxImportColumns)
	}
	blank := true
	for i, c := range cells {
		if p := plaintext.Check(c); p != plaintext.OK {
			return errs.Field("import_file", string(p)+"_cell", number, columnName(i))
		}
		if len(c) > MaxCellChars && utf8.RuneCountInString(c) > MaxCellChars {
			return errs.Field("import_file", "wo.import_cell_too_long", number, columnName(i), MaxCellChars)
		}
		if s.text += len(c); s.text > MaxImportText {
			return errs.Field("import_file", "wo.import_text_too_large", MaxImportText>>20)
		}
		if strings.TrimSpace(c) != "" {
			blank = false
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

// stagedSheetMagic starts a sheet kept for its mapping screen, to tell it from an upload
// staged, as the file itself, by a version before sheets were kept read.
const stagedSheetMagic = "manyi sheet 1\n"

// encode writes the sheet for its staged import: the header and rows as length-prefixed
// text, so that the mapping screen, a new mapping and the commit decode it with a few
// allocations instead of reading the workbook again (a 100,000-row XLSX takes seconds).
func (s Sheet) encode() []byte {
	size := len(stagedSheetMagic) + 2*binary.MaxVarintLen64
	for _, h := range s.Headers {
		size += len(h) + binary.MaxVarintLen64
	}
	for _, r := range s.Rows {
		size += 2 * binary.MaxVarintLen64
		for _, c := range r.Cells {
			size += len(c) + binary.MaxVarintLen64
		}
	}
	out := make([]byte, 0, size)
	out = append(out, stagedSheetMagic...)
	cells := func(cells []string) {
		out = binary.AppendUvarint(out, uint64(len(cells)))
		for _, c := range cells {
			out = binary.AppendUvarint(out, uint64(len(c)))
			out = append(out, c...)
		}
	}
	cells(s.Headers)
	out = binary.AppendUvarint(out, uint64(len(s.Rows)))
	for _, r := range s.Rows {
		out = binary.AppendUvarint(out, uint64(r.Number))
		cells(r.Cells)
	}
	return out
}

// stagedSheet returns the sheet of a staged import: decoded when it was kept read, else read
// from the file an earlier version kept.
func stagedSheet(name string, content []byte) (Sheet, error) {
	if !bytes.HasPrefix(content, []byte(stagedSheetMagic)) {
		return ReadSheet(name, content)
	}
	// One string for all the text: every cell is a slice of it.
	text := string(content[len(stagedSheetMagic):])
	broken := fmt.Errorf("staged sheet: %w", io.ErrUnexpectedEOF)
	number := func() (int, bool) {
		n, k := binary.Uvarint([]byte(text[:min(len(text), binary.MaxVarintLen64)]))
		if k <= 0 || n > maxSheetRow+MaxImportText {
			return 0, false
		}
		text = text[k:]
		return int(n), true
	}
	cells := func() ([]string, bool) {
		n, ok := number()
		if !ok || n > MaxImportColumns {
			return nil, false
		}
		out := make([]string, n)
		for i := range out {
			size, ok := number()
			if !ok || size > len(text) {
				return nil, false
			}
			out[i], text = text[:size], text[size:]
		}
		return out, true
	}
	var s Sheet
	var ok bool
	if s.Headers, ok = cells(); !ok {
		return Sheet{}, broken
	}
	rows, ok := number()
	if !ok || rows > MaxImportRows {
		return Sheet{}, broken
	}
	s.Rows = make([]SheetRow, rows)
	for i := range s.Rows {
		r := &s.Rows[i]
		if r.Number, ok = number(); !ok {
			return Sheet{}, broken
		}
		if r.Cells, ok = cells(); !ok {
			return Sheet{}, broken
		}
	}
	return s, nil
}

// columnName is the spreadsheet's name of the column at index i: A, B, … AA.
func columnName(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
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
