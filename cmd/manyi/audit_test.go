package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres && storetest.PostgresURL() == "" {
				t.Skip("MANYI_TEST_POSTGRES is not set")
			}
			ctx := context.Background()
			url := storetest.URL(t, d)
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					return audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "unit", EntityID: i})
				}); err != nil {
					t.Fatal(err)
				}
			}

			var out bytes.Buffer
			if err := run(ctx, []string{"audit", "verify", "--db", url}, &out, io.Discard); err != nil {
				t.Fatalf("audit verify: %v\n%s", err, out.String())
			}
			if !regexp.MustCompile(`(?m)^sealed entries checked: 0$`).MatchString(out.String()) ||
				!regexp.MustCompile(`(?m)^waiting to be sealed: 3 `).MatchString(out.String()) {
				t.Fatalf("before sealing:\n%s", out.String())
			}

			out.Reset()
			if err := run(ctx, []string{"audit", "verify", "--db", url, "--seal"}, &out, io.Discard); err != nil {
				t.Fatalf("audit verify --seal: %v\n%s", err, out.String())
			}
			for _, want := range []string{`(?m)^sealed 3 waiting entries$`, `(?m)^sealed entries checked: 3$`, `(?m)^waiting to be sealed: 0$`, `(?m)^intact$`} {
				if !regexp.MustCompile(want).MatchString(out.String()) {
					t.Fatalf("after sealing, no line %s in:\n%s", want, out.String())
				}
			}

			disable := "DROP TRIGGER audit_log_no_update"
			if d == store.Postgres {
				disable = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, disable); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "UPDATE audit_log SET after_json = '{\"forged\":1}' WHERE seal_seq = 2")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			err = run(ctx, []string{"audit", "verify", "--db", url}, &out, io.Discard)
			if !errors.Is(err, errChainBroken) || !regexp.MustCompile(`(?m)^BROKEN: .* entry id 2:`).MatchString(out.String()) {
				t.Fatalf("after tampering: %v\n%s", err, out.String())
			}
		})
	}
}
