package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"manyi/internal/errs"
	"manyi/internal/plaintext"
)

// maxAnswerBytes bounds a resident's survey answer: a few ratings and an opinion.
const maxAnswerBytes = 64 << 10

// parseForm reads the request's form once, with the limit of its kind; the body is then kept
// in r.PostForm or r.MultipartForm for the handler, whose own ParseForm does nothing more.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(nil, r.Body, uploadLimit(r.URL.Path))
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return tooLargeOr(err, errs.New(errs.Malformed, "err.bad_form"))
		}
		return nil
	}
	limit := int64(maxFormBytes)
	if strings.HasPrefix(r.URL.Path, "/s/") {
		limit = maxAnswerBytes
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return tooLargeOr(err, errs.New(errs.Malformed, "err.bad_form"))
	}
	return nil
}

// checkText refuses a request any of whose text inputs (query string, form values, file
// names) is not plain text, naming the field, before any handler turns it into a record:
// one rule for every form and both databases. Uploaded file contents are checked by their
// readers, cell by cell. A form that cannot be parsed is left to its handler, which has
// its own message for that (an attachment too large, say).
func (s *Server) checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := plaintext.Values(r.URL.Query())
		if err == nil && isUnsafe(r.Method) && !strings.HasPrefix(r.URL.Path, "/api/") && parseForm(r) == nil {
			err = checkForm(r)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func checkForm(r *http.Request) error {
	if err := plaintext.Values(r.PostForm); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		return nil
	}
	for field, files := range r.MultipartForm.File {
		for _, f := range files {
			if err := plaintext.Field(field, f.Filename); err != nil {
				return err
			}
		}
	}
	return nil
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.NotFound, "err.invalid_id", v)
	}
	return id, nil
}

// formInt reads an optional whole number; "" gives nil.
func formInt(r *http.Request, name string) (*int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errs.Field(name, "err.not_integer")
	}
	return &n, nil
}

// formID reads an optional id; "" gives 0.
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "err.invalid_choice", v)
	}
	return n, nil
}

// formPercentBP reads a percentage such as "30" or "12.5" as basis points.
func formPercentBP(r *http.Request, name string) (*int, error) {
	v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.PostFormValue(name)), "%"))
	if v == "" {
		return nil, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 {
		return nil, errs.Field(name, "err.not_number")
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || strings.HasPrefix(frac, "-") {
		if err1 == nil && w < 0 {
			return nil, errs.Field(name, "err.out_of_range", "0 %", "100 %")
		}
		return nil, errs.Field(name, "err.not_number")
	}
	bp := w*100 + f
	return &bp, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtSscan(s string, id *int64) (int, error) { return fmt.Sscan(s, id) }
