package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func record(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "unit", EntityID: i, After: map[string]int{"n": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustSealAll(t testing.TB, db *store.DB) int {
	t.Helper()
	n, _, err := audit.SealAll(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustVerify(t testing.TB, db *store.DB) audit.VerifyResult {
	t.Helper()
	res, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRecordListVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := access.Principal{UserID: 0, Username: "admin"}
		for i, name := range []string{"牡丹处", "月季处", "永馨园"} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "unit", EntityID: i + 1, UnitID: int64(i + 1), After: map[string]string{"name": name}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A change that rolls back leaves no entry.
		db.InTx(ctx, func(tx *store.Tx) error {
			audit.Record(ctx, tx, actor, audit.Change{Action: "delete", Entity: "unit", EntityID: 9})
			return context.Canceled
		})
		var entries []audit.Entry
		var total int
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			entries, total, err = audit.List(ctx, tx, audit.Filter{Entity: "unit", UnitIDs: []int64{2, 3}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(entries) != 2 || entries[0].EntityID != "3" {
			t.Fatalf("List = %d entries (total %d), first %+v", len(entries), total, entries)
		}
		if string(entries[0].After) != `{"name":"永馨园"}` || string(entries[0].Before) != "null" || entries[0].Hash != "" {
			t.Fatalf("before/after/hash = %s / %s / %q", entries[0].Before, entries[0].After, entries[0].Hash)
		}
		// Appended, committed, not yet sealed: the check says so and finds nothing broken.
		if res := mustVerify(t, db); res.Checked != 0 || res.Unsealed != 3 || res.BrokenAt != 0 || res.OldestUnsealed.IsZero() {
			t.Fatalf("Verify before sealing = %+v", res)
		}
		if n := mustSealAll(t, db); n != 3 {
			t.Fatalf("sealed %d, want 3", n)
		}
		res := mustVerify(t, db)
		if res.Checked != 3 || res.BrokenAt != 0 || res.Unsealed != 0 || res.Head.Seq != 3 || len(res.Head.Hash) != 64 {
			t.Fatalf("Verify = %+v", res)
		}
		if n := mustSealAll(t, db); n != 0 {
			t.Fatalf("a second seal sealed %d more", n)
		}
	})
}

func TestConcurrentAppendsThenSeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				for i := 0; i < each; i++ {
					if err := db.InTx(ctx, func(tx *store.Tx) error {
						return audit.Record(ctx, tx, access.System, audit.Change{Action: "update", Entity: "score", EntityID: fmt.Sprint(w, "-", i)})
					}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := mustSealAll(t, db); n != writers*each {
			t.Fatalf("sealed %d, want %d", n, writers*each)
		}
		if res := mustVerify(t, db); res.Checked != writers*each || res.BrokenAt != 0 || res.Unsealed != 0 {
			t.Fatalf("Verify = %+v", res)
		}
	})
}

// dropGuard removes the append-only trigger, as someone with direct database access could.
func dropGuard(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		q := "DROP TRIGGER audit_log_no_update"
		if tx.Dialect() == store.Postgres {
			q = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"
		}
		_, err := tx.Exec(ctx, q)
		if err == nil && tx.Dialect() == store.SQLite {
			_, err = tx.Exec(ctx, "DROP TRIGGER audit_log_no_delete")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string
		want   int64 // id of the first bad entry
	}{
		{"content edited", "UPDATE audit_log SET actor = 'mallory' WHERE id = 2", 2},
		{"entry removed", "DELETE FROM audit_log WHERE id = 2", 3},
		{"entry rehashed without its predecessor", "UPDATE audit_log SET prev_hash = 'x' WHERE id = 3", 3},
		{"two entries swapped in the chain", "UPDATE audit_log SET seal_seq = 100 WHERE id = 2; UPDATE audit_log SET seal_seq = 2 WHERE id = 3; UPDATE audit_log SET seal_seq = 3 WHERE id = 2", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				record(t, db, 4)
				mustSealAll(t, db)
				dropGuard(t, db)
				for _, q := range strings.Split(c.tamper, "; ") {
					if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
						t.Fatal(err)
					}
				}
				if res := mustVerify(t, db); res.BrokenAt != c.want {
					t.Fatalf("Verify = %+v; want broken at %d", res, c.want)
				}
			})
		})
	}
}

