package calendar_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"manyi/internal/calendar"
	"manyi/internal/errs"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// official is the State Council's 2025 and 2026 schedules, as migration 0003 ships them.
func official(t testing.TB) *calendar.Calendar {
	t.Helper()
	var days []calendar.Day
	hol := func(from, to, name string) {
		a, _ := time.Parse(time.DateOnly, from)
		b, _ := time.Parse(time.DateOnly, to)
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			days = append(days, calendar.Day{Date: d.Format(time.DateOnly), Kind: calendar.Holiday, Name: name})
		}
	}
	work := func(date string) { days = append(days, calendar.Day{Date: date, Kind: calendar.Workday}) }
	hol("2025-01-01", "2025-01-01", "元旦")
	hol("2025-01-28", "2025-02-04", "春节")
	work("2025-01-26")
	work("2025-02-08")
	hol("2025-04-04", "2025-04-06", "清明节")
	hol("2025-05-01", "2025-05-05", "劳动节")
	work("2025-04-27")
	hol("2025-05-31", "2025-06-02", "端午节")
	hol("2025-10-01", "2025-10-08", "国庆节、中秋节")
	work("2025-09-28")
	work("2025-10-11")
	hol("2026-01-01", "2026-01-03", "元旦")
	work("2026-01-04")
	hol("2026-02-15", "2026-02-23", "春节")
	work("2026-02-14")
	work("2026-02-28")
	hol("2026-04-04", "2026-04-06", "清明节")
	hol("2026-05-01", "2026-05-05", "劳动节")
	work("2026-05-09")
	hol("2026-06-19", "2026-06-21", "端午节")
	hol("2026-09-25", "2026-09-27", "中秋节")
	hol("2026-10-01", "2026-10-07", "国庆节")
	work("2026-09-20")
	work("2026-10-10")
	c, err := calendar.New(shanghai, calendar.DefaultHours, []int{2025, 2026}, days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkingDay(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-02-13 10:00", true},  // Friday before the Spring Festival
		{"2026-02-14 10:00", true},  // Saturday, adjusted working day
		{"2026-02-16 10:00", false}, // Monday, Spring Festival
		{"2026-02-23 10:00", false}, // Monday, last day of the festival
		{"2026-02-24 10:00", true},
		{"2026-03-07 10:00", false}, // an ordinary Saturday
		{"2025-09-28 10:00", true},  // Sunday, adjusted working day
		{"2025-10-08 10:00", false}, // Wednesday, National Day
		{"2026-01-04 10:00", true},  // Sunday, adjusted
	} {
		got, err := c.IsWorkingDay(at(tc.day))
		if err != nil || got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", tc.day, got, err, tc.want)
		}
	}
	// UTC late evening is the next day in Shanghai.
	if ok, _ := c.IsWorkingDay(time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)); ok {
		t.Error("Friday 2026-03-06 17:00 UTC is Saturday 01:00 in Shanghai, a day off")
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-02 10:00", 3, "2026-03-05 10:00"}, // Monday → Thursday
		{"2026-03-06 15:00", 3, "2026-03-11 15:00"}, // Friday → Wednesday
		{"2026-02-13 15:20", 3, "2026-02-25 15:20"}, // Friday before the Spring Festival: Sat 14 (adjusted), Tue 24, Wed 25
		{"2026-04-30 16:00", 3, "2026-05-08 16:00"}, // Thursday before Labour Day: Wed 6, Thu 7, Fri 8
		{"2026-05-08 09:00", 1, "2026-05-09 09:00"}, // Friday → Saturday 9 May, adjusted working day
		{"2025-09-26 10:00", 3, "2025-09-30 10:00"}, // Friday: Sun 28 adjusted, Mon 29, Tue 30
		{"2025-09-30 10:00", 3, "2025-10-11 10:00"}, // before National Day: Thu 9, Fri 10, Sat 11 (adjusted)
		{"2026-03-07 11:00", 3, "2026-03-11 17:30"}, // Saturday: three whole days, Mon–Wed, ends at 17:30
		{"2026-02-17 11:00", 3, "2026-02-26 17:30"}, // during the festival
		{"2025-12-30 10:00", 3, "2026-01-05 10:00"}, // across the year: Wed 31, Sun 4 Jan (adjusted), Mon 5
		{"2026-03-02 10:00", 0, "2026-03-02 10:00"},
	} {
		got, err := c.AddWorkingDays(at(tc.from), tc.n)
		if err != nil || !got.Equal(at(tc.want)) {
			t.Errorf("AddWorkingDays(%s, %d) = %v, %v; want %s", tc.from, tc.n, got.In(shanghai), err, tc.want)
		}
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		from string
		h    time.Duration
		want string
	}{
		{"2026-03-02 10:00", 1 * time.Hour, "2026-03-02 11:00"},
		{"2026-03-02 11:00", 2 * time.Hour, "2026-03-02 14:30"}, // over the lunch break
		{"2026-03-02 16:30", time.Hour, "2026-03-02 17:30"},     // ends exactly at closing
		{"2026-03-02 16:30", 2 * time.Hour, "2026-03-03 10:00"}, // next morning
		{"2026-03-02 07:00", 30 * time.Minute, "2026-03-02 09:30"},
		{"2026-03-06 17:00", time.Hour, "2026-03-09 09:30"},      // Friday → Monday
		{"2026-02-13 17:00", time.Hour, "2026-02-14 09:30"},      // → adjusted Saturday
		{"2026-02-14 17:00", time.Hour, "2026-02-24 09:30"},      // over the festival
		{"2026-03-02 09:00", 14 * time.Hour, "2026-03-03 17:30"}, // two full days of 7 hours
	} {
		got, err := c.AddWorkingHours(at(tc.from), tc.h)
		if err != nil || !got.Equal(at(tc.want)) {
			t.Errorf("AddWorkingHours(%s, %v) = %v, %v; want %s", tc.from, tc.h, got.In(shanghai), err, tc.want)
		}
	}
}

