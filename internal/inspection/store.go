package inspection

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Input files an inspection, with the findings made on the spot.
type Input struct {
	Kind         Kind
	UnitID       int64
	ChecklistID  int64     // required unless the kind is scored (a self-check may stand alone)
	InspectorID  int64     // the person inspecting; 0: the actor's person
	InspectedAt  time.Time // zero: now
	ItemsChecked int       // how many of the checklist's items were checked; 0: all
	Score        *Points   // self-checks and spot checks only, 0–100
	// Month is the month a scored check (or the records a callback audit sampled) is for
	// (YYYY-MM); "" takes the month of InspectedAt.
	// Quarter, when given, is the quarter a self-check report is filed for: the month must
	// lie in it (§3).
	Month    string
	Quarter  string
	Note     string
	Findings []FindingInput
}

// FindingInput is one finding.
type FindingInput struct {
	ItemID       int64
	Description  string
	Deduction    *Points // nil: the item's default
	PersonID     int64   // the person charged; required when the item charges a person
	Double       bool    // §5: a leader found irresponsible, corrupt or retaliatory
	DoubleReason string
	RectifyDue   string // YYYY-MM-DD; "" when no rectification is asked
	Photos       []Upload
}

// Inspection is a filed inspection.
type Inspection struct {
	ID            int64     `json:"id"`
	Kind          Kind      `json:"kind"`
	UnitID        int64     `json:"unit_id"`
	UnitName      string    `json:"unit_name"`
	ChecklistID   int64     `json:"checklist_id,omitempty"`
	ChecklistName string    `json:"checklist_name,omitempty"`
	InspectorID   int64     `json:"inspector_id,omitempty"`
	Inspector     string    `json:"inspector"`
	InspectedAt   time.Time `json:"inspected_at"`
	Month         string    `json:"month"`
	Day           string    `json:"day"`
	ItemsChecked  int       `json:"items_checked"`
	Score         *Points   `json:"score,omitempty"`
	Note          string    `json:"note,omitempty"`
	Findings      int       `json:"inspection_findings"`
	Deducted      Points    `json:"deducted"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// Finding is one problem found, with its deduction, sign-off and rectification.
type Finding struct {
	ID           int64      `json:"id"`
	InspectionID int64      `json:"inspection_id"`
	Kind         Kind       `json:"kind"`
	ItemID       int64      `json:"item_id,omitempty"`
	ItemCode     string     `json:"item_code,omitempty"`
	ItemText     string     `json:"item_text,omitempty"`
	UnitID       int64      `json:"unit_id"`
	UnitName     string     `json:"unit_name"`
	PersonID     int64      `json:"person_id,omitempty"`
	PersonName   string     `json:"person_name,omitempty"`
	Month        string     `json:"month"`
	Day          string     `json:"day"`
	Description  string     `json:"description"`
	Deduction    Points     `json:"deduction"`
	Doubled      bool       `json:"doubled"`
	DoubleReason string     `json:"double_reason,omitempty"`
	Signoff      Signoff    `json:"signoff"`
	SignedBy     string     `json:"signed_by,omitempty"`
	SignedAt     *time.Time `json:"signed_at,omitempty"`
	SignoffNote  string     `json:"signoff_note,omitempty"`
	RectifyDue   string     `json:"rectify_due,omitempty"`
	RectifiedAt  *time.Time `json:"rectified_at,omitempty"`
	RectifyNote  string     `json:"rectify_note,omitempty"`
	Photos       []Photo    `json:"photos,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	// InspectedAt is the inspection's time, the web list's keyset (Day says it to readers).
	InspectedAt time.Time `json:"-"`
}

// Charged is the points the finding costs its person: doubled when the double deduction applies.
func (f Finding) Charged() Points {
	if f.Doubled {
		return 2 * f.Deduction
	}
	return f.Deduction
}

// Overdue reports whether the rectification is late on day (YYYY-MM-DD, local).
func (f Finding) Overdue(day string) bool {
	return f.RectifyDue != "" && f.RectifiedAt == nil && f.RectifyDue < day
}

// Detail is an inspection with its findings and what the actor may do to them.
type Detail struct {
	Inspection
	Findings  []Finding
	Checklist *Checklist
	CanAdd    bool
}

// fileRoles may file inspections over a unit: the clerk and the unit's own head (a self-check,
// a director's round); the administrator too.
var fileRoles = []access.Role{access.Admin, access.Clerk, access.UnitHead}

// signRoles sign off person-charged findings: the department head over the unit (§5).
var signRoles = []access.Role{access.Admin, access.UnitHead}

const (
	maxDescription = 2000
	maxNote        = 2000
	maxFindings    = 50
)

