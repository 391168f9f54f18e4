package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	qr "github.com/piglig/go-qr"

	"manyi/internal/locale"
	"manyi/internal/survey"
)

// questionView is one question as a form shows it, with what was entered, so that a refused
// form comes back filled in. Templates get it ready-made: the page templates have no
// functions for looking into answer maps.
type questionView struct {
	Key, Field, Kind, Text string
	Required, Invalid      bool
	Options                []optionView
	Value                  string // text questions
	Max                    int
	Multiple               bool
}

type optionView struct {
	Value, Label string
	Checked      bool
}

func questionViews(d survey.Definition, values map[string][]string, errField string) []questionView {
	var out []questionView
	for _, q := range d.Questions {
		v := questionView{Key: q.Key, Field: survey.QuestionField(q.Key), Kind: q.Kind, Text: q.Text, Required: q.Required, Max: q.Max,
			Multiple: q.Kind == survey.Multiple, Invalid: errField == survey.QuestionField(q.Key)}
		labels := q.Options
		if q.Kind == survey.Rating {
			labels = nil
			for _, l := range q.Levels {
				labels = append(labels, l.Label)
			}
		}
		for i, l := range labels {
			val := strconv.Itoa(i + 1)
			v.Options = append(v.Options, optionView{Value: val, Label: l, Checked: slices.Contains(values[q.Key], val)})
		}
		if q.Kind == survey.Text && len(values[q.Key]) > 0 {
			v.Value = values[q.Key][0]
		}
		out = append(out, v)
	}
	return out
}

// answerFromForm reads a questionnaire form.
func answerFromForm(r *http.Request, d survey.Definition) survey.AnswerInput {
	in := survey.AnswerInput{Values: map[string][]string{},
		Opinion: r.PostFormValue("survey_opinion"), Location: r.PostFormValue("problem_location"), ProblemType: r.PostFormValue("problem_type"),
		Respondent: r.PostFormValue("survey_respondent"), Phone: r.PostFormValue("phone")}
	for _, q := range d.Questions {
		if vs := r.PostForm[survey.QuestionField(q.Key)]; len(vs) > 0 {
			in.Values[q.Key] = vs
		}
	}
	return in
}

//go:embed templates/survey_questions.tmpl
var questionsTmplText string

// questionsTmpl draws a questionnaire's questions; the public page, paper entry and
// correction share it, and page templates cannot share a block outside partials.html.
var questionsTmpl = template.Must(template.New("questions").Funcs(template.FuncMap{
	"T": func(lang locale.Lang, key string, args ...any) string { return locale.T(lang, key, args...) },
}).Parse(questionsTmplText))

// HTML draws the form's questions in lang.
func (f surveyForm) HTML(lang locale.Lang) (template.HTML, error) {
	var b bytes.Buffer
	err := questionsTmpl.Execute(&b, map[string]any{"Lang": lang, "F": f})
	return template.HTML(b.String()), err
}

// surveyForm is the data of a questionnaire form: the questions, the classification lists
// and the values entered.
type surveyForm struct {
	Questions []questionView
	Def       survey.Definition
	In        survey.AnswerInput
	ErrField  string
}

func newSurveyForm(d survey.Definition, in survey.AnswerInput, errField string) surveyForm {
	return surveyForm{Questions: questionViews(d, in.Values, errField), Def: d, In: in, ErrField: errField}
}

// qrSVG draws text as a QR code in SVG: crisp in print at any size, and allowed by the
// content security policy (no inline style, no script). Medium error correction survives a
// crease or a smudge on paper.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	n, border := code.Size(), 2
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, n+2*border, n+2*border)
	for y := range n {
		for x := range n {
			if code.Module(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+border, y+border)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

// publicBase is the address residents reach the server at, for QR codes and links: the
// request's own host, over https when the request came that way.
func (s *Server) publicBase(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// templateJSON is a template's definition as indented JSON, the text a clerk edits to make
// a new version.
func templateJSON(d survey.Definition) string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}
