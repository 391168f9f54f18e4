package assessment

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// The evidence ledger is retired: before the inspections and surveys areas existed, a clerk
// recorded each inspection (with the problems it found) and each survey evaluation (with its
// band) here. Those areas now provide the unit-monthly facts inspections, problems and survey
// through their own Source; the ledger's rows stay readable for the closes that used them,
// and the tests of period close still use it as a plain source of facts.

// EvidenceKind is what a ledger row records.
type EvidenceKind string

const (
	Inspection       EvidenceKind = "inspection"
	SurveyEvaluation EvidenceKind = "survey_evaluation"
)

// Bands are the survey bands of docs/policies.md §1 in points: 很满意 20, 基本满意 16, 一般 12,
// 不太满意 8, 很不满意 4.
var Bands = []int{20, 16, 12, 8, 4}

// maxProblems bounds one inspection's problem count: a typing error, not a real inspection,
// finds more.
const maxProblems = 500

const maxNote = 500

// Evidence is one ledger row.
type Evidence struct {
	ID         int64        `json:"id"`
	UnitID     int64        `json:"unit_id"`
	OccurredOn string       `json:"occurred_on"` // YYYY-MM-DD in Asia/Shanghai
	Kind       EvidenceKind `json:"kind"`
	Problems   *int         `json:"problems,omitempty"`
	Band       *int         `json:"band,omitempty"`
	Note       string       `json:"note"`
	RecordedBy string       `json:"recorded_by"`
	RecordedAt time.Time    `json:"recorded_at"`
}

// EvidenceInput records one inspection or survey evaluation.
type EvidenceInput struct {
	UnitID     int64
	OccurredOn string
	Kind       EvidenceKind
	Problems   *int // inspections only
	Band       *int // survey evaluations only
	Note       string
}

// Zone is the organisation's time zone: days and periods are read in it.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func validateEvidence(in *EvidenceInput, now time.Time) error {
	in.Note = strings.TrimSpace(in.Note)
	in.OccurredOn = strings.TrimSpace(in.OccurredOn)
	if in.UnitID == 0 {
		return errs.Required("assessment_unit")
	}
	if in.OccurredOn == "" {
		return errs.Required("assessment_occurred_on")
	}
	day, err := time.ParseInLocation("2006-01-02", in.OccurredOn, Zone)
	if err != nil {
		return errs.Field("assessment_occurred_on", "assessment.bad_date", in.OccurredOn)
	}
	if day.After(now.In(Zone)) {
		return errs.Field("assessment_occurred_on", "assessment.future_date", in.OccurredOn)
	}
	switch in.Kind {
	case Inspection:
		if in.Problems == nil {
			return errs.Required("assessment_problems")
		}
		if *in.Problems < 0 {
			return errs.Field("assessment_problems", "err.negative")
		}
		if *in.Problems > maxProblems {
			return errs.Field("assessment_problems", "err.out_of_range", "0", strconv.Itoa(maxProblems))
		}
		if in.Band != nil {
			return errs.Field("assessment_band", "assessment.band_only_survey")
		}
	case SurveyEvaluation:
		if in.Band == nil {
			return errs.Required("assessment_band")
		}
		if !validBand(*in.Band) {
			return errs.Field("assessment_band", "assessment.bad_band", *in.Band)
		}
		if in.Problems != nil {
			return errs.Field("assessment_problems", "assessment.problems_only_inspection")
		}
	default:
		return errs.Field("assessment_kind", "err.invalid_choice", string(in.Kind))
	}
	if utf8.RuneCountInString(in.Note) > maxNote {
		return errs.Field("assessment_note", "err.too_long", maxNote)
	}
	return nil
}

func validBand(b int) bool {
	for _, x := range Bands {
		if x == b {
			return true
		}
	}
	return false
}

