package workorder

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"

	"manyi/internal/errs"
)

// An XLSX workbook is a zip of XML parts. The import needs the text of one worksheet, so it
// reads only the parts that lead to it — the package's relationships, the workbook's sheet
// list and relationships, the shared strings — and streams the worksheet with encoding/xml's
// raw tokens. excelize's row iterator, used before, decoded every cell through namespace
// translation and a reflective DecodeElement and was 60 % of a 100,000-row import
// (docs/benchmarks.md, "import"). What a cell reads as is what that iterator gave with raw
// values: shared and inline strings as their text (rich-text runs joined, phonetic runs left
// out, _xHHHH_ escapes undone), every other type as the text of its <v> — so a date cell is
// its serial number and a number is written as Excel stored it.

// Relationship types, matched by their last segment so that strict OOXML
// (http://purl.oclc.org/ooxml/...) reads as transitional does.
const (
	relOfficeDocument = "/officeDocument"
	relWorksheet      = "/worksheet"
	relSharedStrings  = "/sharedStrings"
)

// Excel's last row and column (XFD): a cell past them is not in a worksheet Excel wrote.
const (
	maxSheetRow    = 1 << 20
	maxSheetColumn = 16384
)

// xlsxPackage is an opened workbook: its parts by name.
type xlsxPackage map[string]*zip.File

// errNotXLSX is the refusal of a file that is not a workbook the import can read.
func errNotXLSX() error { return errs.Field("import_file", "wo.import_not_xlsx") }

func readXLSX(data []byte) (Sheet, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Sheet{}, errNotXLSX()
	}
	if err := checkZip(z); err != nil {
		return Sheet{}, err
	}
	pkg := make(xlsxPackage, len(z.File))
	for _, f := range z.File {
		pkg[f.Name] = f
	}
	book := "xl/workbook.xml"
	if rels, err := pkg.rels(""); err == nil {
		if t, ok := rels.target(relOfficeDocument); ok {
			book = t
		}
	}
	rels, err := pkg.rels(book)
	if err != nil {
		return Sheet{}, err
	}
	sheetPart, err := pkg.firstSheet(book, rels)
	if err != nil {
		return Sheet{}, err
	}
	sst, ok := rels.target(relSharedStrings)
	if !ok {
		sst = "xl/sharedStrings.xml"
	}
	shared, err := pkg.sharedStrings(sst)
	if err != nil {
		return Sheet{}, err
	}
	part, err := pkg.open(sheetPart)
	if err != nil {
		return Sheet{}, err
	}
	defer part.Close()
	return readWorksheet(part, shared)
}

func (p xlsxPackage) open(name string) (io.ReadCloser, error) {
	f, ok := p[name]
	if !ok {
		return nil, errNotXLSX()
	}
	r, err := f.Open()
	if err != nil {
		return nil, errNotXLSX()
	}
	return r, nil
}

// xlsxRels are the relationships of one part, with their targets resolved to part names.
type xlsxRels []struct {
	ID, Type, Target string
}

// rels reads the relationships of the part named (the package's own for ""), resolving each
// target against the part's folder.
func (p xlsxPackage) rels(name string) (xlsxRels, error) {
	dir, base := path.Split(name)
	r, err := p.open(dir + "_rels/" + base + ".rels")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var doc struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, errNotXLSX()
	}
	out := make(xlsxRels, 0, len(doc.Rels))
	for _, rel := range doc.Rels {
		if rel.Mode == "External" {
			continue
		}
		target := path.Join(dir, rel.Target)
		if strings.HasPrefix(rel.Target, "/") {
			target = path.Clean(rel.Target)[1:]
		}
		out = append(out, struct{ ID, Type, Target string }{rel.ID, rel.Type, target})
	}
	return out, nil
}

// target returns the first target of a type.
func (rels xlsxRels) target(relType string) (string, bool) {
	for _, r := range rels {
		if strings.HasSuffix(r.Type, relType) {
			return r.Target, true
		}
	}
	return "", false
}