// The triggers allow one change only: sealing an unsealed entry, leaving its content alone.
func TestTriggersRefuseAllButTheSeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		record(t, db, 2)
		if _, _, err := audit.Seal(ctx, db, 1); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"UPDATE audit_log SET actor = 'b' WHERE id = 1",                                           // sealed content
			"UPDATE audit_log SET hash = 'h' WHERE id = 1",                                            // resealing
			"UPDATE audit_log SET seal_seq = NULL, prev_hash = NULL, hash = NULL WHERE id = 1",        // unsealing
			"UPDATE audit_log SET actor = 'b' WHERE id = 2",                                           // unsealed content
			"UPDATE audit_log SET actor = 'b', seal_seq = 2, prev_hash = '', hash = 'h' WHERE id = 2", // content while sealing
			"DELETE FROM audit_log WHERE id = 2",
		} {
			err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err })
			if err == nil {
				t.Errorf("%s succeeded on the append-only audit log", q)
			}
		}
		if res := mustVerify(t, db); res.Checked != 1 || res.BrokenAt != 0 || res.Unsealed != 1 {
			t.Fatalf("Verify = %+v", res)
		}
	})
}

// A crash after commit and before sealing loses nothing: the next sealer finds the backlog.
func TestRestartSealsTheBacklog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "manyi.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	record(t, db, 5)
	mustSealAll(t, db)
	record(t, db, 7)
	db.Close() // the process dies with seven entries committed and unsealed

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if waiting, err := audit.Waiting(ctx, db); err != nil || !waiting {
		t.Fatalf("Waiting after restart = %v, %v", waiting, err)
	}
	if n := mustSealAll(t, db); n != 7 {
		t.Fatalf("sealed %d after restart, want 7", n)
	}
	if res := mustVerify(t, db); res.Checked != 12 || res.BrokenAt != 0 || res.Unsealed != 0 {
		t.Fatalf("Verify = %+v", res)
	}
}

// An entry whose transaction took a lower id but commits after a higher one is sealed in a
// later batch, after it, and the chain verifies. Only PostgreSQL runs writers side by side.
func TestOutOfOrderCommitIsSealed(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("needs MANYI_TEST_POSTGRES: SQLite has one writer, so ids commit in order")
	}
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	slow, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	if err := audit.Record(ctx, slow, access.System, audit.Change{Action: "create", Entity: "unit", EntityID: "slow"}); err != nil {
		t.Fatal(err)
	}
	record(t, db, 2) // higher ids, committed first
	if n := mustSealAll(t, db); n != 2 {
		t.Fatalf("sealed %d while the slow transaction is open, want 2", n)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	if res := mustVerify(t, db); res.Unsealed != 1 || res.BrokenAt != 0 {
		t.Fatalf("Verify after the late commit = %+v", res)
	}
	if n := mustSealAll(t, db); n != 1 {
		t.Fatalf("sealed %d after the late commit, want 1", n)
	}
	res := mustVerify(t, db)
	if res.Checked != 3 || res.BrokenAt != 0 || res.Unsealed != 0 {
		t.Fatalf("Verify = %+v", res)
	}
	var seq int64
	db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT seal_seq FROM audit_log WHERE entity_id = 'slow'").Scan(&seq)
	})
	if seq != 3 {
		t.Fatalf("the late entry is at seal_seq %d, want 3 (after the two that committed first)", seq)
	}
}

// Sealers on several instances at once queue on the lock: no entry is sealed twice and the
// chain does not fork, while writers keep appending.
func TestTwoSealersDoNotFork(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("needs MANYI_TEST_POSTGRES: on SQLite the writer lock alone serialises sealers")
	}
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	const writers, each = 4, 25
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers+2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					return audit.Record(ctx, tx, access.System, audit.Change{Action: "update", Entity: "score", EntityID: fmt.Sprint(w, "-", i)})
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var sealers sync.WaitGroup
	for s := 0; s < 2; s++ {
		sealers.Add(1)
		go func() {
			defer sealers.Done()
			for {
				// Small batches, so the two sealers interleave many times.
				if _, _, err := audit.Seal(ctx, db, 3); err != nil {
					errs <- err
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	sealers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustSealAll(t, db)
	res := mustVerify(t, db)
	if res.Checked != writers*each || res.BrokenAt != 0 || res.Unsealed != 0 || res.Head.Seq != writers*each {
		t.Fatalf("Verify = %+v", res)
	}
}