func text(field, s string, required bool, limit int) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return s, errs.Required(field)
	}
	if utf8.RuneCountInString(s) > limit {
		return s, errs.Field(field, "err.too_long", limit)
	}
	return s, nil
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// File records an inspection and its findings in one transaction; a refused finding refuses
// the whole inspection, so nothing half-filed remains.
func File(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Inspection, error) {
	var ins Inspection
	if !contains(Kinds, in.Kind) {
		return ins, errs.Field("inspection_kind", "err.invalid_choice", string(in.Kind))
	}
	if in.UnitID == 0 {
		return ins, errs.Required("unit_id")
	}
	var err error
	if in.Note, err = text("inspection_note", in.Note, false, maxNote); err != nil {
		return ins, err
	}
	switch {
	case in.Score != nil && !in.Kind.Scored():
		return ins, errs.Field("check_score", "inspection.score_only_checks")
	case in.Score == nil && in.Kind == SelfCheck:
		return ins, errs.Required("check_score") // a self-check is its score (§3)
	case in.Score != nil && (*in.Score < 0 || *in.Score > 10000):
		return ins, errs.Field("check_score", "err.out_of_range", "0", "100")
	case in.Score == nil && in.ChecklistID == 0:
		return ins, errs.Required("checklist_id")
	}
	if in.ItemsChecked < 0 {
		return ins, errs.Field("items_checked", "err.negative")
	}
	if len(in.Findings) > maxFindings {
		return ins, errs.Field("inspection_findings", "err.out_of_range", "0", "50")
	}
	photos, err := checkFindings(in.Findings)
	if err != nil {
		return ins, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ancestry, err := activeUnit(ctx, tx, in.UnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(ancestry, fileRoles...) {
			return errs.New(errs.Forbidden, "inspection.not_inspector")
		}
		now := tx.Now.Truncate(time.Second)
		at := in.InspectedAt.UTC().Truncate(time.Second)
		if in.InspectedAt.IsZero() {
			at = now
		}
		if at.After(now.Add(time.Minute)) {
			return errs.Field("inspected_at", "inspection.future")
		}
		local := at.In(Zone)
		ins = Inspection{Kind: in.Kind, UnitID: in.UnitID, ChecklistID: in.ChecklistID, InspectedAt: at, Month: local.Format("2006-01"),
			Day: local.Format("2006-01-02"), ItemsChecked: in.ItemsChecked, Score: in.Score, Note: in.Note, CreatedBy: actor.DisplayName(), CreatedAt: now}
		// A score is for a month (§3): the period it counts in, and so the one that must be open.
		periodAt := local
		// A callback audit may name the month of the records it sampled, so an audit made
		// early in October of September's records counts in the third quarter.
		if in.Score != nil || (in.Kind == CallbackAudit && strings.TrimSpace(in.Month) != "") {
			if in.Month = strings.TrimSpace(in.Month); in.Month == "" {
				in.Month = ins.Month
			}
			if err := CheckScoredMonth(in.Kind, in.Month, strings.TrimSpace(in.Quarter), at, now); err != nil {
				return err
			}
			ins.Month = in.Month
			periodAt, _ = time.ParseInLocation("2006-01", in.Month, Zone)
			if in.Kind == SpotCheck {
				if err := requireSelfCheck(ctx, tx, in.UnitID, in.Month); err != nil {
					return err
				}
			}
		}
		if err := assessment.RefuseClosed(ctx, tx, in.UnitID, periodAt); err != nil {
			return err
		}
		var cl *Checklist
		if in.ChecklistID != 0 {
			c, err := getChecklist(ctx, tx, in.ChecklistID)
			if err != nil {
				return err
			}
			cl, ins.ChecklistName = &c, c.Name
			if ins.ItemsChecked == 0 || ins.ItemsChecked > len(c.Items) {
				ins.ItemsChecked = len(c.Items)
			}
		} else if len(in.Findings) > 0 {
			return errs.Required("checklist_id")
		}
		ins.InspectorID = in.InspectorID
		if ins.InspectorID == 0 {
			ins.InspectorID = actor.PersonID
		}
		ins.Inspector = actor.DisplayName()
		if ins.InspectorID != 0 {
			p, err := activePerson(ctx, tx, "inspector_id", ins.InspectorID)
			if err != nil {
				return err
			}
			ins.Inspector = p.Name
		}
		var score any
		if in.Score != nil {
			score = int64(*in.Score)
		}
		ins.ID, err = tx.InsertID(ctx, `INSERT INTO inspections (kind, unit_id, checklist_id, inspector_id, inspector, inspected_at, month, day, items_checked, score_cp, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ins.Kind, ins.UnitID, nullID(ins.ChecklistID), nullID(ins.InspectorID), ins.Inspector, ins.InspectedAt, ins.Month, ins.Day, ins.ItemsChecked, score, ins.Note, ins.CreatedBy, now)
		if err != nil {
			return fmt.Errorf("insert inspection: %w", err)
		}
		if err := assessment.ShiftTotals(ctx, tx, nil, inspectionContribution(ins.Kind, ins.UnitID, ins.Day)); err != nil {
			return err
		}
		var fs []Finding
		for i, fi := range in.Findings {
			f, err := addFinding(ctx, tx, actor, ins, cl, fi, photos[i])
			if err != nil {
				return err
			}
			fs = append(fs, f)
			ins.Findings++
			ins.Deducted += f.Deduction
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "inspection", EntityID: ins.ID, UnitID: ins.UnitID, After: map[string]any{"inspection": ins, "inspection_findings": fs}})
	})
	return ins, err
}

// AddFinding adds a finding to a filed inspection: the inspector walks on and finds more.
func AddFinding(ctx context.Context, db *store.DB, actor access.Principal, inspectionID int64, fi FindingInput) (Finding, error) {
	var f Finding
	photos, err := checkFindings([]FindingInput{fi})
	if err != nil {
		return f, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ins, err := getInspection(ctx, tx, inspectionID)
		if err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, ins.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "inspection.not_found", inspectionID)
		}
		if !actor.HoldsOver(ancestry, fileRoles...) {
			return errs.New(errs.Forbidden, "inspection.not_inspector")
		}
		if err := assessment.RefuseClosed(ctx, tx, ins.UnitID, ins.InspectedAt.In(Zone)); err != nil {
			return err
		}
		if ins.ChecklistID == 0 {
			return errs.Field("checklist_item", "inspection.no_checklist")
		}
		cl, err := getChecklist(ctx, tx, ins.ChecklistID)
		if err != nil {
			return err
		}
		if f, err = addFinding(ctx, tx, actor, ins, &cl, fi, photos[0]); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "inspection_finding", EntityID: f.ID, UnitID: f.UnitID, After: f})
	})
	return f, err
}

// checkFindings validates what needs no database, photos included, before a transaction.
func checkFindings(fis []FindingInput) ([][]Photo, error) {
	out := make([][]Photo, len(fis))
	for i := range fis {
		fi := &fis[i]
		var err error
		if fi.ItemID == 0 {
			return nil, errs.Required("checklist_item")
		}
		if fi.Description, err = text("finding_description", fi.Description, true, maxDescription); err != nil {
			return nil, err
		}
		if fi.DoubleReason, err = text("double_reason", fi.DoubleReason, fi.Double, maxNote); err != nil {
			return nil, err
		}
		if fi.RectifyDue = strings.TrimSpace(fi.RectifyDue); fi.RectifyDue != "" {
			if _, err := time.ParseInLocation("2006-01-02", fi.RectifyDue, Zone); err != nil {
				return nil, errs.Field("rectify_due", "inspection.bad_date", fi.RectifyDue)
			}
		}
		if len(fi.Photos) > MaxPhotos {
			return nil, errs.Field("photos", "inspection.too_many_photos", MaxPhotos)
		}
		for j := range fi.Photos {
			p, err := checkPhoto(&fi.Photos[j])
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], p)
		}
	}
	return out, nil
}

func addFinding(ctx context.Context, tx *store.Tx, actor access.Principal, ins Inspection, cl *Checklist, fi FindingInput, photos []Photo) (Finding, error) {
	f := Finding{InspectionID: ins.ID, Kind: ins.Kind, UnitID: ins.UnitID, Month: ins.Month, Day: ins.Day, Description: fi.Description,
		Doubled: fi.Double, DoubleReason: fi.DoubleReason, RectifyDue: fi.RectifyDue, Signoff: NoSignoff, CreatedAt: tx.Now, InspectedAt: ins.InspectedAt}
	it, ok := cl.Item(fi.ItemID)
	if !ok {
		return f, errs.Field("checklist_item", "inspection.item_unknown", fi.ItemID)
	}
	f.ItemID, f.ItemCode, f.ItemText, f.Deduction = it.ID, it.Code, it.Text, it.Deduction
	if fi.Deduction != nil {
		f.Deduction = *fi.Deduction
	}
	if err := it.CheckDeduction(f.Deduction); err != nil {
		return f, err
	}
	if ins.Kind == CallbackAudit {
		if err := CheckCallbackDeduction(f.Deduction); err != nil {
			return f, err
		}
	}
	if fi.PersonID != 0 {
		p, err := activePerson(ctx, tx, "charged_person", fi.PersonID)
		if err != nil {
			return f, err
		}
		if err := checkCharged(ctx, tx, ins.UnitID, p); err != nil {
			return f, err
		}
		f.PersonID, f.PersonName, f.Signoff = p.ID, p.Name, Pending
	} else if it.ChargesPerson {
		return f, errs.Field("charged_person", "inspection.person_required", it.Code)
	}
	if f.Doubled && f.PersonID == 0 {
		return f, errs.Field("double_reason", "inspection.double_needs_person")
	}
	if f.RectifyDue != "" && f.RectifyDue < ins.Day {
		return f, errs.Field("rectify_due", "inspection.rectify_before", f.RectifyDue, ins.Day)
	}
	var due any
	if f.RectifyDue != "" {
		due = f.RectifyDue
	}
	var err error
	f.ID, err = tx.InsertID(ctx, `INSERT INTO inspection_findings (inspection_id, item_id, unit_id, person_id, month, description, deduction_cp, doubled, double_reason, signoff, rectify_due, created_at, inspected_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.InspectionID, f.ItemID, f.UnitID, nullID(f.PersonID), f.Month, f.Description, int64(f.Deduction), f.Doubled, f.DoubleReason, f.Signoff, due, f.CreatedAt, f.InspectedAt)
	if err != nil {
		return f, fmt.Errorf("insert finding: %w", err)
	}
	if err := assessment.ShiftTotals(ctx, tx, nil, findingContribution(f)); err != nil {
		return f, err
	}
	for i, p := range photos {
		p.FindingID = f.ID
		p.ID, err = tx.InsertID(ctx, "INSERT INTO inspection_photos (finding_id, name, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			f.ID, p.Name, p.ContentType, p.Size, p.SHA256, fi.Photos[i].Data, tx.Now)
		if err != nil {
			return f, err
		}
		f.Photos = append(f.Photos, p)
	}
	return f, nil
}

// SignOff is the department head's decision on a person-charged finding: signed (the
// deduction stands and the person is notified) or rejected with a note.
func SignOff(ctx context.Context, db *store.DB, actor access.Principal, findingID int64, accept bool, note string) (Finding, error) {
	var f Finding
	note, err := text("signoff_note", note, !accept, maxNote)
	if err != nil {
		return f, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if f, err = getFinding(ctx, tx, findingID); err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "inspection.finding_not_found", findingID)
		}
		if !actor.HoldsOver(ancestry, signRoles...) {
			return errs.New(errs.Forbidden, "inspection.signoff_head_only")
		}
		if f.Signoff != Pending {
			return errs.New(errs.Conflict, "inspection.signoff_not_pending")
		}
		if err := assessment.RefuseClosed(ctx, tx, f.UnitID, dayTime(f.Day)); err != nil {
			return err
		}
		before := f
		f.Signoff, f.SignedBy, f.SignoffNote = Rejected, actor.DisplayName(), note
		if accept {
			f.Signoff = Signed
		}
		now := tx.Now
		f.SignedAt = &now
		if _, err := tx.Exec(ctx, "UPDATE inspection_findings SET signoff = ?, signed_by = ?, signed_at = ?, signoff_note = ? WHERE id = ?",
			f.Signoff, f.SignedBy, now, f.SignoffNote, f.ID); err != nil {
			return err
		}
		if err := assessment.ShiftTotals(ctx, tx, findingContribution(before), findingContribution(f)); err != nil {
			return err
		}
		if accept {
			if _, err := tx.Exec(ctx, "INSERT INTO inspection_notifications (finding_id, kind, person_id, unit_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
				f.ID, "deduction", f.PersonID, f.UnitID, now); err != nil {
				return err
			}
		}
		action := "sign_off"
		if !accept {
			action = "reject"
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "inspection_finding", EntityID: f.ID, UnitID: f.UnitID,
			Before: map[string]any{"signoff": before.Signoff}, After: map[string]any{"signoff": f.Signoff, "note": f.SignoffNote}})
	})
	return f, err
}

