// Package errs defines manyi's one error type: a code that decides the HTTP status, the field
// it concerns, and a translatable message that is safe to show to the user.
//
// Area packages return *Error for everything a user can cause (bad input, missing records,
// conflicts, missing rights); anything else is an internal error, logged and shown generically.
package errs

import (
	"errors"
	"fmt"

	"manyi/internal/locale"
)

// Code classifies an error. The HTTP status of each code is decided in one place (web/api).
type Code string

const (
	Invalid      Code = "invalid"      // the input is wrong; the message names the field
	Malformed    Code = "malformed"    // the request cannot be read at all (broken JSON, wrong type)
	NotFound     Code = "not_found"    // no such record (or none the caller may know of)
	Conflict     Code = "conflict"     // the input clashes with stored state: duplicates, cycles
	Forbidden    Code = "forbidden"    // the caller is known but lacks the right
	Unauthorized Code = "unauthorized" // the caller is not logged in or the credentials are wrong
	TooMany      Code = "too_many"     // throttled
	Unavailable  Code = "unavailable"  // the system cannot store now (disk full): try again later
	Internal     Code = "internal"     // a fault of ours
)

// Error is an error a user can read. Field is the machine name of the input it concerns
// (empty when none); Key and Args make the message through the locale catalogue. When Field is
// set, its translated label (locale key "field.<Field>") is the message's first argument.
type Error struct {
	Code  Code
	Field string
	Key   string
	Args  []any
	Err   error // the underlying cause, for logs; never shown
}

func (e *Error) Error() string {
	msg := e.Message(locale.EN)
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Message renders the error in lang.
func (e *Error) Message(lang locale.Lang) string {
	args := e.Args
	if e.Field != "" {
		args = append([]any{FieldLabel(lang, e.Field)}, args...)
	}
	return locale.T(lang, e.Key, args...)
}

// FieldLabel is the user's name for a field, falling back to its machine name.
func FieldLabel(lang locale.Lang, field string) string {
	if locale.Has("field." + field) {
		return locale.T(lang, "field."+field)
	}
	return field
}

// New returns an error of the given code with a message key and no field.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Field returns an invalid-input error about field.
func Field(field, key string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Key: key, Args: args}
}

// Param is a malformed query parameter of a page (?month=2026-13): a 400 whose message names
// the parameter like a field error names its field.
func Param(field, key string, args ...any) *Error {
	return &Error{Code: Malformed, Field: field, Key: key, Args: args}
}

// Required is the common "field is required" error.
func Required(field string) *Error { return Field(field, "err.required") }

// Wrapf returns an internal error wrapping err with context, for logs.
func Wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err // already user-facing; keep its code
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// CodeOf returns the code of err: its *Error's code, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err's *Error, or an internal one whose message hides the cause.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "err.internal", Err: err}
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
