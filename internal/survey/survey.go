// Package survey runs the quarterly satisfaction survey of docs/policies.md §2 (seed 001):
// versioned questionnaire templates with their rating scales, campaigns per quarter over the
// areas with their households and response-rate thresholds, one invitation per household
// (a short code printed on the paper questionnaire and carried by its QR link), the public
// online answer, paper entry typed twice by two clerks, rates per unit, opinions classified
// by problem location and type, follow-ups (回访), authenticity marks and fraud signals,
// improper-means cases, the retention purge of personal data, and the facts period close
// needs (survey for unit-monthly, the survey-quarterly facts).
package survey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Question kinds.
const (
	Rating   = "rating"
	Single   = "single"
	Multiple = "multiple"
	Text     = "text"
)

// Bands are the unit-monthly band points (docs/policies.md §1) a rating level maps to.
var Bands = []int{20, 16, 12, 8, 4}

// Definition is a questionnaire template's content.
type Definition struct {
	Intro     string     `json:"intro"`
	Questions []Question `json:"questions"`
	Locations []string   `json:"locations"` // problem locations used to classify opinions
	Types     []string   `json:"types"`     // problem types
}

// Question is one question. Exactly one rating question is Overall: its level decides
// "基本满意 or better" and the band.
type Question struct {
	Key      string   `json:"key"`
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Required bool     `json:"required,omitempty"`
	Overall  bool     `json:"overall,omitempty"`
	Levels   []Level  `json:"levels,omitempty"`  // rating
	Options  []string `json:"options,omitempty"` // single, multiple
	Max      int      `json:"max,omitempty"`     // text: most characters
}

// Level is one level of a rating scale, best first: its points in the template's scale, its
// unit-monthly band, and whether it counts as satisfied (基本满意 or better) or dissatisfied
// (不满意, the answers a verified fault can be charged on).
type Level struct {
	Label        string `json:"label"`
	Points       int    `json:"points"`
	Band         int    `json:"band"`
	Satisfied    bool   `json:"satisfied,omitempty"`
	Dissatisfied bool   `json:"dissatisfied,omitempty"`
}

const (
	maxText      = 500
	maxOpinion   = 1000
	maxName      = 50
	maxPhone     = 30
	maxReason    = 500
	maxHousehold = 50
	maxListItems = 50
)

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// Overall returns the overall question.
func (d Definition) Overall() Question {
	for _, q := range d.Questions {
		if q.Overall {
			return q
		}
	}
	return Question{}
}

// MaxPoints is the points of the overall question's best level.
func (d Definition) MaxPoints() int {
	m := 0
	for _, l := range d.Overall().Levels {
		m = max(m, l.Points)
	}
	return m
}

// Validate reports the first problem of a template definition, naming the question.
func (d *Definition) Validate() error {
	bad := func(key string, args ...any) error { return errs.Field("survey_definition", key, args...) }
	if len(d.Questions) == 0 {
		return bad("survey.def_no_questions")
	}
	seen, overall := map[string]bool{}, 0
	for i := range d.Questions {
		q := &d.Questions[i]
		q.Key, q.Text = strings.TrimSpace(q.Key), strings.TrimSpace(q.Text)
		if !keyRE.MatchString(q.Key) {
			return bad("survey.def_bad_key", i+1, q.Key)
		}
		if seen[q.Key] {
			return bad("survey.def_duplicate_key", q.Key)
		}
		seen[q.Key] = true
		if q.Text == "" {
			return bad("survey.def_no_text", q.Key)
		}
		switch q.Kind {
		case Rating:
			if len(q.Levels) < 2 || len(q.Levels) > 10 {
				return bad("survey.def_levels", q.Key)
			}
			for _, l := range q.Levels {
				if strings.TrimSpace(l.Label) == "" || l.Points < 0 || !slices.Contains(Bands, l.Band) || (l.Satisfied && l.Dissatisfied) {
					return bad("survey.def_bad_level", q.Key, l.Label)
				}
			}
		case Single, Multiple:
			if len(q.Options) < 2 || len(q.Options) > maxListItems {
				return bad("survey.def_options", q.Key)
			}
		case Text:
			if q.Max <= 0 || q.Max > maxOpinion {
				q.Max = maxText
			}
		default:
			return bad("survey.def_bad_kind", q.Key, q.Kind)
		}
		if q.Overall {
			overall++
			if q.Kind != Rating || !q.Required {
				return bad("survey.def_overall_kind", q.Key)
			}
		}
	}
	if overall != 1 {
		return bad("survey.def_one_overall", overall)
	}
	if len(d.Locations) == 0 || len(d.Types) == 0 || len(d.Locations) > maxListItems || len(d.Types) > maxListItems {
		return bad("survey.def_lists")
	}
	return nil
}