func TestWorkingTimeBetween(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		a, b string
		want time.Duration
	}{
		{"2026-03-02 10:00", "2026-03-02 11:00", time.Hour},
		{"2026-03-02 11:00", "2026-03-02 14:00", 90 * time.Minute},
		{"2026-03-06 17:00", "2026-03-09 10:00", 90 * time.Minute},
		{"2026-02-13 09:00", "2026-02-25 09:00", 3 * 7 * time.Hour}, // Fri, Sat 14, Tue 24
		{"2026-03-02 11:00", "2026-03-02 10:00", -time.Hour},
		{"2026-03-07 10:00", "2026-03-08 10:00", 0},
	} {
		got, err := c.WorkingTimeBetween(at(tc.a), at(tc.b))
		if err != nil || got != tc.want {
			t.Errorf("WorkingTimeBetween(%s, %s) = %v, %v; want %v", tc.a, tc.b, got, err, tc.want)
		}
	}
	// Adding what lies between gets back to the end (within working hours).
	a, b := at("2026-02-12 14:00"), at("2026-02-26 10:15")
	d, _ := c.WorkingTimeBetween(a, b)
	if got, _ := c.AddWorkingHours(a, d); !got.Equal(b) {
		t.Errorf("AddWorkingHours(a, WorkingTimeBetween(a, b)) = %v, want %v", got, b)
	}
}

func TestOutsideYearsRefused(t *testing.T) {
	c := official(t)
	checks := map[string]error{}
	_, checks["IsWorkingDay 2027"] = c.IsWorkingDay(at("2024-06-03 10:00"))
	_, checks["AddWorkingDays into 2027"] = c.AddWorkingDays(at("2026-12-30 10:00"), 3)
	_, checks["AddWorkingHours 2024"] = c.AddWorkingHours(at("2024-12-30 10:00"), time.Hour)
	_, checks["WorkingTimeBetween into 2027"] = c.WorkingTimeBetween(at("2026-12-30 10:00"), at("2027-01-05 10:00"))
	for name, err := range checks {
		e := errs.As(err)
		if err == nil || e.Key != "calendar.year_missing" || e.Code != errs.Invalid {
			t.Errorf("%s: err = %v, want calendar.year_missing", name, err)
		}
	}
	if msg := errs.As(checks["AddWorkingDays into 2027"]).Message("zh-CN"); msg != "工作日历中没有 2027 年的节假日安排，无法计算工作日；请管理员先导入该年的安排" {
		t.Errorf("message = %q", msg)
	}
	if _, err := calendar.New(shanghai, nil, []int{2026}, []calendar.Day{{Date: "2027-01-01", Kind: calendar.Holiday}}); err == nil {
		t.Error("a day outside the years was accepted")
	}
}

func TestParseHours(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"09:00-12:00,13:30-17:30", true, "09:00-12:00,13:30-17:30"},
		{"9:00–17:00", true, "09:00-17:00"},
		{"09:00-17:00", true, "09:00-17:00"},
		{"13:00-17:00,09:00-12:00", false, ""},
		{"12:00-09:00", false, ""},
		{"", false, ""},
	} {
		h, err := calendar.ParseHours(tc.in)
		if (err == nil) != tc.ok || (tc.ok && calendar.FormatHours(h) != tc.want) {
			t.Errorf("ParseHours(%q) = %v, %v", tc.in, h, err)
		}
	}
}