// RecordEvidence adds a ledger row. The actor must be a clerk over the unit, and the period the
// day falls in must not be approved or locked for the unit: a closed result never changes, so
// evidence for it is refused until the close is reopened.
func RecordEvidence(ctx context.Context, db *store.DB, actor access.Principal, in EvidenceInput) (Evidence, error) {
	var e Evidence
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := validateEvidence(&in, tx.Now); err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, in.UnitID)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("assessment_unit", "assessment.unit_unknown", in.UnitID)
		}
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, access.Clerk) {
			return errs.New(errs.Forbidden, "assessment.clerk_only")
		}
		if err := refuseClosedDay(ctx, tx, in.UnitID, in.OccurredOn); err != nil {
			return err
		}
		e = Evidence{UnitID: in.UnitID, OccurredOn: in.OccurredOn, Kind: in.Kind, Problems: in.Problems, Band: in.Band,
			Note: in.Note, RecordedBy: actor.Login(), RecordedAt: tx.Now}
		e.ID, err = tx.InsertID(ctx, `INSERT INTO assessment_evidence (unit_id, occurred_on, kind, problems, band, note, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.UnitID, e.OccurredOn, string(e.Kind), intOrNil(e.Problems), intOrNil(e.Band), e.Note, e.RecordedBy, e.RecordedAt)
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "assessment_evidence", EntityID: e.ID, UnitID: e.UnitID, After: e})
	})
	return e, err
}

// refuseClosedDay refuses a change to a unit's evidence on day when a close that covers the
// unit and the day's period is approved or locked.
func refuseClosedDay(ctx context.Context, tx *store.Tx, unitID int64, day string) error {
	t, _ := time.ParseInLocation("2006-01-02", day, Zone)
	return RefuseClosed(ctx, tx, unitID, t)
}

// RefuseClosed refuses a change to a unit's records dated t (a moment, read in Zone) when a
// period containing it is approved or locked for the unit in any scheme: a closed result never
// changes silently, so the close must be reopened first. Monthly, quarterly, weekly and yearly
// periods are all checked, because one record can feed schemes of different periods. Areas
// call it in the transaction of the change.
func RefuseClosed(ctx context.Context, tx *store.Tx, unitID int64, t time.Time) error {
	t = t.In(Zone)
	y, w := t.ISOWeek()
	keys := []string{
		t.Format("2006-01"), fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())+2)/3), fmt.Sprintf("%04d-W%02d", y, w), t.Format("2006"),
	}
	var period, code string
	err := tx.QueryRow(ctx, `SELECT c.period, c.scheme_code FROM assessment_closes c JOIN assessment_results r ON r.close_id = c.id
		WHERE r.unit_id = ? AND c.period IN (?, ?, ?, ?) AND c.superseded = ? AND c.status <> 'draft' ORDER BY c.id LIMIT 1`,
		unitID, keys[0], keys[1], keys[2], keys[3], false).Scan(&period, &code)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check closed period: %w", err)
	}
	return errs.New(errs.Conflict, "assessment.period_closed", code, period)
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

const evidenceColumns = "id, unit_id, occurred_on, kind, problems, band, note, recorded_by, recorded_at"

func scanEvidence(row interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	var problems, band sql.NullInt64
	if err := row.Scan(&e.ID, &e.UnitID, &e.OccurredOn, &e.Kind, &problems, &band, &e.Note, &e.RecordedBy, &e.RecordedAt); err != nil {
		return e, err
	}
	if problems.Valid {
		n := int(problems.Int64)
		e.Problems = &n
	}
	if band.Valid {
		n := int(band.Int64)
		e.Band = &n
	}
	e.RecordedAt = e.RecordedAt.UTC()
	return e, nil
}

// EvidenceFilter selects ledger rows: a unit (0: every unit the actor may read) and a month
// ("2026-10"; "" for all).
type EvidenceFilter struct {
	UnitID int64
	Month  string
	IDs    []int64
}

// ListEvidence returns the ledger rows the actor may read, newest day first.
func ListEvidence(ctx context.Context, db *store.DB, actor access.Principal, f EvidenceFilter) ([]Evidence, error) {
	tree, err := loadTree(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []Evidence
	err = db.Read(ctx, func(tx *store.Tx) error {
		where, args := []string{"1 = 1"}, []any{}
		if f.UnitID != 0 {
			where, args = append(where, "unit_id = ?"), append(args, f.UnitID)
		}
		if f.Month != "" {
			from, to, err := monthDays(f.Month)
			if err != nil {
				return err
			}
			where, args = append(where, "occurred_on >= ? AND occurred_on < ?"), append(args, from, to)
		}
		if len(f.IDs) > 0 {
			ph := make([]string, len(f.IDs))
			for i, id := range f.IDs {
				ph[i] = "?"
				args = append(args, id)
			}
			where = append(where, "id IN ("+strings.Join(ph, ", ")+")")
		}
		rows, err := tx.Query(ctx, "SELECT "+evidenceColumns+" FROM assessment_evidence WHERE "+strings.Join(where, " AND ")+" ORDER BY occurred_on DESC, id DESC", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvidence(rows)
			if err != nil {
				return err
			}
			if actor.Can(access.Read, tree.Ancestry(e.UnitID)) {
				out = append(out, e)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, errs.Wrapf(err, "list evidence")
	}
	return out, nil
}

// GetEvidence returns one ledger row if the actor may read its unit.
func GetEvidence(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Evidence, error) {
	var e Evidence
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		e, err = scanEvidence(tx.QueryRow(ctx, "SELECT "+evidenceColumns+" FROM assessment_evidence WHERE id = ?", id))
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "assessment.evidence_not_found", id)
		}
		if err != nil {
			return err
		}
		return org.Authorize(ctx, tx, actor, access.Read, e.UnitID)
	})
	return e, err
}

// monthDays returns the first day of month and of the next month, as YYYY-MM-DD.
func monthDays(month string) (string, string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", errs.Field("assessment_period", "assessment.bad_month", month)
	}
	return t.Format("2006-01-02"), t.AddDate(0, 1, 0).Format("2006-01-02"), nil
}
