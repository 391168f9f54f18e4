package calendar

import (
	"testing"
	"time"
)

// FuzzParseImport feeds arbitrary calendar files (CSV or JSON) to the importer: each is
// parsed or refused, never a panic, and a parsed import names only real dates.
func FuzzParseImport(f *testing.F) {
	f.Add([]byte("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"))
	f.Add([]byte(`{"source":"国办","years":[2027],"days":[{"date":"2027-01-01","kind":"holiday"}]}`))
	f.Add([]byte("date,kind,name\n2027-02-30,holiday,x\n"))
	f.Add([]byte(`{"years":[-1],"days":[{"date":"0000-00-00"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ParseImport(data, "fuzz")
		if err != nil {
			return
		}
		for _, d := range im.Days {
			if _, perr := time.Parse(time.DateOnly, d.Date); perr != nil {
				t.Fatalf("import accepted %q: %v", d.Date, perr)
			}
		}
	})
}

// FuzzParseHours checks that working hours parse or are refused, and that what parses
// prints back to the same hours.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"08:30-12:00,13:30-17:30", "09:00-17:00", "25:00-26:00", "12:00-08:00", "", "-", "08:00-12:00,11:00-13:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHours(s)
		if err != nil {
			return
		}
		again, err := ParseHours(FormatHours(h))
		if err != nil || FormatHours(again) != FormatHours(h) {
			t.Fatalf("ParseHours(%q) = %v, but its text %q parses to %v, %v", s, h, FormatHours(h), again, err)
		}
	})
}
