package calendar

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/plaintext"
	"manyi/internal/store"
)

// Config is the calendar's time zone and working hours as stored.
type Config struct {
	TimeZone  string `json:"time_zone"`
	WorkHours string `json:"work_hours"`
}

// Year is a year the calendar knows and where its schedule came from.
type Year struct {
	Year      int       `json:"year"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Load reads the calendar from the database.
func Load(ctx context.Context, tx *store.Tx) (*Calendar, error) {
	var cfg Config
	if err := tx.QueryRow(ctx, "SELECT time_zone, work_hours FROM calendar_config WHERE id = 1").Scan(&cfg.TimeZone, &cfg.WorkHours); err != nil {
		return nil, fmt.Errorf("load calendar config: %w", err)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar time zone %q: %w", cfg.TimeZone, err)
	}
	hours, err := ParseHours(cfg.WorkHours)
	if err != nil {
		return nil, fmt.Errorf("calendar working hours %q: %w", cfg.WorkHours, err)
	}
	years, err := ListYears(ctx, tx)
	if err != nil {
		return nil, err
	}
	ys := make([]int, len(years))
	for i, y := range years {
		ys[i] = y.Year
	}
	days, err := ListDays(ctx, tx, 0)
	if err != nil {
		return nil, err
	}
	return New(loc, hours, ys, days)
}

// GetConfig returns the stored time zone and working hours.
func GetConfig(ctx context.Context, tx *store.Tx) (Config, error) {
	var cfg Config
	err := tx.QueryRow(ctx, "SELECT time_zone, work_hours FROM calendar_config WHERE id = 1").Scan(&cfg.TimeZone, &cfg.WorkHours)
	return cfg, err
}

// ListYears returns the years the calendar knows, oldest first.
func ListYears(ctx context.Context, tx *store.Tx) ([]Year, error) {
	rows, err := tx.Query(ctx, "SELECT year, source, updated_at FROM calendar_years ORDER BY year")
	if err != nil {
		return nil, fmt.Errorf("list calendar years: %w", err)
	}
	defer rows.Close()
	var out []Year
	for rows.Next() {
		var y Year
		if err := rows.Scan(&y.Year, &y.Source, &y.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// ListDays returns the listed days of year (0: all years), by date.
func ListDays(ctx context.Context, tx *store.Tx, year int) ([]Day, error) {
	q, args := "SELECT day, kind, name FROM calendar_days", []any{}
	if year != 0 {
		q += " WHERE year = ?"
		args = append(args, year)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY day", args...)
	if err != nil {
		return nil, fmt.Errorf("list calendar days: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Date, &d.Kind, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextYearMissing reports whether the year after now's (in the calendar's zone) is missing;
// pages warn about it, because deadlines near the year's end reach into the next year.
func (c *Calendar) NextYearMissing(now time.Time) (int, bool) {
	next := now.In(c.loc).Year() + 1
	return next, !c.Has(next)
}

func authorizeAdmin(actor access.Principal) error {
	if !actor.Can(access.ManageOrg, nil) {
		return errs.New(errs.Forbidden, "calendar.admin_only")
	}
	return nil
}

// SetDay adds or changes one listed day; its year must be known.
func SetDay(ctx context.Context, db *store.DB, actor access.Principal, d Day) error {
	if err := authorizeAdmin(actor); err != nil {
		return err
	}
	t, err := validDay(&d)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM calendar_years WHERE year = ?", t.Year()).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field("date", "calendar.day_outside_years", d.Date)
		}
		var before *Day
		var old Day
		err := tx.QueryRow(ctx, "SELECT day, kind, name FROM calendar_days WHERE day = ?", d.Date).Scan(&old.Date, &old.Kind, &old.Name)
		switch {
		case err == nil:
			before = &old
			_, err = tx.Exec(ctx, "UPDATE calendar_days SET kind = ?, name = ?, updated_at = ? WHERE day = ?", d.Kind, d.Name, tx.Now, d.Date)
		case store.IsNoRows(err):
			_, err = tx.Exec(ctx, "INSERT INTO calendar_days (day, year, kind, name, updated_at) VALUES (?, ?, ?, ?, ?)", d.Date, t.Year(), d.Kind, d.Name, tx.Now)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "calendar_day", EntityID: d.Date, Before: before, After: d})
	})
}

// DeleteDay removes a listed day, so that it follows the ordinary week again.
func DeleteDay(ctx context.Context, db *store.DB, actor access.Principal, date string) error {
	if err := authorizeAdmin(actor); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var old Day
		err := tx.QueryRow(ctx, "SELECT day, kind, name FROM calendar_days WHERE day = ?", date).Scan(&old.Date, &old.Kind, &old.Name)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "calendar.day_not_listed", date)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM calendar_days WHERE day = ?", date); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "delete", Entity: "calendar_day", EntityID: date, Before: old})
	})
}

// SetHours changes the working hours of every working day.
func SetHours(ctx context.Context, db *store.DB, actor access.Principal, hours string) error {
	if err := authorizeAdmin(actor); err != nil {
		return err
	}
	spans, err := ParseHours(hours)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := GetConfig(ctx, tx)
		if err != nil {
			return err
		}
		after := before
		after.WorkHours = FormatHours(spans)
		if _, err := tx.Exec(ctx, "UPDATE calendar_config SET work_hours = ?, updated_at = ? WHERE id = 1", after.WorkHours, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "calendar_config", EntityID: 1, Before: before, After: after})
	})
}

func validDay(d *Day) (time.Time, error) {
	d.Date, d.Name = strings.TrimSpace(d.Date), strings.TrimSpace(d.Name)
	d.Kind = Kind(strings.ToLower(strings.TrimSpace(string(d.Kind))))
	t, err := time.Parse(time.DateOnly, d.Date)
	switch {
	case d.Date == "":
		return t, errs.Required("date")
	case err != nil:
		return t, errs.Field("date", "calendar.date_invalid", d.Date)
	case d.Kind != Holiday && d.Kind != Workday:
		return t, errs.Field("kind", "err.invalid_choice", string(d.Kind))
	case utf8.RuneCountInString(d.Name) > 40:
		return t, errs.Field("name", "err.too_long", 40)
	}
	return t, nil
}

// RowError is one bad row of an import.
type RowError struct {
	Row int         `json:"row"`
	Err *errs.Error `json:"-"`
}

// ImportError lists every bad row of a refused import; nothing was stored.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	return fmt.Sprintf("calendar import: %d bad rows", len(e.Rows))
}

// Import is a parsed import file: the years it covers and their days.
type Import struct {
	Source string
	Years  []int
	Days   []Day
}

// jsonImport is the JSON import format.
type jsonImport struct {
	Source string `json:"source"`
	Years  []int  `json:"years"`
	Days   []Day  `json:"days"`
}

// The bounds of a calendar import: a year is 366 days, and a file covers a few years.
const (
	MaxImportBytes = 1 << 20
	MaxImportDays  = 10 * 366
)

// ParseImport reads a CSV or JSON file (by its first character) listing the days of one or
// more years. CSV: a header "date,kind,name" then one day per row. JSON:
// {"source": "…", "years": [2027], "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}.
// The years covered are the JSON's years, or the years of the listed dates. Every bad row
// is reported.
func ParseImport(data []byte, source string) (Import, error) {
	if len(data) > MaxImportBytes {
		return Import{}, errs.Field("file", "calendar.import_too_large", MaxImportBytes>>10)
	}
	// The file must be plain UTF-8 text as a whole: JSON decoding would otherwise turn
	// foreign bytes into U+FFFD unseen. Escaped controls are caught day by day below.
	if err := plaintext.Field("file", string(data)); err != nil {
		return Import{}, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM, as spreadsheet programs write
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Import{}, errs.Required("file")
	}
	var im Import
	var lineOf []int
	if trimmed[0] == '{' {
		var j jsonImport
		if err := json.Unmarshal(trimmed, &j); err != nil {
			return Import{}, errs.Field("file", "calendar.json_invalid", err.Error())
		}
		im = Import(j)
		for i := range j.Days {
			lineOf = append(lineOf, i+1)
		}
	} else {
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.TrimLeadingSpace = true
		line := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			line++
			if err != nil {
				return Import{}, errs.Field("file", "calendar.csv_invalid", err.Error())
			}
			if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "date") {
				continue
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			d := Day{}
			if len(rec) > 0 {
				d.Date = rec[0]
			}
			if len(rec) > 1 {
				d.Kind = Kind(rec[1])
			}
			if len(rec) > 2 {
				d.Name = rec[2]
			}
			im.Days = append(im.Days, d)
			lineOf = append(lineOf, line)
		}
	}
	if len(im.Days) > MaxImportDays {
		return Import{}, errs.Field("file", "calendar.import_too_many", MaxImportDays)
	}
	if im.Source == "" {
		im.Source = source
	}
	if err := plaintext.Field("source", im.Source); err != nil {
		return Import{}, err
	}
	var bad []RowError
	seen := map[int]bool{}
	for _, y := range im.Years {
		seen[y] = true
	}
	dates := map[string]bool{}
	for i := range im.Days {
		if err := plaintext.Field("name", im.Days[i].Name); err != nil {
			bad = append(bad, RowError{Row: lineOf[i], Err: errs.As(err)})
			continue
		}
		t, err := validDay(&im.Days[i])
		if err != nil {
			bad = append(bad, RowError{Row: lineOf[i], Err: errs.As(err)})
			continue
		}
		if dates[im.Days[i].Date] {
			bad = append(bad, RowError{Row: lineOf[i], Err: errs.Field("date", "calendar.date_twice", im.Days[i].Date)})
			continue
		}
		dates[im.Days[i].Date] = true
		if len(im.Years) > 0 && !containsInt(im.Years, t.Year()) {
			bad = append(bad, RowError{Row: lineOf[i], Err: errs.Field("date", "calendar.day_outside_years", im.Days[i].Date)})
			continue
		}
		seen[t.Year()] = true
	}
	if len(bad) > 0 {
		return Import{}, &ImportError{Rows: bad}
	}
	im.Years = im.Years[:0]
	for y := range seen {
		if y < 1900 || y > 9999 {
			return Import{}, errs.Field("year", "calendar.year_invalid", y)
		}
		im.Years = append(im.Years, y)
	}
	sort.Ints(im.Years)
	if len(im.Years) == 0 {
		return Import{}, errs.Required("file")
	}
	return im, nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Apply stores an import: each year it covers is replaced by the import's days, all in one
// transaction, and audited.
func Apply(ctx context.Context, db *store.DB, actor access.Principal, im Import) error {
	if err := authorizeAdmin(actor); err != nil {
		return err
	}
	if utf8.RuneCountInString(im.Source) > 200 {
		return errs.Field("source", "err.too_long", 200)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, y := range im.Years {
			before, err := ListDays(ctx, tx, y)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM calendar_days WHERE year = ?", y); err != nil {
				return err
			}
			res, err := tx.Exec(ctx, "UPDATE calendar_years SET source = ?, updated_at = ? WHERE year = ?", im.Source, tx.Now, y)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				if _, err := tx.Exec(ctx, "INSERT INTO calendar_years (year, source, updated_at) VALUES (?, ?, ?)", y, im.Source, tx.Now); err != nil {
					return err
				}
			}
			var after []Day
			for _, d := range im.Days {
				if strings.HasPrefix(d.Date, fmt.Sprint(y)) {
					if _, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, year, kind, name, updated_at) VALUES (?, ?, ?, ?, ?)", d.Date, y, d.Kind, d.Name, tx.Now); err != nil {
						return err
					}
					after = append(after, d)
				}
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "import", Entity: "calendar_year", EntityID: y,
				Before: before, After: map[string]any{"source": im.Source, "days": after}}); err != nil {
				return err
			}
		}
		return nil
	})
}