// Rectify records that a finding's rectification is done. The unit's head or the clerk may.
func Rectify(ctx context.Context, db *store.DB, actor access.Principal, findingID int64, note string) (Finding, error) {
	var f Finding
	note, err := text("rectify_note", note, true, maxNote)
	if err != nil {
		return f, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if f, err = getFinding(ctx, tx, findingID); err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "inspection.finding_not_found", findingID)
		}
		if !actor.HoldsOver(ancestry, fileRoles...) {
			return errs.New(errs.Forbidden, "inspection.not_yours")
		}
		if f.RectifyDue == "" {
			return errs.New(errs.Conflict, "inspection.no_rectification")
		}
		if f.RectifiedAt != nil {
			return errs.New(errs.Conflict, "inspection.already_rectified")
		}
		now := tx.Now
		f.RectifiedAt, f.RectifyNote = &now, note
		if _, err := tx.Exec(ctx, "UPDATE inspection_findings SET rectified_at = ?, rectify_note = ? WHERE id = ?", now, note, f.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "rectify", Entity: "inspection_finding", EntityID: f.ID, UnitID: f.UnitID, After: map[string]any{"rectify_note": note}})
	})
	return f, err
}

func dayTime(day string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", day, Zone)
	return t
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func activeUnit(ctx context.Context, tx *store.Tx, unitID int64) ([]int64, error) {
	var active bool
	err := tx.QueryRow(ctx, "SELECT active FROM units WHERE id = ?", unitID).Scan(&active)
	if store.IsNoRows(err) || (err == nil && !active) {
		return nil, errs.Field("unit_id", "inspection.unit_unknown", unitID)
	}
	if err != nil {
		return nil, err
	}
	return org.Ancestry(ctx, tx, unitID)
}

type personRef struct {
	ID, UnitID int64
	Name       string
}

func activePerson(ctx context.Context, tx *store.Tx, field string, id int64) (personRef, error) {
	p := personRef{ID: id}
	var active bool
	err := tx.QueryRow(ctx, "SELECT COALESCE(unit_id, 0), name, active FROM people WHERE id = ?", id).Scan(&p.UnitID, &p.Name, &active)
	if store.IsNoRows(err) || (err == nil && !active) {
		return p, errs.Field(field, "inspection.person_unknown", id)
	}
	return p, err
}

const inspectionColumns = `i.id, i.kind, i.unit_id, u.name, COALESCE(i.checklist_id, 0), COALESCE(cl.name, ''), COALESCE(i.inspector_id, 0), i.inspector,
	i.inspected_at, i.month, i.day, i.items_checked, i.score_cp, i.note, i.created_by, i.created_at,
	(SELECT COUNT(*) FROM inspection_findings f WHERE f.inspection_id = i.id),
	(SELECT COALESCE(SUM(f.deduction_cp), 0) FROM inspection_findings f WHERE f.inspection_id = i.id AND f.signoff <> 'rejected')`

const inspectionFrom = " FROM inspections i JOIN units u ON u.id = i.unit_id LEFT JOIN inspection_checklists cl ON cl.id = i.checklist_id"

func scanInspection(row interface{ Scan(...any) error }) (Inspection, error) {
	var i Inspection
	var score sql.NullInt64
	err := row.Scan(&i.ID, &i.Kind, &i.UnitID, &i.UnitName, &i.ChecklistID, &i.ChecklistName, &i.InspectorID, &i.Inspector,
		&i.InspectedAt, &i.Month, &i.Day, &i.ItemsChecked, &score, &i.Note, &i.CreatedBy, &i.CreatedAt, &i.Findings, &i.Deducted)
	if score.Valid {
		p := Points(score.Int64)
		i.Score = &p
	}
	i.InspectedAt, i.CreatedAt = i.InspectedAt.UTC(), i.CreatedAt.UTC()
	return i, err
}

func getInspection(ctx context.Context, tx *store.Tx, id int64) (Inspection, error) {
	i, err := scanInspection(tx.QueryRow(ctx, "SELECT "+inspectionColumns+inspectionFrom+" WHERE i.id = ?", id))
	if store.IsNoRows(err) {
		return i, errs.New(errs.NotFound, "inspection.not_found", id)
	}
	return i, err
}

const findingColumns = `f.id, f.inspection_id, i.kind, COALESCE(f.item_id, 0), COALESCE(it.code, ''), COALESCE(it.text, ''), f.unit_id, u.name,
	COALESCE(f.person_id, 0), COALESCE(p.name, ''), f.month, i.day, f.description, f.deduction_cp, f.doubled, f.double_reason, f.signoff, f.signed_by,
	f.signed_at, f.signoff_note, COALESCE(f.rectify_due, ''), f.rectified_at, f.rectify_note, f.created_at, f.inspected_at`

const findingFrom = ` FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id
	LEFT JOIN inspection_items it ON it.id = f.item_id LEFT JOIN people p ON p.id = f.person_id`

func scanFinding(row interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	var signed, rectified sql.NullTime
	err := row.Scan(&f.ID, &f.InspectionID, &f.Kind, &f.ItemID, &f.ItemCode, &f.ItemText, &f.UnitID, &f.UnitName, &f.PersonID, &f.PersonName,
		&f.Month, &f.Day, &f.Description, &f.Deduction, &f.Doubled, &f.DoubleReason, &f.Signoff, &f.SignedBy, &signed, &f.SignoffNote,
		&f.RectifyDue, &rectified, &f.RectifyNote, &f.CreatedAt, &f.InspectedAt)
	if signed.Valid {
		t := signed.Time.UTC()
		f.SignedAt = &t
	}
	if rectified.Valid {
		t := rectified.Time.UTC()
		f.RectifiedAt = &t
	}
	f.CreatedAt, f.InspectedAt = f.CreatedAt.UTC(), f.InspectedAt.UTC()
	return f, err
}

func getFinding(ctx context.Context, tx *store.Tx, id int64) (Finding, error) {
	f, err := scanFinding(tx.QueryRow(ctx, "SELECT "+findingColumns+findingFrom+" WHERE f.id = ?", id))
	if store.IsNoRows(err) {
		return f, errs.New(errs.NotFound, "inspection.finding_not_found", id)
	}
	return f, err
}

func queryFindings(ctx context.Context, tx *store.Tx, where string, args ...any) ([]Finding, error) {
	return scanFindings(tx.Query(ctx, "SELECT "+findingColumns+findingFrom+" WHERE "+where+" ORDER BY i.inspected_at, f.id", args...))
}

func scanFindings(rows *sql.Rows, err error) ([]Finding, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Get returns an inspection the actor may read, with its findings and their photos.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Detail, error) {
	var d Detail
	err := db.Read(ctx, func(tx *store.Tx) error {
		ins, err := getInspection(ctx, tx, id)
		if err != nil {
			return err
		}
		ancestry, err := org.Ancestry(ctx, tx, ins.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, ancestry) {
			return errs.New(errs.NotFound, "inspection.not_found", id)
		}
		d.Inspection, d.CanAdd = ins, actor.HoldsOver(ancestry, fileRoles...) && ins.ChecklistID != 0
		if ins.ChecklistID != 0 {
			c, err := getChecklist(ctx, tx, ins.ChecklistID)
			if err != nil {
				return err
			}
			d.Checklist = &c
		}
		if d.Findings, err = queryFindings(ctx, tx, "f.inspection_id = ?", id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT ph.id, ph.finding_id, ph.name, ph.content_type, ph.size, ph.sha256 FROM inspection_photos ph
			JOIN inspection_findings f ON f.id = ph.finding_id WHERE f.inspection_id = ? ORDER BY ph.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Photo
			if err := rows.Scan(&p.ID, &p.FindingID, &p.Name, &p.ContentType, &p.Size, &p.SHA256); err != nil {
				return err
			}
			for i := range d.Findings {
				if d.Findings[i].ID == p.FindingID {
					d.Findings[i].Photos = append(d.Findings[i].Photos, p)
				}
			}
		}
		return rows.Err()
	})
	return d, err
}

// PhotoData returns a photo's bytes if the actor may read its inspection.
func PhotoData(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Photo, []byte, error) {
	var p Photo
	var data []byte
	err := db.Read(ctx, func(tx *store.Tx) error {
		var unitID int64
		err := tx.QueryRow(ctx, `SELECT ph.id, ph.finding_id, ph.name, ph.content_type, ph.size, ph.sha256, ph.data, f.unit_id FROM inspection_photos ph
			JOIN inspection_findings f ON f.id = ph.finding_id WHERE ph.id = ?`, id).Scan(&p.ID, &p.FindingID, &p.Name, &p.ContentType, &p.Size, &p.SHA256, &data, &unitID)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "inspection.photo_not_found", id)
		}
		if err != nil {
			return err
		}
		return org.Authorize(ctx, tx, actor, access.Read, unitID)
	})
	return p, data, err
}