func TestParseImport(t *testing.T) {
	im, err := calendar.ParseImport([]byte("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"), "test")
	if err != nil || len(im.Days) != 2 || len(im.Years) != 1 || im.Years[0] != 2027 {
		t.Fatalf("ParseImport CSV = %+v, %v", im, err)
	}
	im, err = calendar.ParseImport([]byte(`{"source":"国办","years":[2027],"days":[{"date":"2027-01-01","kind":"holiday"}]}`), "")
	if err != nil || im.Source != "国办" || len(im.Days) != 1 {
		t.Fatalf("ParseImport JSON = %+v, %v", im, err)
	}
	_, err = calendar.ParseImport([]byte("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n2027-03-01,vacation,x\n2027-01-01,holiday,again\n"), "")
	ie, ok := err.(*calendar.ImportError)
	if !ok || len(ie.Rows) != 3 || ie.Rows[0].Row != 3 || ie.Rows[1].Row != 4 || ie.Rows[2].Row != 5 {
		t.Fatalf("bad rows: %#v", err)
	}
}

// TestParseImportRefusesBadText: a calendar file is UTF-8 text within bounds; a control
// character escaped in JSON is a bad row, foreign bytes and oversize files are refused whole.
func TestParseImportRefusesBadText(t *testing.T) {
	for _, c := range []struct {
		name, data, field, key string
	}{
		{"GBK bytes", "date,kind,name\n2027-01-01,holiday,\xd4\xaa\xb5\xa9\n", "file", "text.bad_utf8"},
		{"a NUL", "date,kind,name\n2027-01-01,holiday,元\x00旦\n", "file", "text.control_chr"},
		{"a control in the source", `{"source":"国办\u001b","days":[{"date":"2027-01-01","kind":"holiday"}]}`, "source", "text.control_chr"},
		{"too large", "date,kind,name\n" + strings.Repeat("2027-01-01,holiday,元旦\n", calendar.MaxImportBytes/20), "file", "calendar.import_too_large"},
		{"too many days", "date,kind,name\n" + strings.Repeat("2027-01-01,holiday\n", calendar.MaxImportDays+1), "file", "calendar.import_too_many"},
	} {
		_, err := calendar.ParseImport([]byte(c.data), "")
		if e := errs.As(err); err == nil || e.Field != c.field || e.Key != c.key {
			t.Errorf("%s: got %v, want %s on %s", c.name, err, c.key, c.field)
		}
	}
	_, err := calendar.ParseImport([]byte(`{"years":[2027],"days":[{"date":"2027-01-01","kind":"holiday","name":"元\u0000旦"}]}`), "")
	ie, ok := err.(*calendar.ImportError)
	if !ok || len(ie.Rows) != 1 || ie.Rows[0].Row != 1 || ie.Rows[0].Err.Field != "name" || ie.Rows[0].Err.Key != "text.control_chr" {
		t.Fatalf("a NUL escaped in a day's name: %#v", err)
	}
}

// BenchmarkAddWorkingDays is the figure in docs/benchmarks.md: add 3 working days to times
// spread over two years, holidays included.
func BenchmarkAddWorkingDays(b *testing.B) {
	c := official(b)
	start := at("2025-01-01 10:00")
	times := make([]time.Time, 1024)
	for i := range times {
		times[i] = start.Add(time.Duration(i) * 17 * time.Hour) // about two years
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.AddWorkingDays(times[i&1023], 3); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkWorkingTimeBetween(b *testing.B) {
	c := official(b)
	a := at("2026-02-12 14:00")
	d := at("2026-02-26 10:15")
	for b.Loop() {
		if _, err := c.WorkingTimeBetween(a, d); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseImport feeds arbitrary files to the calendar import: it must refuse with a user
// error (or its rows) or return days that are plain text; never panic.
func FuzzParseImport(f *testing.F) {
	for _, seed := range []string{
		"date,kind,name\n2027-01-01,holiday,元旦\n", `{"source":"国办","years":[2027],"days":[{"date":"2027-01-01","kind":"holiday"}]}`,
		"date,kind\n2027-02-30,holiday\n", "\xef\xbb\xbf2027-01-01,workday", `{"days":[{"name":"\u0000"}]}`, "a,\"b\n", "{",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := calendar.ParseImport(data, "fuzz")
		if err != nil {
			if _, rows := err.(*calendar.ImportError); !rows && errs.As(err).Code == errs.Internal {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		for _, d := range im.Days {
			if !utf8.ValidString(d.Name) || strings.ContainsRune(d.Name, 0) {
				t.Fatalf("day %+v is not plain text", d)
			}
		}
	})
}