// firstSheet returns the part of the workbook's first sheet, in the order the workbook lists
// them (the order of the tabs), whatever the parts are called.
func (p xlsxPackage) firstSheet(book string, rels xlsxRels) (string, error) {
	r, err := p.open(book)
	if err != nil {
		return "", err
	}
	defer r.Close()
	var doc struct {
		Sheets []struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return "", errNotXLSX()
	}
	if len(doc.Sheets) == 0 {
		return "", errs.Field("import_file", "wo.import_empty")
	}
	for _, a := range doc.Sheets[0].Attrs {
		if a.Name.Local != "id" || a.Name.Space == "" {
			continue
		}
		for _, rel := range rels {
			if rel.ID == a.Value && strings.HasSuffix(rel.Type, relWorksheet) {
				return rel.Target, nil
			}
		}
	}
	return "", errNotXLSX()
}

// sharedStrings reads the workbook's string table. A workbook without one (every string
// inline, as excelize's stream writer makes them) has none.
func (p xlsxPackage) sharedStrings(name string) ([]string, error) {
	if _, ok := p[name]; !ok {
		return nil, nil
	}
	r, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d := newRawDecoder(r)
	var out []string
	var text richText
	for {
		tok, err := d.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, errNotXLSX()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" {
				text.reset()
			} else {
				text.start(t.Name.Local)
			}
		case xml.EndElement:
			if t.Name.Local == "si" {
				out = append(out, text.String())
			} else {
				text.end(t.Name.Local)
			}
		case xml.CharData:
			text.add(t)
		}
	}
}

// richText gathers the text of a string item (<si> or <is>): its <t> elements, directly or
// in rich-text runs, but not those of phonetic runs (<rPh>, the reading of the characters).
type richText struct {
	buf      []byte
	inT      bool
	phonetic int
}

func (r *richText) reset() { r.buf, r.inT, r.phonetic = r.buf[:0], false, 0 }

func (r *richText) start(local string) {
	switch local {
	case "t":
		r.inT = r.phonetic == 0
	case "rPh":
		r.phonetic++
	}
}

func (r *richText) end(local string) {
	switch local {
	case "t":
		r.inT = false
	case "rPh":
		r.phonetic--
	}
}

func (r *richText) add(text []byte) {
	if r.inT {
		r.buf = append(r.buf, text...)
	}
}

// String returns the text with the _xHHHH_ escapes of characters XML cannot hold undone.
func (r *richText) String() string { return unescapeBSTR(r.buf) }

// unescapeBSTR undoes ECMA-376's escapes of characters XML cannot hold: _x0008_ is U+0008,
// and _x005F_ a literal underscore (so _x005F_x0008_ is the text "_x0008_"). A surrogate
// code, which is no character, is dropped, as excelize drops it.
func unescapeBSTR(b []byte) string {
	if !bytes.Contains(b, []byte("_x")) {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if code, ok := bstrEscape(b[i:]); ok {
			switch {
			case code == '_':
				out = append(out, '_')
			case code < 0xd800 || code > 0xdfff:
				out = append(out, string(rune(code))...)
			}
			i += len("_x0000_")
			continue
		}
		out = append(out, b[i])
		i++
	}
	return string(out)
}

// bstrEscape reads an escape _xHHHH_ at the start of b.
func bstrEscape(b []byte) (int, bool) {
	if len(b) < len("_x0000_") || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	code, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return int(code), err == nil
}

// rawDecoder reads XML tokens without encoding/xml's namespace translation, which the parts'
// one default namespace does not need and which cost as much as the tokenising. Unlike
// RawToken alone it refuses an end tag that does not close the element open.
type rawDecoder struct {
	d    *xml.Decoder
	open []xml.Name
}

func newRawDecoder(r io.Reader) *rawDecoder { return &rawDecoder{d: xml.NewDecoder(r)} }

func (r *rawDecoder) next() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err != nil {
		if err == io.EOF && len(r.open) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		r.open = append(r.open, t.Name)
	case xml.EndElement:
		if len(r.open) == 0 || r.open[len(r.open)-1] != t.Name {
			return nil, errNotXLSX()
		}
		r.open = r.open[:len(r.open)-1]
	}
	return tok, nil
}

// worksheetReader is the state of reading one worksheet: the row being read and its cells.
type worksheetReader struct {
	shared []string
	sheet  Sheet
	row    int // the spreadsheet's number of the current row
	cells  []string
	// the current cell
	col     int
	kind    string // its t attribute
	formula bool
	inV     bool
	value   []byte
	inline  richText
	inIS    bool
	hasIS   bool
}