// Filter selects inspections or findings.
type Filter struct {
	UnitID   int64 // with its sub-units, unless Exact
	Exact    bool  // the unit itself only, as the per-unit counts are
	PersonID int64 // findings charging this person
	Kind     Kind
	Month    string // YYYY-MM
	Day      string
	Pending  bool // findings awaiting sign-off
	Overdue  bool // findings whose rectification is late
	Open     bool // findings with a rectification not yet done
	Limit    int
	// FromMonth and ToMonth select the months [FromMonth, ToMonth) (YYYY-MM): a quarter or a year.
	FromMonth, ToMonth string
	// Keyset pages by id instead (the API): newest id first, ids below BeforeID (0: from the
	// newest), at most Limit.
	Keyset   bool
	BeforeID int64
	// Page reads inspections a page at a time by keyset on inspection time then id (the web
	// list), overriding Limit: Fetch() rows in its order, for store.Cut.
	Page *store.Page
}

// check refuses a kind no inspection has: the list would be empty, and whoever mistyped it
// would read "no findings" as the answer.
func (f Filter) check() error {
	if f.Kind != "" && !contains(Kinds, f.Kind) {
		return errs.Param("kind", "err.invalid_choice", string(f.Kind))
	}
	return nil
}

// pageConds adds f's month range and keyset conditions on the table alias t.
func (f Filter) pageConds(t string, conds []string, args []any) ([]string, []any) {
	if f.FromMonth != "" {
		conds, args = append(conds, t+".month >= ?"), append(args, f.FromMonth)
	}
	if f.ToMonth != "" {
		conds, args = append(conds, t+".month < ?"), append(args, f.ToMonth)
	}
	if f.Keyset && f.BeforeID > 0 {
		conds, args = append(conds, t+".id < ?"), append(args, f.BeforeID)
	}
	return conds, args
}

