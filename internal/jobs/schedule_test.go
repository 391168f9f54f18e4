package jobs_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the test needs zones with and without daylight saving on any machine

	"manyi/internal/jobs"
)

func TestDaily(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		hour, minute int
		loc          *time.Location
		after, want  time.Time
	}{
		{"later today", 3, 0, shanghai,
			time.Date(2026, 5, 1, 1, 0, 0, 0, shanghai), time.Date(2026, 5, 1, 3, 0, 0, 0, shanghai)},
		{"exactly at the time is the next day", 3, 0, shanghai,
			time.Date(2026, 5, 1, 3, 0, 0, 0, shanghai), time.Date(2026, 5, 2, 3, 0, 0, 0, shanghai)},
		{"after the time today", 3, 0, shanghai,
			time.Date(2026, 5, 1, 9, 30, 0, 0, shanghai), time.Date(2026, 5, 2, 3, 0, 0, 0, shanghai)},
		{"month end", 0, 30, shanghai,
			time.Date(2026, 1, 31, 23, 0, 0, 0, shanghai), time.Date(2026, 2, 1, 0, 30, 0, 0, shanghai)},
		{"input in another zone", 3, 0, shanghai,
			time.Date(2026, 5, 1, 18, 59, 0, 0, time.UTC), time.Date(2026, 5, 2, 3, 0, 0, 0, shanghai)},
		{"across the spring daylight-saving change keeps the wall clock", 3, 0, newYork,
			time.Date(2026, 3, 7, 4, 0, 0, 0, newYork), time.Date(2026, 3, 8, 3, 0, 0, 0, newYork)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jobs.Daily(tc.hour, tc.minute, tc.loc).Next(tc.after)
			if !got.Equal(tc.want) {
				t.Fatalf("Next(%v) = %v, want %v", tc.after, got, tc.want)
			}
		})
	}
}
