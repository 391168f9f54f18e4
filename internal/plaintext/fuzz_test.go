package plaintext

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCheck compares Check with its definition spelled out rune by rune.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{"", "王先生\r\n\t", "a\x00b", "\xff", "\u0085", "\x7f", "\xed\xa0\x80", "😀"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := OK
		if !utf8.ValidString(s) {
			want = BadUTF8
		} else {
			for _, r := range s {
				if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
					want = ControlChr
					break
				}
			}
		}
		// Check stops at the first problem; the definition above ranks bad UTF-8 first.
		if got := Check(s); got != want && !(want == BadUTF8 && got == ControlChr) {
			t.Fatalf("Check(%q) = %q, want %q", s, got, want)
		}
	})
}
