package main

import (
	"fmt"
	"testing"
	"time"

	"manyi/internal/demo"
)

// The demo follows the day it is loaded (docs/demo.md): its history is the twelve months
// before the current one in China, the last of them left open for the user to close. The
// end-to-end tests look its months up here rather than naming them.

// demoMonth is the month k months from the current one (k = -1: the demo's open month), as
// "2006-01".
func demoMonth(k int) string {
	now := time.Now().In(demo.Zone)
	return time.Date(now.Year(), now.Month()+time.Month(k), 1, 0, 0, 0, 0, demo.Zone).Format("2006-01")
}

// quarterOf is the quarter ("2026-Q4") of a month ("2026-11").
func quarterOf(month string) string {
	var y, m int
	fmt.Sscanf(month, "%d-%d", &y, &m)
	return fmt.Sprintf("%d-Q%d", y, (m+2)/3)
}

// quarterMonths are the first and last months ("2026-10", "2026-12") of a quarter ("2026-Q4").
func quarterMonths(q string) (first, last string) {
	var y, n int
	fmt.Sscanf(q, "%d-Q%d", &y, &n)
	return fmt.Sprintf("%d-%02d", y, 3*n-2), fmt.Sprintf("%d-%02d", y, 3*n)
}

// demoToday is today's date in China, "2006-01-02".
func demoToday() string { return time.Now().In(demo.Zone).Format(time.DateOnly) }

// mustDay parses a date ("2006-01-02") in China.
func mustDay(t testing.TB, day string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, demo.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
