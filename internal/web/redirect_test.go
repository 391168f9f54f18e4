package web

import "testing"

// TestSafeNext: only a path of this site is followed after login or a language switch;
// every way a browser could read the target as another site is refused.
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/complaints?open=1":    "/complaints?open=1",
		"/org/units/3":          "/org/units/3",
		"":                      "/",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"/ /evil.example":       "/",
		"\\\\evil.example":      "/",
		"evil.example":          "/",
		"/\x7f/evil.example":    "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
