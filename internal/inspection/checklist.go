package inspection

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// ChecklistInput creates a checklist, or a new version of one with the same code.
type ChecklistInput struct {
	Code     string
	Name     string
	UnitKind string // the kind of unit it is for (org kinds); "" for any
	Items    string // as ParseItems reads them
}

// clerkRoles may keep checklists and file inspections for the organisation.
var clerkRoles = []access.Role{access.Admin, access.Clerk}

// SaveChecklist stores a checklist as the next version of its code and makes it the active
// one. Earlier versions stay, so inspections filed against them still show what was checked.
func SaveChecklist(ctx context.Context, db *store.DB, actor access.Principal, in ChecklistInput) (Checklist, error) {
	var c Checklist
	if !MayKeepChecklists(actor) {
		return c, errs.New(errs.Forbidden, "inspection.clerk_only")
	}
	in.Code, in.Name, in.UnitKind = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.UnitKind)
	switch {
	case in.Code == "":
		return c, errs.Required("checklist_code")
	case len(in.Code) > 30 || strings.ContainsAny(in.Code, " \t/?#"):
		return c, errs.Field("checklist_code", "inspection.bad_code", in.Code)
	case in.Name == "":
		return c, errs.Required("checklist_name")
	case utf8.RuneCountInString(in.Name) > 100:
		return c, errs.Field("checklist_name", "err.too_long", 100)
	}
	items, err := ParseItems(in.Items)
	if err != nil {
		return c, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var latest int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM inspection_checklists WHERE code = ?", in.Code).Scan(&latest); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE inspection_checklists SET active = ? WHERE code = ?", false, in.Code); err != nil {
			return err
		}
		c = Checklist{Code: in.Code, Version: latest + 1, Name: in.Name, UnitKind: in.UnitKind, Active: true, CreatedBy: actor.DisplayName(), CreatedAt: tx.Now}
		c.ID, err = tx.InsertID(ctx, "INSERT INTO inspection_checklists (code, version, name, unit_kind, active, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			c.Code, c.Version, c.Name, c.UnitKind, true, c.CreatedBy, c.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert checklist: %w", err)
		}
		for i, it := range items {
			it.ID, err = tx.InsertID(ctx, "INSERT INTO inspection_items (checklist_id, position, code, text, deduction_cp, min_cp, max_cp, charges_person) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				c.ID, i+1, it.Code, it.Text, int64(it.Deduction), int64(it.Min), int64(it.Max), it.ChargesPerson)
			if err != nil {
				return err
			}
			c.Items = append(c.Items, it)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "inspection_checklist", EntityID: c.ID, After: c})
	})
	return c, err
}

// ListChecklists returns the active checklists, or every version when all is set, each with
// its items: two queries whatever the number of checklists.
func ListChecklists(ctx context.Context, db *store.DB, all bool) ([]Checklist, error) {
	var out []Checklist
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args := "", []any{}
		if !all {
			where, args = " WHERE active = ?", append(args, true)
		}
		rows, err := tx.Query(ctx, "SELECT "+checklistColumns+" FROM inspection_checklists"+where+" ORDER BY code, version DESC", args...)
		if err != nil {
			return err
		}
		byID := map[int64]int{}
		for rows.Next() {
			c, err := scanChecklist(rows)
			if err != nil {
				rows.Close()
				return err
			}
			byID[c.ID] = len(out)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		items, err := tx.Query(ctx, "SELECT checklist_id, "+itemColumns+" FROM inspection_items WHERE checklist_id IN (SELECT id FROM inspection_checklists"+where+") ORDER BY checklist_id, position", args...)
		if err != nil {
			return err
		}
		defer items.Close()
		for items.Next() {
			var checklistID int64
			it, err := scanItem(items, &checklistID)
			if err != nil {
				return err
			}
			if i, ok := byID[checklistID]; ok {
				out[i].Items = append(out[i].Items, it)
			}
		}
		return items.Err()
	})
	return out, err
}

// GetChecklist returns one checklist version with its items.
func GetChecklist(ctx context.Context, db *store.DB, id int64) (Checklist, error) {
	var c Checklist
	err := db.Read(ctx, func(tx *store.Tx) (err error) { c, err = getChecklist(ctx, tx, id); return err })
	return c, err
}

const (
	checklistColumns = "id, code, version, name, unit_kind, active, created_by, created_at"
	itemColumns      = "id, code, text, deduction_cp, min_cp, max_cp, charges_person"
)

func scanChecklist(row interface{ Scan(...any) error }) (Checklist, error) {
	var c Checklist
	err := row.Scan(&c.ID, &c.Code, &c.Version, &c.Name, &c.UnitKind, &c.Active, &c.CreatedBy, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// scanItem reads an item; leading are destinations of columns selected before itemColumns.
func scanItem(row interface{ Scan(...any) error }, leading ...any) (Item, error) {
	var it Item
	err := row.Scan(append(leading, &it.ID, &it.Code, &it.Text, &it.Deduction, &it.Min, &it.Max, &it.ChargesPerson)...)
	return it, err
}

func getChecklist(ctx context.Context, tx *store.Tx, id int64) (Checklist, error) {
	c, err := scanChecklist(tx.QueryRow(ctx, "SELECT "+checklistColumns+" FROM inspection_checklists WHERE id = ?", id))
	if store.IsNoRows(err) {
		return c, errs.Field("checklist_id", "inspection.checklist_unknown", id)
	}
	if err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, "SELECT "+itemColumns+" FROM inspection_items WHERE checklist_id = ? ORDER BY position", id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return c, err
		}
		c.Items = append(c.Items, it)
	}
	return c, rows.Err()
}

// SuggestChecklist returns the checklist a new inspection of the unit most likely uses: the
// active version of the one its last inspection used, else an active one for the unit's kind,
// else 0.
func SuggestChecklist(ctx context.Context, db *store.DB, unitID int64, kind Kind) (int64, error) {
	var id int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `SELECT a.id FROM inspections i JOIN inspection_checklists c ON c.id = i.checklist_id
			JOIN inspection_checklists a ON a.code = c.code AND a.active = ?
			WHERE i.unit_id = ? AND i.kind = ? ORDER BY i.inspected_at DESC, i.id DESC LIMIT 1`, true, unitID, kind).Scan(&id)
		if err == nil || !store.IsNoRows(err) {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT c.id FROM inspection_checklists c JOIN units u ON u.kind = c.unit_kind
			WHERE u.id = ? AND c.active = ? ORDER BY c.code LIMIT 1`, unitID, true).Scan(&id)
		if store.IsNoRows(err) {
			return nil
		}
		return err
	})
	return id, err
}