// scope returns the units the actor may read under unitID (or everywhere), as a condition.
func scope(ctx context.Context, tx *store.Tx, actor access.Principal, col string, unitID int64) (string, []any, error) {
	return scopeOf(ctx, tx, actor, col, unitID, false)
}

func scopeOf(ctx context.Context, tx *store.Tx, actor access.Principal, col string, unitID int64, exact bool) (string, []any, error) {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	var ids []any
	var roots []int64
	if unitID != 0 && exact {
		roots = []int64{unitID}
	} else if unitID != 0 {
		roots = tree.Subtree(unitID)
	} else {
		for _, u := range tree.Ordered() {
			roots = append(roots, u.ID)
		}
	}
	for _, id := range roots {
		if actor.Can(access.Read, tree.Ancestry(id)) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "1 = 0", nil, nil
	}
	if unitID == 0 && len(ids) == len(roots) {
		// Everything: a list of every unit would only lead SQLite to read the inspections
		// through the unit index and sort them all, instead of a page from the date index.
		return "1 = 1", nil, nil
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", ids, nil
}

// List returns the inspections the actor may read that match f, newest first.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Inspection, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var out []Inspection
	err := db.Read(ctx, func(tx *store.Tx) error {
		cond, args, err := scopeOf(ctx, tx, actor, "i.unit_id", f.UnitID, f.Exact)
		if err != nil {
			return err
		}
		conds := []string{cond}
		if f.Kind != "" {
			conds, args = append(conds, "i.kind = ?"), append(args, f.Kind)
		}
		if f.Month != "" {
			conds, args = append(conds, "i.month = ?"), append(args, f.Month)
		}
		if f.Day != "" {
			conds, args = append(conds, "i.day = ?"), append(args, f.Day)
		}
		if f.Limit <= 0 {
			f.Limit = 200
		}
		conds, args = f.pageConds("i", conds, args)
		order := " ORDER BY i.inspected_at DESC, i.id DESC LIMIT ?"
		switch {
		case f.Keyset:
			order = " ORDER BY i.id DESC LIMIT ?"
		case f.Page != nil:
			order, f.Limit = f.Page.OrderBy(inspectionOrder), f.Page.Fetch()
			if c, a := f.Page.Where(inspectionOrder); c != "" {
				conds, args = append(conds, c), append(args, a...)
			}
		}
		rows, err := tx.Query(ctx, "SELECT "+inspectionColumns+inspectionFrom+" WHERE "+strings.Join(conds, " AND ")+order, append(args, f.Limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			i, err := scanInspection(rows)
			if err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, errs.Wrapf(err, "list inspections")
}

// Findings returns the findings the actor may read that match f: a page of them, newest
// inspection first, with f.Page (the web list: Fetch() rows in its order, for store.Cut);
// newest id first with f.Keyset (the API); otherwise every one, oldest first.
func Findings(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Finding, error) {
	var out []Finding
	err := db.Read(ctx, func(tx *store.Tx) error {
		conds, args, err := findingConds(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		where := " WHERE " + strings.Join(conds, " AND ")
		switch {
		case f.Page != nil:
			if c, a := f.Page.Where(findingOrder); c != "" {
				where, args = where+" AND "+c, append(args, a...)
			}
			out, err = scanFindings(tx.Query(ctx, "SELECT "+findingColumns+findingFrom+where+f.Page.OrderBy(findingOrder), append(args, f.Page.Fetch())...))
		case f.Keyset:
			out, err = scanFindings(tx.Query(ctx, "SELECT "+findingColumns+findingFrom+where+" ORDER BY f.id DESC LIMIT ?", append(args, f.Limit)...))
		default:
			out, err = queryFindings(ctx, tx, strings.Join(conds, " AND "), args...)
		}
		return err
	})
	return out, errs.Wrapf(err, "list findings")
}

// FindingCount is how many findings a filter selects, and their deductions in all (the
// rejected ones left out), for the heading of a list that shows a page of them.
type FindingCount struct {
	N     int
	Total Points
}

// CountFindings counts the findings the actor may read that match f (its page aside), in one
// query.
func CountFindings(ctx context.Context, db *store.DB, actor access.Principal, f Filter) (FindingCount, error) {
	var c FindingCount
	err := db.Read(ctx, func(tx *store.Tx) error {
		f.Page, f.Keyset = nil, false
		conds, args, err := findingConds(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, countFindingsQuery(f, conds), args...).Scan(&c.N, &c.Total)
	})
	return c, errs.Wrapf(err, "count findings")
}

// countFindingsQuery counts over the findings alone, joining the inspections only for the
// kind, the one condition on them: joining the units, items and people of the list's columns
// too cost 0.6 s over the N=100 year's 200,000 findings.
func countFindingsQuery(f Filter, conds []string) string {
	from := " FROM inspection_findings f"
	if f.Kind != "" {
		from += " JOIN inspections i ON i.id = f.inspection_id"
	}
	return "SELECT COUNT(*), COALESCE(SUM(CASE WHEN f.signoff <> 'rejected' THEN f.deduction_cp ELSE 0 END), 0)" + from + " WHERE " + strings.Join(conds, " AND ")
}

// findingConds are the conditions selecting the findings of f that the actor may read.
func findingConds(ctx context.Context, tx *store.Tx, actor access.Principal, f Filter) ([]string, []any, error) {
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	cond, args, err := scopeOf(ctx, tx, actor, "f.unit_id", f.UnitID, f.Exact)
	if err != nil {
		return nil, nil, err
	}
	conds := []string{cond}
	if f.PersonID != 0 {
		conds, args = append(conds, "f.person_id = ?"), append(args, f.PersonID)
	}
	if f.Kind != "" {
		conds, args = append(conds, "i.kind = ?"), append(args, f.Kind)
	}
	if f.Month != "" {
		conds, args = append(conds, "f.month = ?"), append(args, f.Month)
	}
	if f.Pending {
		conds = append(conds, "f.signoff = 'pending'")
	}
	if f.Open || f.Overdue {
		conds = append(conds, "f.rectify_due IS NOT NULL AND f.rectified_at IS NULL")
	}
	if f.Overdue {
		conds, args = append(conds, "f.rectify_due < ?"), append(args, tx.Now.In(Zone).Format("2006-01-02"))
	}
	conds, args = f.pageConds("f", conds, args)
	return conds, args, nil
}

// Notification is an in-app notice about a finding.
type Notification struct {
	ID        int64     `json:"id"`
	FindingID int64     `json:"finding_id"`
	Kind      string    `json:"kind"` // deduction (to the person), rectification_overdue (to the unit)
	Finding   Finding   `json:"finding"`
	CreatedAt time.Time `json:"created_at"`
}

// MyNotifications returns a page of the notices to the actor's person and, for a unit head
// or clerk, those of the units in scope, newest first: Fetch() notices in pg's order, for
// store.Cut.
func MyNotifications(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]Notification, error) {
	var out []Notification
	err := db.Read(ctx, func(tx *store.Tx) error {
		cond, args, err := scope(ctx, tx, actor, "n.unit_id", 0)
		if err != nil {
			return err
		}
		if !actor.HasAny(fileRoles...) {
			cond, args = "1 = 0", nil
		}
		where, args := "((n.person_id = ? AND n.kind = 'deduction') OR (n.kind <> 'deduction' AND "+cond+"))", append([]any{actor.PersonID}, args...)
		if c, a := pg.Where(notificationOrder); c != "" {
			where, args = where+" AND "+c, append(args, a...)
		}
		rows, err := tx.Query(ctx, "SELECT n.id, n.finding_id, n.kind, n.created_at FROM inspection_notifications n WHERE "+where+pg.OrderBy(notificationOrder),
			append(args, pg.Fetch())...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n Notification
			if err := rows.Scan(&n.ID, &n.FindingID, &n.Kind, &n.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			n.CreatedAt = n.CreatedAt.UTC()
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		// The page's findings in one query, not one a notice.
		ids := make([]int64, len(out))
		for i, n := range out {
			ids[i] = n.FindingID
		}
		in, fargs := store.In("f.id", ids)
		fs, err := queryFindings(ctx, tx, in, fargs...)
		if err != nil {
			return err
		}
		byID := make(map[int64]Finding, len(fs))
		for _, f := range fs {
			byID[f.ID] = f
		}
		for i := range out {
			out[i].Finding = byID[out[i].FindingID]
		}
		return nil
	})
	return out, err
}

// GetFinding returns a finding the actor may read; one outside their units is not found.
func GetFinding(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Finding, error) {
	var f Finding
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if f, err = getFinding(ctx, tx, id); err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, chain) {
			return errs.New(errs.NotFound, "inspection.finding_not_found", id)
		}
		return nil
	})
	return f, err
}

// inspectionOrder is the list's order: the latest inspection first.
var inspectionOrder = store.Order{Col: "i.inspected_at", ID: "i.id"}

// findingOrder is the findings list's order: the latest inspection first. It reads the
// finding's copy of the inspection's time, which inspection_findings_inspected holds in order.
var findingOrder = store.Order{Col: "f.inspected_at", ID: "f.id"}

// notificationOrder is the notices' order: the newest first.
var notificationOrder = store.Order{ID: "n.id"}
