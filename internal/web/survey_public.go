package web

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"sync"
	"time"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/survey"
)

// rateLimiter counts a client's requests in fixed windows. It guards the public survey
// pages against code guessing and floods; it is per instance, while the hourly cap on stored
// answers (survey.PublicLimit) holds across instances because it counts in the database.
type rateLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string]*hitWindow
}

type hitWindow struct {
	start time.Time
	n     int
}

func newRateLimiter(max int, window time.Duration) *rateLimiter {
	return &rateLimiter{max: max, window: window, hits: map[string]*hitWindow{}}
}

// allow reports whether key may make one more request now.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 50000 {
		for k, h := range l.hits {
			if now.Sub(h.start) > l.window {
				delete(l.hits, k)
			}
		}
	}
	h := l.hits[key]
	if h == nil || now.Sub(h.start) > l.window {
		h = &hitWindow{start: now}
		l.hits[key] = h
	}
	h.n++
	return h.n <= l.max
}

// limited wraps a public handler with a per-client request limit (Limits: the survey pages
// allow a family answering on its phones, 120 a minute by default, not a script trying
// codes); past it the handler is refused with the message of key.
func (s *Server) limited(l *rateLimiter, key string, h handler) http.HandlerFunc {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		if !l.allow(s.clientKey(r), time.Now()) {
			w.Header().Set("Retry-After", "60")
			return errs.New(errs.TooMany, key)
		}
		return h(w, r)
	})
}

type surveyPublicData struct {
	Code      string
	Q         survey.Questionnaire
	Form      template.HTML
	Idem      string
	Error     string
	ErrField  string
	Retention int
}

func newIdemKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// surveyCodeForm asks for the code printed on a paper questionnaire.
func (s *Server) surveyCodeForm(w http.ResponseWriter, r *http.Request) error {
	if code := r.URL.Query().Get("code"); code != "" {
		if norm := survey.NormalizeCode(code); norm != "" {
			http.Redirect(w, r, "/s/"+norm, http.StatusSeeOther)
			return nil
		}
		s.render(w, r, "survey_public_code", http.StatusNotFound, surveyPublicData{Code: code, Error: errs.Field("survey_code", "survey.code_unknown", code).Message(locale.FromContext(r.Context()))})
		return nil
	}
	s.render(w, r, "survey_public_code", http.StatusOK, surveyPublicData{})
	return nil
}

// surveyPublicForm shows the questionnaire of a code: no login, no script, nothing chosen.
func (s *Server) surveyPublicForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPublicSurvey(w, r, http.StatusOK, survey.AnswerInput{}, "", "")
}

func (s *Server) renderPublicSurvey(w http.ResponseWriter, r *http.Request, status int, in survey.AnswerInput, msg, field string) error {
	code := r.PathValue("code")
	q, err := survey.OpenQuestionnaire(r.Context(), s.db, code)
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid {
			s.render(w, r, "survey_public_code", http.StatusNotFound, surveyPublicData{Code: code, Error: e.Message(locale.FromContext(r.Context()))})
			return nil
		}
		return err
	}
	d := surveyPublicData{Code: q.Code, Q: q, Idem: r.PostFormValue("idem"), Error: msg, ErrField: field, Retention: q.Campaign.RetentionDays}
	if d.Idem == "" {
		d.Idem = newIdemKey()
	}
	if q.Open && !q.Answered {
		if d.Form, err = s.questionsHTML(q.Template, in, field, locale.FromContext(r.Context())); err != nil {
			return err
		}
	}
	s.render(w, r, "survey_public", status, d)
	return nil
}

// blankFormKey names the questions of an unfilled form: a template version in a language.
type blankFormKey struct {
	template int64
	lang     locale.Lang
}

// questionsHTML draws the form's questions. An unfilled form is the same for every resident
// of a campaign, so it is drawn once per template and language and kept (drawing it was a
// sixth of the form page's time). A template version never changes (editing makes a new
// version), so a kept form is never stale.
func (s *Server) questionsHTML(t survey.Template, in survey.AnswerInput, field string, lang locale.Lang) (template.HTML, error) {
	blank := field == "" && len(in.Values) == 0 && in.Opinion == "" && in.Location == "" && in.ProblemType == "" && in.Respondent == "" && in.Phone == ""
	key := blankFormKey{t.ID, lang}
	if blank {
		if h, ok := s.blankForms.Load(key); ok {
			return h.(template.HTML), nil
		}
	}
	h, err := newSurveyForm(t.Def, in, field).HTML(lang)
	if err == nil && blank {
		s.blankForms.Store(key, h)
	}
	return h, err
}

// surveyPublicSubmit stores the answer and sends the resident to the thank-you page; a
// retried submission (same idempotency key) lands there too without a second answer.
func (s *Server) surveyPublicSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxAnswerBytes)
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, errs.New(errs.Malformed, "err.bad_form"))
	}
	code := r.PathValue("code")
	q, err := survey.OpenQuestionnaire(r.Context(), s.db, code)
	if err != nil {
		return s.renderPublicSurvey(w, r, http.StatusNotFound, survey.AnswerInput{}, "", "")
	}
	in := answerFromForm(r, q.Template.Def)
	rc, err := q.Submit(r.Context(), s.db, in, r.PostFormValue("idem"), s.clientKey(r), s.cfg.Limits.AnswersPerHour)
	if err == nil {
		http.Redirect(w, r, "/s/"+rc.Code+"/thanks", http.StatusSeeOther)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderPublicSurvey(w, r, status, in, msg, field)
	})
}

func (s *Server) surveyPublicThanks(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "survey_public_done", http.StatusOK, surveyPublicData{Code: r.PathValue("code")})
	return nil
}
