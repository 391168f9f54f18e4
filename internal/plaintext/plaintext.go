// Package plaintext decides whether a string is text a person could have typed: valid UTF-8
// without control characters. It is applied once, where the bytes of a request or an upload
// become strings (web forms and query strings, API JSON bodies, imported cells), so that no
// area stores raw bytes that one database keeps and the other refuses with an internal error.
package plaintext

import (
	"sort"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Problem is what is wrong with a string; the zero value means nothing.
type Problem string

const (
	OK         Problem = ""
	BadUTF8    Problem = "text.bad_utf8"    // bytes that are not UTF-8 (another encoding, or binary)
	ControlChr Problem = "text.control_chr" // NUL, escape and the other C0/C1 controls, DEL
)

// Check reports what is wrong with s. Tab, line feed and carriage return are allowed
// everywhere: a textarea sends CRLF, a spreadsheet cell may hold line breaks, and a
// single-line field is trimmed by its area. Every other C0 control (NUL first: PostgreSQL
// refuses it in text), DEL and the C1 controls are refused, as is any invalid UTF-8.
func Check(s string) Problem {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return ControlChr
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return BadUTF8
		}
		if r >= 0x80 && r <= 0x9f {
			return ControlChr
		}
		i += size
	}
	return OK
}

// Field returns nil when s is plain text, else an invalid-input error naming field.
func Field(field, s string) error {
	if p := Check(s); p != OK {
		return errs.Field(field, string(p))
	}
	return nil
}

// Values checks every value of a form or query string, keyed by field; the first bad one,
// in the order of the field names, is reported. The names are checked too: they are shown.
func Values(v map[string][]string) error {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := v[k]
		if p := Check(k); p != OK {
			return errs.New(errs.Invalid, string(p)+"_name")
		}
		for _, s := range vs {
			if err := Field(k, s); err != nil {
				return err
			}
		}
	}
	return nil
}
