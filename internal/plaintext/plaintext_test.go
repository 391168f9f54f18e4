package plaintext

import (
	"testing"

	"manyi/internal/errs"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Problem
	}{
		{"", OK},
		{"王先生 138 0000 0000", OK},
		{"line one\r\nline two\tindented", OK},
		{"emoji 😀 and ￦", OK},
		{"nul\x00byte", ControlChr},
		{"escape \x1b[31m", ControlChr},
		{"bell\a", ControlChr},
		{"del\x7f", ControlChr},
		{"c1 \u0085 next line", ControlChr},
		{"latin-1 caf\xe9", BadUTF8},
		{"gbk \xc4\xe3\xba\xc3", BadUTF8},
		{"truncated \xe4\xb8", BadUTF8},
		{"surrogate \xed\xa0\x80", BadUTF8},
		{"overlong \xc0\xaf", BadUTF8},
	} {
		if got := Check(c.in); got != c.want {
			t.Errorf("Check(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValuesNamesTheField(t *testing.T) {
	err := Values(map[string][]string{"name": {"ok"}, "phone": {"138\x00"}, "text": {"fine"}})
	e := errs.As(err)
	if e.Code != errs.Invalid || e.Field != "phone" || e.Key != string(ControlChr) {
		t.Fatalf("Values: %#v", e)
	}
	if err := Values(map[string][]string{"a": {"x", "y\n"}}); err != nil {
		t.Fatalf("Values of plain text: %v", err)
	}
	if e := errs.As(Values(map[string][]string{"bad\xff": {"x"}})); e.Key != "text.bad_utf8_name" {
		t.Fatalf("bad name: %#v", e)
	}
}
