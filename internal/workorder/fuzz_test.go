package workorder_test

import (
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/internal/errs"
	"manyi/internal/plaintext"
	"manyi/internal/workorder"
)

// FuzzReadSheet feeds arbitrary uploads to the sheet reader: it must refuse with a user error
// or return rows within the bounds, whose every cell is plain text; never panic.
func FuzzReadSheet(f *testing.F) {
	book := excelize.NewFile()
	book.SetSheetRow("Sheet1", "A1", &[]any{"报修时间", "报修人"})
	book.SetSheetRow("Sheet1", "A2", &[]any{"2026-10-12 08:30", "王老师"})
	buf, _ := book.WriteToBuffer()
	for _, seed := range []struct {
		name string
		data []byte
	}{
		{"a.csv", []byte(workbookCSV)},
		{"a.csv", []byte("\xef\xbb\xbf报修时间\t报修人\n2026-10-12 08:30\t王老师\n")},
		{"a.csv", []byte("\xff\xfe\xa5\x62")},
		{"a.csv", []byte("\xc4\xe3\xba\xc3,\xa4\x40\n1,2\n")},
		{"a.csv", []byte("a,\"b\n")},
		{"a.xlsx", buf.Bytes()},
		{"a.xlsx", []byte("PK\x03\x04broken")},
		{"", nil},
	} {
		f.Add(seed.name, seed.data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		s, err := workorder.ReadSheet(name, data)
		if err != nil {
			if e := errs.As(err); e.Code == errs.Internal {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		if len(s.Rows) > workorder.MaxImportRows {
			t.Fatalf("%d rows", len(s.Rows))
		}
		for _, r := range s.Rows {
			if len(r.Cells) > workorder.MaxImportColumns {
				t.Fatalf("row %d has %d cells", r.Number, len(r.Cells))
			}
			for _, c := range r.Cells {
				if plaintext.Check(c) != plaintext.OK {
					t.Fatalf("row %d: cell %q is not plain text", r.Number, c)
				}
			}
		}
	})
}
