package web

import (
	"net/http"
	"strconv"
	"strings"

	"manyi/internal/workorder"
)

type workorderDutyData struct {
	Tabs     []navItem
	Roster   workorder.Roster
	From     string
	Prev     string
	Next     string
	CanEdit  bool
	Weekdays []string
}

// workorderDuty shows a week of the callback duty roster from ?from= (default: tomorrow).
func (s *Server) workorderDuty(w http.ResponseWriter, r *http.Request) error {
	from, err := periodParamOr(r, "from", dayPeriod, workorder.DayOf(s.db.Now().AddDate(0, 0, 1)))
	if err != nil {
		return err
	}
	roster, err := workorder.LoadRoster(r.Context(), s.db, principal(r), from)
	if err != nil {
		return err
	}
	start, _ := workorder.ParseDay("day", roster.Days[0])
	d := workorderDutyData{Tabs: workorderTabs(r), Roster: roster, From: roster.Days[0], CanEdit: workorder.MayKeepRoster(principal(r)),
		Prev: workorder.DayOf(start.AddDate(0, 0, -workorder.RosterDays)), Next: workorder.DayOf(start.AddDate(0, 0, workorder.RosterDays))}
	for _, day := range roster.Days {
		t, _ := workorder.ParseDay("day", day)
		d.Weekdays = append(d.Weekdays, "wo.weekday."+strconv.Itoa(int(t.Weekday())))
	}
	s.render(w, r, "workorder_duty", http.StatusOK, d)
	return nil
}

func (s *Server) workorderDutySave(w http.ResponseWriter, r *http.Request) error {
	days := r.PostForm["day"]
	on := map[string][]int64{}
	for _, v := range r.PostForm["on"] {
		day, person, ok := strings.Cut(v, "|")
		id, err := strconv.ParseInt(person, 10, 64)
		if !ok || err != nil {
			continue
		}
		on[day] = append(on[day], id)
	}
	if err := workorder.SetRoster(r.Context(), s.db, principal(r), days, on); err != nil {
		return err
	}
	from := ""
	if len(days) > 0 {
		from = days[0]
	}
	s.redirect(w, r, "/workorders/duty?"+query("from", from), "wo.duty_saved")
	return nil
}
