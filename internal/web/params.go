package web

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"manyi/internal/errs"
	"manyi/internal/sampling"
)

// period is a kind of period a page reads from its query: the check a value must pass and the
// message naming the parameter and the expected form when it does not.
type period struct {
	valid func(string) bool
	key   string
}

var (
	monthPeriod   = period{layout("2006-01"), "err.bad_month"}
	dayPeriod     = period{layout(time.DateOnly), "err.bad_day"}
	weekPeriod    = period{func(v string) bool { _, _, err := sampling.WeekDays(v); return err == nil }, "err.bad_week"}
	quarterPeriod = period{func(v string) bool { return quarterRE.MatchString(v) }, "err.bad_quarter"}
	// complaintPeriod is the complaint pages' period: a month, a quarter (the quarterly
	// report's figures link to it) or a whole year for the statistics.
	complaintPeriod = period{func(v string) bool { return layout("2006-01")(v) || quarterRE.MatchString(v) || layout("2006")(v) }, "err.bad_complaint_period"}
)

var quarterRE = regexp.MustCompile(`^20[0-9]{2}-Q[1-4]$`)

func layout(l string) func(string) bool {
	return func(v string) bool { _, err := time.Parse(l, v); return err == nil }
}

// periodParam returns the query's value of the parameter name, a period of kind p; "" when
// it is absent or empty. A value that is not a valid period is refused with a 400 naming the
// parameter, rather than silently replaced by a default: whoever typed ?month=2026-13 would
// otherwise read another month's figures as the ones asked for.
func periodParam(r *http.Request, name string, p period) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" || p.valid(v) {
		return v, nil
	}
	return "", errs.Param(name, p.key, v)
}

// periodParamOr is periodParam with a default for an absent parameter.
func periodParamOr(r *http.Request, name string, p period, def string) (string, error) {
	v, err := periodParam(r, name, p)
	if v == "" && err == nil {
		v = def
	}
	return v, err
}

// idParam returns the query's record id of the parameter name, 0 when it is absent or empty.
// A value that is not a positive whole number is refused with a 400 naming the parameter: a
// list filtered by ?unit=abc would otherwise silently show every unit's rows.
func idParam(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Param(name, "err.bad_id", v)
	}
	return id, nil
}
