package audit

import (
	"context"

	"manyi/internal/access"
	"manyi/internal/store"
)

// ViewedPersonal is the action of an entry recording that someone saw personal data
// (a phone number, a complainant's contact) unmasked.
const ViewedPersonal = "view_personal"

// RecordView logs that actor was shown the named fields of a record unmasked. Personal data is
// access-logged (DESIGN): the entry goes into the audit log, so who saw whose number is as
// tamper-evident as who changed what. Pages call it when they render the unmasked value.
func RecordView(ctx context.Context, db *store.DB, actor access.Principal, entity string, id any, unitID int64, fields ...string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		return Record(ctx, tx, actor, Change{Action: ViewedPersonal, Entity: entity, EntityID: id, UnitID: unitID, After: map[string]any{"fields": fields}})
	})
}
