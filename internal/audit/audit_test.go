package audit_test

import (
	"context"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

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
		if string(entries[0].After) != `{"name":"永馨园"}` || string(entries[0].Before) != "null" {
			t.Fatalf("before/after = %s / %s", entries[0].Before, entries[0].After)
		}
		res, err := audit.Verify(ctx, db)
		if err != nil || res.Checked != 3 || res.BrokenAt != 0 {
			t.Fatalf("Verify = %+v, %v", res, err)
		}
	})
}

func TestVerifyFindsTampering(t *testing.T) {
	// SQLite's triggers can be dropped by someone with file access; Verify must still notice.
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "unit", EntityID: i})
		})
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DROP TRIGGER audit_log_no_update"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := audit.Verify(ctx, db)
	if err != nil || res.BrokenAt != 2 {
		t.Fatalf("Verify = %+v, %v; want broken at 2", res, err)
	}
}