// ParseDefinition reads and validates a definition written as JSON.
func ParseDefinition(text string) (Definition, error) {
	var d Definition
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, errs.Field("survey_definition", "survey.def_json", err.Error())
	}
	return d, d.Validate()
}

// AnswerInput is one questionnaire's answers as a form gives them: for each question key
// the chosen values (a rating or single choice: the 1-based position of the level or
// option; multiple choice: several positions; text: the text), the opinion, its problem
// location and type, and the optional name and phone of the respondent.
type AnswerInput struct {
	Values      map[string][]string `json:"values"`
	Opinion     string              `json:"opinion,omitempty"`
	Location    string              `json:"location,omitempty"`
	ProblemType string              `json:"problem_type,omitempty"`
	Respondent  string              `json:"respondent,omitempty"`
	Phone       string              `json:"phone,omitempty"`
}

// Scored is a validated answer with what rates need.
type Scored struct {
	Level        int // 1-based position of the overall level
	Points, Band int
	Satisfied    bool
	Dissatisfied bool
	Answers      string // canonical JSON of the values
	Pattern      string // hash of the choices, without free text: equal patterns look copied
}

// QuestionField is the form field of a question.
func QuestionField(key string) string { return "q_" + key }

// Score validates in against the definition and scores it. Every refusal names the question.
func Score(d Definition, in *AnswerInput) (Scored, error) {
	var s Scored
	clean := map[string][]string{}
	var choices []string
	for _, q := range d.Questions {
		field := QuestionField(q.Key)
		var vals []string
		for _, v := range in.Values[q.Key] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if q.Required {
				return s, errs.Field(field, "survey.answer_required", q.Text)
			}
			continue
		}
		switch q.Kind {
		case Rating, Single:
			n := len(q.Levels)
			if q.Kind == Single {
				n = len(q.Options)
			}
			if len(vals) > 1 {
				return s, errs.Field(field, "survey.answer_one", q.Text)
			}
			pos, err := strconv.Atoi(vals[0])
			if err != nil || pos < 1 || pos > n {
				key := "survey.answer_bad_choice"
				if q.Kind == Rating {
					key = "survey.answer_out_of_scale"
				}
				return s, errs.Field(field, key, q.Text, vals[0], n)
			}
			vals = []string{strconv.Itoa(pos)}
			if q.Overall {
				l := q.Levels[pos-1]
				s.Level, s.Points, s.Band, s.Satisfied, s.Dissatisfied = pos, l.Points, l.Band, l.Satisfied, l.Dissatisfied
			}
			choices = append(choices, q.Key+"="+vals[0])
		case Multiple:
			seen := map[int]bool{}
			var norm []int
			for _, v := range vals {
				pos, err := strconv.Atoi(v)
				if err != nil || pos < 1 || pos > len(q.Options) {
					return s, errs.Field(field, "survey.answer_bad_choice", q.Text, v, len(q.Options))
				}
				if !seen[pos] {
					seen[pos] = true
					norm = append(norm, pos)
				}
			}
			sort.Ints(norm)
			vals = vals[:0]
			for _, p := range norm {
				vals = append(vals, strconv.Itoa(p))
			}
			choices = append(choices, q.Key+"="+strings.Join(vals, ","))
		case Text:
			if len(vals) > 1 {
				vals = []string{strings.Join(vals, "\n")}
			}
			if utf8.RuneCountInString(vals[0]) > q.Max {
				return s, errs.Field(field, "survey.answer_too_long", q.Text, q.Max)
			}
		}
		clean[q.Key] = vals
	}
	for k := range in.Values {
		if !slices.ContainsFunc(d.Questions, func(q Question) bool { return q.Key == k }) {
			return s, errs.Field(QuestionField(k), "survey.answer_unknown_question", k)
		}
	}
	in.Values = clean
	in.Opinion = strings.TrimSpace(in.Opinion)
	in.Location, in.ProblemType = strings.TrimSpace(in.Location), strings.TrimSpace(in.ProblemType)
	in.Respondent, in.Phone = strings.TrimSpace(in.Respondent), strings.TrimSpace(in.Phone)
	switch {
	case utf8.RuneCountInString(in.Opinion) > maxOpinion:
		return s, errs.Field("survey_opinion", "err.too_long", maxOpinion)
	case in.Location != "" && !slices.Contains(d.Locations, in.Location):
		return s, errs.Field("problem_location", "err.invalid_choice", in.Location)
	case in.ProblemType != "" && !slices.Contains(d.Types, in.ProblemType):
		return s, errs.Field("problem_type", "err.invalid_choice", in.ProblemType)
	case utf8.RuneCountInString(in.Respondent) > maxName:
		return s, errs.Field("survey_respondent", "err.too_long", maxName)
	case utf8.RuneCountInString(in.Phone) > maxPhone:
		return s, errs.Field("phone", "err.too_long", maxPhone)
	case in.Phone != "" && !validPhone(in.Phone):
		return s, errs.Field("phone", "survey.bad_phone")
	}
	b, _ := json.Marshal(clean) // map keys marshal sorted: the same answers give the same text
	s.Answers = string(b)
	sum := sha256.Sum256([]byte(strings.Join(choices, ";") + "|" + in.Location + "|" + in.ProblemType))
	s.Pattern = hex.EncodeToString(sum[:8])
	return s, nil
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '-' || r == ' ' || r == '+':
		default:
			return false
		}
	}
	return digits >= 5
}

