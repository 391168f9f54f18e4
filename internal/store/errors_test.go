package store

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"manyi/internal/errs"
)

// TestUnavailable: a lost database or a full disk reaches the user as "try again later"
// (503), never as an internal error; other errors, and errors already meant for the user,
// pass unchanged.
func TestUnavailable(t *testing.T) {
	field := errs.Field("name", "err.required")
	plain := errors.New("syntax error")
	for _, tc := range []struct {
		name string
		err  error
		key  string // "" when the error must pass unchanged
	}{
		{"administrator shutdown (PostgreSQL restart)", &pgconn.PgError{Code: "57P01"}, "err.database_unreachable"},
		{"cannot connect now (PostgreSQL starting)", fmt.Errorf("begin: %w", &pgconn.PgError{Code: "57P03"}), "err.database_unreachable"},
		{"connection exception", &pgconn.PgError{Code: "08006"}, "err.database_unreachable"},
		{"connection cut mid-reply", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), "err.database_unreachable"},
		{"disk full on PostgreSQL", &pgconn.PgError{Code: "53100"}, "err.storage_full"},
		{"unique violation", &pgconn.PgError{Code: "23505"}, ""},
		{"a plain error", plain, ""},
		{"an error for the user", field, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := unavailable(tc.err)
			var e *errs.Error
			if tc.key == "" {
				if got != tc.err {
					t.Fatalf("unavailable(%v) = %v, want it unchanged", tc.err, got)
				}
				return
			}
			if !errors.As(got, &e) || e.Code != errs.Unavailable || e.Key != tc.key {
				t.Fatalf("unavailable(%v) = %#v, want code %s key %s", tc.err, got, errs.Unavailable, tc.key)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("the cause is lost: %v", got)
			}
		})
	}
	if unavailable(nil) != nil {
		t.Error("unavailable(nil) is not nil")
	}
}
