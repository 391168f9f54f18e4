package web

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/calendar"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
)

type calendarDay struct {
	calendar.Day
	Weekday string
}

type calendarData struct {
	Years       []calendar.Year
	Year        int
	Days        []calendarDay
	Config      calendar.Config
	YearMissing int
	IsAdmin     bool
	Error       string
	ErrRows     []string
	ErrField    string
}

func (s *Server) calendarData(r *http.Request) (calendarData, error) {
	var d calendarData
	ctx := r.Context()
	lang := locale.FromContext(ctx)
	d.IsAdmin = principal(r).Can(access.ManageOrg, nil)
	now := s.db.Now()
	d.Year, _ = strconv.Atoi(r.URL.Query().Get("year"))
	if d.Year == 0 {
		d.Year = now.In(timeZone).Year()
	}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d.Years, err = calendar.ListYears(ctx, tx); err != nil {
			return err
		}
		if d.Config, err = calendar.GetConfig(ctx, tx); err != nil {
			return err
		}
		days, err := calendar.ListDays(ctx, tx, d.Year)
		for _, day := range days {
			t, _ := time.Parse(time.DateOnly, day.Date)
			d.Days = append(d.Days, calendarDay{Day: day, Weekday: weekdayName(lang, t.Weekday())})
		}
		return err
	})
	next := now.In(timeZone).Year() + 1
	d.YearMissing = next
	for _, y := range d.Years {
		if y.Year == next {
			d.YearMissing = 0
		}
	}
	return d, err
}

func weekdayName(lang locale.Lang, wd time.Weekday) string {
	if lang == locale.EN {
		return wd.String()[:3]
	}
	return "周" + string([]rune("日一二三四五六")[wd])
}

func (s *Server) calendarShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.calendarData(r)
	if err != nil {
		return err
	}
	s.render(w, r, "calendar_show", http.StatusOK, d)
	return nil
}

func (s *Server) calendarFail(w http.ResponseWriter, r *http.Request, err error) error {
	d, derr := s.calendarData(r)
	if derr != nil {
		return derr
	}
	lang := locale.FromContext(r.Context())
	if ie, ok := err.(*calendar.ImportError); ok {
		d.Error = locale.T(lang, "calendar.import_rows")
		for _, row := range ie.Rows {
			d.ErrRows = append(d.ErrRows, locale.T(lang, "calendar.row", row.Row, row.Err.Message(lang)))
		}
		s.render(w, r, "calendar_show", http.StatusUnprocessableEntity, d)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.Error, d.ErrField = msg, field
		s.render(w, r, "calendar_show", status, d)
		return nil
	})
}

func (s *Server) calendarSetDay(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	day := calendar.Day{Date: r.PostFormValue("date"), Kind: calendar.Kind(r.PostFormValue("kind")), Name: r.PostFormValue("name")}
	if err := calendar.SetDay(r.Context(), s.db, principal(r), day); err != nil {
		return s.calendarFail(w, r, err)
	}
	s.redirect(w, r, "/calendar?year="+strings.SplitN(day.Date, "-", 2)[0], "flash.calendar_saved")
	return nil
}

func (s *Server) calendarDeleteDay(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	date := r.PostFormValue("date")
	if err := calendar.DeleteDay(r.Context(), s.db, principal(r), date); err != nil {
		return s.calendarFail(w, r, err)
	}
	s.redirect(w, r, "/calendar?year="+strings.SplitN(date, "-", 2)[0], "flash.calendar_saved")
	return nil
}

func (s *Server) calendarSetHours(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := calendar.SetHours(r.Context(), s.db, principal(r), r.PostFormValue("work_hours")); err != nil {
		return s.calendarFail(w, r, err)
	}
	s.redirect(w, r, "/calendar", "flash.calendar_saved")
	return nil
}

// calendarImport takes a CSV or JSON file, or the same pasted into the text box. The page's
// forms are small, so the file shares the form's one-megabyte limit.
func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	var data []byte
	if err := r.ParseMultipartForm(maxFormBytes); err == nil {
		if f, _, err := r.FormFile("file"); err == nil {
			data, _ = io.ReadAll(f)
			f.Close()
		}
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		data = []byte(r.PostFormValue("content"))
	}
	im, err := calendar.ParseImport(data, r.PostFormValue("source"))
	if err == nil {
		err = calendar.Apply(r.Context(), s.db, principal(r), im)
	}
	if err != nil {
		return s.calendarFail(w, r, err)
	}
	years := make([]string, len(im.Years))
	for i, y := range im.Years {
		years[i] = strconv.Itoa(y)
	}
	s.redirect(w, r, "/calendar?year="+years[0], "flash.calendar_imported", strings.Join(years, ", "))
	return nil
}

func (s *Server) calendarExport(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	var days []calendar.Day
	if err := s.db.Read(r.Context(), func(tx *store.Tx) (err error) {
		days, err = calendar.ListDays(r.Context(), tx, year)
		return err
	}); err != nil {
		return err
	}
	if len(days) == 0 && year != 0 {
		return errs.New(errs.NotFound, "calendar.day_not_listed", strconv.Itoa(year))
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename=calendar-"+strconv.Itoa(year)+".csv")
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "kind", "name"})
	for _, d := range days {
		cw.Write([]string{d.Date, string(d.Kind), d.Name})
	}
	cw.Flush()
	return cw.Error()
}
