package api

import (
	"io"
	"net/http"

	"manyi/internal/access"
	"manyi/internal/calendar"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
)

// The working-day calendar (docs/calendar.md): the working days of a year, which every
// working-time deadline counts in, and the import of a year's statutory holidays and
// adjusted working days (administrators).

func calendarRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/calendar/working-days", handler: a.workingDays, id: "getWorkingDays", tag: "calendar",
			summary: "The working days of a year, with the holidays and adjusted working days that make them",
			query:   []param{{"year", "integer", "int32", "The year (default the current one)."}}, status: 200, result: "WorkingDays"},
		{method: "POST", path: "/api/v1/calendar/import", handler: a.importCalendar, id: "importCalendar", tag: "calendar",
			summary: "Replace the listed years' days from a JSON body (or CSV date,kind,name); every bad row is listed and nothing is stored", body: "CalendarImport",
			query: []param{{"source", "string", "", "Where a CSV file's schedule comes from (JSON bodies carry their own source)."}}, status: 200, result: "CalendarImported"},
	}
}

// workingDays is a year of the calendar.
type workingDays struct {
	Year        int            `json:"year"`
	Source      string         `json:"source"`
	WorkingDays []string       `json:"working_days"`
	Exceptions  []calendar.Day `json:"exceptions"`
}

// CalendarImport is the JSON import format of calendar.ParseImport.
type CalendarImport struct {
	Source string         `json:"source"`
	Years  []int          `json:"years"`
	Days   []calendar.Day `json:"days"`
}

type calendarImported struct {
	Years []int `json:"years"`
	Days  int   `json:"days"`
}

func init() {
	docInput("WorkingDays", workingDays{}, "year", "source", "working_days", "exceptions")
	docInput("CalendarImport", CalendarImport{}, "days")
	docInput("CalendarImported", calendarImported{}, "years", "days")
}

func (a *API) workingDays(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	year, err := queryInt(r, "year", int64(a.db.Now().In(chinaTime).Year()))
	if err != nil {
		return err
	}
	if year < 1900 || year > 9999 {
		return errs.Field("year", "err.out_of_range", "1900", "9999")
	}
	_, cal, err := complaint.LoadSLA(r.Context(), a.db)
	if err != nil {
		return err
	}
	out := workingDays{Year: int(year), Exceptions: []calendar.Day{}}
	if out.WorkingDays, err = cal.WorkingDays(int(year)); err != nil {
		return asField(err, "", "year")
	}
	err = a.db.Read(r.Context(), func(tx *store.Tx) error {
		years, err := calendar.ListYears(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, y := range years {
			if y.Year == int(year) {
				out.Source = y.Source
			}
		}
		days, err := calendar.ListDays(r.Context(), tx, int(year))
		if days != nil {
			out.Exceptions = days
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) importCalendar(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, calendar.MaxImportBytes+1))
	if err != nil {
		return errs.Field("file", "calendar.import_too_large", calendar.MaxImportBytes>>10)
	}
	im, err := calendar.ParseImport(data, r.URL.Query().Get("source"))
	if err == nil {
		err = calendar.Apply(r.Context(), a.db, p, im)
	}
	if ie, ok := err.(*calendar.ImportError); ok {
		// The refusal lists every bad row, as the workorder import does.
		lang := locale.FromContext(r.Context())
		rows := make([]importProblem, len(ie.Rows))
		for i, row := range ie.Rows {
			rows[i] = importProblem{Row: row.Row, Field: row.Err.Field, Message: row.Err.Message(lang)}
		}
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error    errorDetail     `json:"error"`
			Problems []importProblem `json:"problems"`
		}{errorDetail{Code: errs.Invalid, Message: locale.T(lang, "calendar.import_rows")}, rows})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, calendarImported{Years: im.Years, Days: len(im.Days)})
	return nil
}
