package workorder

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/internal/errs"
)

// FuzzReadSheet feeds arbitrary uploads to the workbook reader: a file is read or refused
// with a message for the user (an invalid-input error naming the file field), never a panic
// and never an internal error.
func FuzzReadSheet(f *testing.F) {
	f.Add("a.csv", []byte("报修时间,报修人,电话\n2026-10-08 09:00,张三,13800001234\n"))
	f.Add("a.csv", []byte("\xef\xbb\xbf报修时间\t报修人\n2026-10-08\t李四\n"))
	f.Add("a.csv", []byte("\xb1\xa8\xd0\xde\xca\xb1\xbc\xe4,x\n1,2\n")) // GB18030
	f.Add("a.csv", []byte("\"unterminated,\n"))
	f.Add("a.xlsx", []byte("PK\x03\x04 not really a zip"))
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "报修时间")
	x.SetCellValue("Sheet1", "A2", 46000.5)
	var buf bytes.Buffer
	if err := x.Write(&buf); err == nil {
		f.Add("a.xlsx", buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		_, err := ReadSheet(name, data)
		if err != nil && errs.As(err).Code == errs.Internal {
			t.Fatalf("ReadSheet(%q) gave an internal error: %v", name, err)
		}
	})
}
