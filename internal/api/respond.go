package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/plaintext"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// list is the envelope of every list response.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: len(items)}
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Field   string    `json:"field,omitempty"`
	Message string    `json:"message"`
}

// fieldError is an error whose JSON "field" differs from the field its message is labelled
// by: an unknown key (shown verbatim, not translated) or an API name for a domain field.
type fieldError struct {
	err   *errs.Error
	field string
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// asField renames the field of err in the response when the domain calls it from.
func asField(err error, from, to string) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Field == from {
		return &fieldError{err: e, field: to}
	}
	return err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	// Responses carry personal data and per-user scope: no shared cache may keep them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// WriteError writes e as the API's JSON error body with the status of its code, in lang.
// The web middleware uses it for refusals that happen before an API handler runs (a bad
// token, a missing CSRF token), so that every API error has the same shape.
func WriteError(w http.ResponseWriter, lang locale.Lang, e *errs.Error) {
	writeErrorBody(w, errs.HTTPStatus(e.Code), lang, e, e.Field)
}

func writeErrorBody(w http.ResponseWriter, status int, lang locale.Lang, e *errs.Error, field string) {
	writeJSON(w, status, errorBody{errorDetail{Code: e.Code, Field: field, Message: e.Message(lang)}})
}

// writeError renders a handler's error with the status of its code. Errors of ours are
// logged and shown only as a generic message.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	a.writeErrorStatus(w, r, 0, err)
}

// writeErrorStatus is writeError with the status given; 0 takes it from the code.
func (a *API) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	var e *errs.Error
	var field string
	var fe *fieldError
	if errors.As(err, &fe) {
		e, field = fe.err, fe.field
	} else {
		e = errs.As(err)
		field = e.Field
	}
	if e.Code == errs.Internal && !errors.Is(err, context.Canceled) {
		a.logger.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == 0 {
		status = errs.HTTPStatus(e.Code)
	}
	writeErrorBody(w, status, locale.FromContext(r.Context()), e, field)
}

// decode reads a JSON request body into v: application/json only, at most maxBody bytes,
// one value, no unknown fields. Its errors name the offending field where there is one.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errs.New(errs.Malformed, "err.unsupported_type")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return errs.New(errs.Malformed, "api.trailing_data")
	}
	return checkText(raw)
}

// checkText refuses a JSON body any of whose strings is not plain text, naming the field
// (the nearest object key). encoding/json would quietly turn invalid UTF-8 into U+FFFD and
// \u0000 into a NUL, so the raw bytes are walked token by token: a bad byte is blamed on
// the string token that spans it.
func checkText(raw []byte) error {
	bad := len(raw)
	if !utf8.Valid(raw) {
		for i := 0; i < len(raw); {
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				bad = i
				break
			}
			i += size
		}
	}
	type frame struct {
		object, wantKey bool
		key             string
	}
	stack := []frame{{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // the body decoded already; io.EOF ends the walk
		}
		top := &stack[len(stack)-1]
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, frame{object: t == '{', wantKey: t == '{', key: top.key})
				continue
			}
			stack = stack[:len(stack)-1]
			top = &stack[len(stack)-1]
		case string:
			if top.object && top.wantKey {
				if bad >= int(start) && bad < int(dec.InputOffset()) {
					return errs.New(errs.Invalid, string(plaintext.BadUTF8)+"_name")
				}
				if p := plaintext.Check(t); p != plaintext.OK {
					return errs.New(errs.Invalid, string(p)+"_name")
				}
				top.key, top.wantKey = t, false
				continue
			}
			if bad >= int(start) && bad < int(dec.InputOffset()) {
				return errs.Field(top.key, string(plaintext.BadUTF8))
			}
			if err := plaintext.Field(top.key, t); err != nil {
				return err
			}
		}
		if top.object {
			top.wantKey = true
		}
	}
}

func decodeError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return errs.New(errs.Malformed, "err.body_too_large")
	case errors.Is(err, io.EOF):
		return errs.New(errs.Malformed, "api.empty_body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Malformed, "api.json_truncated")
	case errors.As(err, &syntax):
		return &errs.Error{Code: errs.Malformed, Key: "api.json_syntax", Args: []any{syntax.Offset}, Err: err}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &errs.Error{Code: errs.Malformed, Key: "api.body_not_object", Err: err}
		}
		e := &errs.Error{Code: errs.Malformed, Field: typ.Field, Err: err}
		switch typ.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			e.Key = "err.not_integer"
		case reflect.Float32, reflect.Float64:
			e.Key = "err.not_number"
		default:
			e.Key, e.Args = "api.wrong_type", []any{jsonType(typ.Type)}
		}
		return e
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(rest)
		if uerr != nil {
			name = rest
		}
		return &fieldError{err: &errs.Error{Code: errs.Malformed, Key: "err.unknown_field", Args: []any{name}, Err: err}, field: name}
	}
	return &errs.Error{Code: errs.Malformed, Key: "api.json_invalid", Err: err}
}

// jsonType names the JSON type a Go type decodes from.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "number"
}

// pathID parses the {id} segment of the path.
func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.New(errs.Malformed, "err.invalid_id", s)
	}
	return id, nil
}

// queryInt parses an optional integer query parameter; def when absent.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, &errs.Error{Code: errs.Malformed, Field: name, Key: "err.not_integer"}
	}
	return n, nil
}

// queryBool parses an optional boolean query parameter: true/false, 1/0.
func queryBool(r *http.Request, name string) (bool, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, &errs.Error{Code: errs.Malformed, Field: name, Key: "api.not_boolean"}
	}
	return b, nil
}