// readWorksheet reads the rows of a worksheet part. Rows are numbered as the spreadsheet
// numbers them (a row left out or blank still counts), cells are placed by their reference
// (a cell left out, or one merged into its neighbour, is ""), and trailing empty cells are
// dropped, as excelize's iterator did.
func readWorksheet(part io.Reader, shared []string) (Sheet, error) {
	w := worksheetReader{shared: shared}
	d := newRawDecoder(part)
	inData := false
	for {
		tok, err := d.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Sheet{}, errNotXLSX()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !inData {
				inData = t.Name.Local == "sheetData"
				continue
			}
			if err := w.start(t); err != nil {
				return Sheet{}, err
			}
		case xml.EndElement:
			if !inData {
				continue
			}
			if t.Name.Local == "sheetData" {
				return w.sheet.finish()
			}
			if err := w.end(t.Name.Local); err != nil {
				return Sheet{}, err
			}
		case xml.CharData:
			switch {
			case w.inV:
				w.value = append(w.value, t...)
			case w.inIS:
				w.inline.add(t)
			}
		}
	}
	return w.sheet.finish()
}

func (w *worksheetReader) start(t xml.StartElement) error {
	switch t.Name.Local {
	case "row":
		n := w.row + 1
		if r, ok := attr(t, "r"); ok {
			var err error
			if n, err = strconv.Atoi(r); err != nil || n < 1 {
				return errNotXLSX()
			}
		}
		if n > maxSheetRow {
			return errNotXLSX()
		}
		w.row, w.cells = n, make([]string, 0, len(w.cells))
	case "c":
		w.col++
		if r, ok := attr(t, "r"); ok {
			col, ok := cellColumn(r)
			if !ok {
				return errNotXLSX()
			}
			w.col = col
		}
		w.kind, _ = attr(t, "t")
		w.formula, w.inV, w.value, w.inIS, w.hasIS = false, false, w.value[:0], false, false
	case "v":
		w.inV = true
	case "f":
		w.formula = true
	case "is":
		w.inIS, w.hasIS = true, true
		w.inline.reset()
	default:
		if w.inIS {
			w.inline.start(t.Name.Local)
		}
	}
	return nil
}

func (w *worksheetReader) end(local string) error {
	switch local {
	case "v":
		w.inV = false
	case "is":
		w.inIS = false
	case "c":
		return w.endCell()
	case "row":
		w.col = 0
		return w.sheet.add(w.row, w.cells)
	default:
		if w.inIS {
			w.inline.end(local)
		}
	}
	return nil
}

// endCell places the cell's text in its column. A cell with no text is left out unless it
// holds a formula, as excelize left it.
func (w *worksheetReader) endCell() error {
	var text string
	switch {
	case w.kind == "s" && len(w.value) > 0:
		i, err := strconv.Atoi(strings.TrimSpace(string(w.value)))
		if err != nil || i < 0 || i >= len(w.shared) {
			return errNotXLSX()
		}
		text = w.shared[i]
	case w.kind == "inlineStr" && w.hasIS:
		text = w.inline.String()
	default:
		text = string(w.value)
	}
	if text == "" && !w.formula {
		return nil
	}
	if w.col > MaxImportColumns {
		return errs.Field("import_file", "wo.import_too_many_columns", w.row, w.col, MaxImportColumns)
	}
	for len(w.cells) < w.col-1 {
		w.cells = append(w.cells, "")
	}
	w.cells = append(w.cells, text)
	return nil
}

func attr(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// cellColumn returns the column number of a cell reference such as "AB12".
func cellColumn(ref string) (int, bool) {
	letters := strings.IndexFunc(ref, func(c rune) bool { return c < 'A' || c > 'Z' && c < 'a' || c > 'z' })
	if letters <= 0 || letters > 3 {
		return 0, false
	}
	col := 0
	for _, c := range strings.ToUpper(ref[:letters]) {
		col = col*26 + int(c-'A') + 1
	}
	if _, err := strconv.ParseUint(ref[letters:], 10, 32); err != nil || col > maxSheetColumn {
		return 0, false
	}
	return col, true
}
