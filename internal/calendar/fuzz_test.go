package calendar

import "testing"

// FuzzParseHours checks that working hours parse or are refused, and that what parses
// prints back to the same hours.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"08:30-12:00,13:30-17:30", "09:00-17:00", "25:00-26:00", "12:00-08:00", "", "-", "08:00-12:00,11:00-13:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHours(s)
		if err != nil {
			return
		}
		again, err := ParseHours(FormatHours(h))
		if err != nil || FormatHours(again) != FormatHours(h) {
			t.Fatalf("ParseHours(%q) = %v, but its text %q parses to %v, %v", s, h, FormatHours(h), again, err)
		}
	})
}