// Canonical is the text two clerks' entries are compared by: the scored answers plus the
// opinion, classification, contact and returned day, so any typing difference shows.
func Canonical(in AnswerInput, answers, answeredOn string) string {
	b, _ := json.Marshal([]string{answers, in.Opinion, in.Location, in.ProblemType, in.Respondent, in.Phone, answeredOn})
	return string(b)
}

// codeAlphabet leaves out 0/O and 1/I/L, which people misread when typing a code.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewCode returns an invitation code of 8 characters (about 40 bits): short enough to type
// from paper, too many to guess at the public page's rate limit.
func NewCode() string {
	var b [8]byte
	rand.Read(b[:])
	out := make([]byte, 8)
	for i, x := range b {
		out[i] = codeAlphabet[int(x)%len(codeAlphabet)]
	}
	return string(out)
}

// NormalizeCode accepts a code typed in lower case, with spaces or a dash; "" if it cannot
// be a code.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s))
	if len(s) != 8 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
	}
	return s
}

// FormatCode prints a code as "XXXX-XXXX" for reading aloud and typing.
func FormatCode(code string) string {
	if len(code) != 8 {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// MaskName keeps a name's first character: 张** for 张三丰.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(1, len(r)-1))
}

// Zone is the organisation's time zone: days and quarters are read in it.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Day is t's local date.
func Day(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// parseDay reads a local date.
func parseDay(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), Zone)
	if err != nil {
		return t, errs.Field(field, "survey.bad_date", s)
	}
	return t, nil
}

var quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// QuarterBounds returns the first and last day of a quarter such as "2026-Q4".
func QuarterBounds(q string) (first, last time.Time, err error) {
	m := quarterRE.FindStringSubmatch(q)
	if m == nil {
		return first, last, errs.Field("survey_quarter", "survey.bad_quarter", q)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	first = time.Date(y, time.Month(3*n-2), 1, 0, 0, 0, 0, Zone)
	last = first.AddDate(0, 3, -1)
	return first, last, nil
}

// DefaultSnapshot is the 28th of the quarter's last month (seed 001 §五.3).
func DefaultSnapshot(q string) string {
	_, last, err := QuarterBounds(q)
	if err != nil {
		return ""
	}
	return time.Date(last.Year(), last.Month(), 28, 0, 0, 0, 0, Zone).Format(time.DateOnly)
}

// QuarterOf is the quarter of a time, e.g. "2026-Q4".
func QuarterOf(t time.Time) string {
	t = t.In(Zone)
	return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())+2)/3)
}

// withoutText returns answers (a JSON object of question key → values) without the answers
// to free-text questions: what may outlive the retention period, and go to the audit log.
func (d Definition) withoutText(answers string) (string, error) {
	var v map[string][]string
	if err := json.Unmarshal([]byte(answers), &v); err != nil {
		return "", err
	}
	b, err := json.Marshal(d.ratingsOnly(v))
	return string(b), err
}

// ratingsOnly returns a copy of values without the free-text questions' answers.
func (d Definition) ratingsOnly(values map[string][]string) map[string][]string {
	out := make(map[string][]string, len(values))
	for k, v := range values {
		out[k] = v
	}
	for _, q := range d.Questions {
		if q.Kind == Text {
			delete(out, q.Key)
		}
	}
	return out
}
