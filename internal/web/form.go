package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"manyi/internal/errs"
)

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "err.invalid_id", v)
	}
	return id, nil
}

// formInt reads an optional whole number; "" gives nil.
func formInt(r *http.Request, name string) (*int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errs.Field(name, "err.not_integer")
	}
	return &n, nil
}

// formID reads an optional id; "" gives 0.
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "err.invalid_choice", v)
	}
	return n, nil
}

// formPercentBP reads a percentage such as "30" or "12.5" as basis points.
func formPercentBP(r *http.Request, name string) (*int, error) {
	v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.PostFormValue(name)), "%"))
	if v == "" {
		return nil, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 {
		return nil, errs.Field(name, "err.not_number")
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || strings.HasPrefix(frac, "-") {
		if err1 == nil && w < 0 {
			return nil, errs.Field(name, "err.out_of_range", "0 %", "100 %")
		}
		return nil, errs.Field(name, "err.not_number")
	}
	bp := w*100 + f
	return &bp, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtSscan(s string, id *int64) (int, error) { return fmt.Sscan(s, id) }
