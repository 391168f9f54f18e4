package api

import (
	"net/http"
	"slices"

	"manyi/internal/access"
	"manyi/internal/workorder"
)

// The callback duty roster (回访值班表) through the API, as on its page: a week from a day,
// and the clerks' replacement of some days. workorder.LoadRoster and SetRoster hold the rules
// (who keeps the roster, who may be on duty).

func dutyRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/workorders/duty", handler: a.getDuty, id: "getDutyRoster", tag: "workorders",
			summary: "A week of the callback duty roster, and the people who may be on duty",
			query:   []param{{"from", "string", "date", "The first day, YYYY-MM-DD (default tomorrow)."}}, status: 200, result: "DutyRoster"},
		{method: "PUT", path: "/api/v1/workorders/duty", handler: a.setDuty, id: "setDutyRoster", tag: "workorders",
			summary: "Replace the roster of up to seven days; a day with nobody falls back to every caller (clerks)", body: "DutyInput", status: 200, result: "DutyRoster"},
	}
}

// DutyRoster is a week of the roster.
type DutyRoster struct {
	Callers []DutyCaller `json:"callers"`
	Days    []DutyDay    `json:"days"`
}

// DutyCaller is someone who may be on duty: an active dispatcher or manager.
type DutyCaller struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Role     string `json:"role"`
}

// DutyDay is one day of the roster: the people on duty, by person id.
type DutyDay struct {
	Day string  `json:"day"`
	On  []int64 `json:"on"`
}

// DutyInput replaces the roster of its days.
type DutyInput struct {
	Days []DutyDay `json:"days"`
}

func init() {
	doc("DutyRoster", DutyRoster{})
	docInput("DutyInput", DutyInput{}, "days")
}

func dutyView(r workorder.Roster) DutyRoster {
	out := DutyRoster{Callers: []DutyCaller{}, Days: []DutyDay{}}
	seen := map[int64]bool{}
	for _, c := range r.Callers {
		out.Callers = append(out.Callers, DutyCaller{PersonID: c.PersonID, Name: c.Name, Unit: c.Unit, Role: string(c.Role)})
		seen[c.PersonID] = true
	}
	for _, d := range r.Days {
		on := []int64{}
		for p, yes := range r.On[d] {
			// Only the callers the caller may see, as the page shows only their columns.
			if yes && seen[p] {
				on = append(on, p)
			}
		}
		slices.Sort(on)
		out.Days = append(out.Days, DutyDay{Day: d, On: on})
	}
	return out
}

func (a *API) getDuty(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	from := r.URL.Query().Get("from")
	if from == "" {
		from = workorder.DayOf(a.db.Now().AddDate(0, 0, 1))
	}
	roster, err := workorder.LoadRoster(r.Context(), a.db, p, from)
	if err != nil {
		return asField(err, "day", "from")
	}
	writeJSON(w, http.StatusOK, dutyView(roster))
	return nil
}

func (a *API) setDuty(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in DutyInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	days, on := make([]string, len(in.Days)), map[string][]int64{}
	for i, d := range in.Days {
		days[i], on[d.Day] = d.Day, d.On
	}
	if err := workorder.SetRoster(r.Context(), a.db, p, days, on); err != nil {
		return asField(err, "day", "days")
	}
	roster, err := workorder.LoadRoster(r.Context(), a.db, p, days[0])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dutyView(roster))
	return nil
}
