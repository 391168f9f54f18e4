package survey

import (
	"strings"
	"testing"

	"manyi/internal/errs"
)

// FuzzScore feeds arbitrary form values, as a resident's phone may send them, to the scoring
// of the built-in questionnaire: an answer is scored within the template's points or refused
// with a message naming a question, never a panic.
func FuzzScore(f *testing.F) {
	def := Builtin[0].Def
	f.Add("1", "2", "很好", "13800138000")
	f.Add("6", "0", "", "")
	f.Add("-1", "1,2", strings.Repeat("名", 600), "138001380001")
	f.Add("1\x00", "\xff", "\x00", "+86 138-0013-8000")
	f.Fuzz(func(t *testing.T, overall, other, opinion, phone string) {
		in := AnswerInput{Values: map[string][]string{}, Opinion: opinion, Phone: phone}
		for i, q := range def.Questions {
			in.Values[q.Key] = []string{other}
			if i == 0 || q.Key == def.Overall().Key {
				in.Values[q.Key] = []string{overall}
			}
		}
		s, err := Score(def, &in)
		if err != nil {
			if e := errs.As(err); e.Code == errs.Internal {
				t.Fatalf("Score gave an internal error: %v", err)
			}
			return
		}
		if s.Points < 0 || s.Points > def.MaxPoints() {
			t.Fatalf("Score = %d points, outside 0–%d", s.Points, def.MaxPoints())
		}
	})
}
