package web

import (
	"net/http"
	"strconv"
	"time"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/workorder"
)

type workorderDailyData struct {
	Tabs        []navItem
	Day         string
	Maintainers []workorder.DayStats
	Teams       []workorder.DayStats
	Draws       []workorder.DrawCheck
	Overdue     int
	CanDraw     bool
}

// workorderDaily shows the statistics of the orders closed on a day (default: yesterday),
// the draws that made their tasks, and for the clerk the button to run the draw.
func (s *Server) workorderDaily(w http.ResponseWriter, r *http.Request) error {
	day, err := periodParamOr(r, "day", dayPeriod, s.db.Now().In(timeZone).AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return err
	}
	maint, teams, err := workorder.Daily(r.Context(), s.db, principal(r), day)
	if err != nil {
		return err
	}
	draws, err := workorder.Draws(r.Context(), s.db, day)
	if err != nil {
		return err
	}
	d := workorderDailyData{Tabs: workorderTabs(r), Day: day, Maintainers: maint, Teams: teams, Draws: draws, CanDraw: workorder.MayDraw(principal(r))}
	for _, t := range teams {
		d.Overdue += t.Overdue
	}
	s.render(w, r, "workorder_daily", http.StatusOK, d)
	return nil
}

func (s *Server) workorderDraw(w http.ResponseWriter, r *http.Request) error {
	day := r.PostFormValue("day")
	res, err := workorder.Generate(r.Context(), s.db, principal(r), day)
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid || e.Code == errs.Conflict {
			s.redirect(w, r, "/workorders/daily?"+query("day", day), "wo.draw_refused", e.Message(locale.FromContext(r.Context())))
			return nil
		}
		return err
	}
	if res.Orders == 0 {
		s.redirect(w, r, "/workorders/daily?"+query("day", res.Day), "wo.drawn_nothing", res.Day)
		return nil
	}
	s.redirect(w, r, "/workorders/daily?"+query("day", res.Day), "wo.drawn", res.Orders, res.Callbacks-res.Managers, res.Managers)
	return nil
}

type workorderMonthlyData struct {
	Tabs    []navItem
	Ranking workorder.Ranking
}

func (s *Server) workorderMonthly(w http.ResponseWriter, r *http.Request) error {
	month, err := s.monthOrDefault(r)
	if err != nil {
		return err
	}
	var centre int64
	if v := r.URL.Query().Get("centre"); v != "" {
		if centre, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errs.Param("centre", "wo.bad_centre", v)
		}
	}
	rk, err := workorder.Monthly(r.Context(), s.db, principal(r), month, centre)
	if err != nil {
		return err
	}
	s.render(w, r, "workorder_monthly", http.StatusOK, workorderMonthlyData{Tabs: workorderTabs(r), Ranking: rk})
	return nil
}
