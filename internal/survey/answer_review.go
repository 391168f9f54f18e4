package survey

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Authenticity marks a clerk gives an answer.
const (
	Unchecked = "unchecked"
	Checked   = "checked"
	Doubtful  = "doubtful"
	Fake      = "fake"
)

// Marks lists the authenticity marks a clerk can choose.
var Marks = []string{Checked, Doubtful, Fake}

// clerkAnswer loads an answer for a clerk's action on it.
func clerkAnswer(ctx context.Context, tx *store.Tx, actor access.Principal, id int64) (Answer, Template, error) {
	a, t, err := getAnswer(ctx, tx, id)
	if err != nil {
		return a, t, err
	}
	chain, err := org.Ancestry(ctx, tx, a.UnitID)
	if err != nil {
		return a, t, err
	}
	if !actor.HoldsOver(chain, clerkRoles...) {
		return a, t, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	return a, t, nil
}

func reasonOK(field, reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return reason, errs.Field(field, "survey.reason_required")
	}
	if utf8.RuneCountInString(reason) > maxReason {
		return reason, errs.Field(field, "err.too_long", maxReason)
	}
	return reason, nil
}

// Mark records the clerk's authenticity check of an answer. Doubtful and fake need a
// reason; a fake answer stays stored but leaves the rates.
func Mark(ctx context.Context, db *store.DB, actor access.Principal, id int64, mark, reason string) error {
	if mark != Checked && mark != Doubtful && mark != Fake {
		return errs.Field("survey_authenticity", "err.invalid_choice", mark)
	}
	reason, err := reasonOK("reason", reason, mark != Checked)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET authenticity = ?, authenticity_reason = ?, updated_at = ? WHERE id = ?", mark, reason, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		// The reason stays on the answer, not in the append-only audit log: it quotes the
		// resident, and the retention purge must be able to remove every copy (docs/surveys.md).
		return audit.Record(ctx, tx, actor, audit.Change{Action: "mark", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]string{"authenticity": a.Authenticity}, After: map[string]string{"authenticity": mark}})
	})
}

// SetFault marks a dissatisfied answer as verified to be the unit's fault (经查实确有过错),
// or takes the mark back; either way with a reason. It costs the unit head a point.
func SetFault(ctx context.Context, db *store.DB, actor access.Principal, id int64, verified bool, reason string) error {
	reason, err := reasonOK("reason", reason, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if verified && !a.Dissatisfied {
			return errs.New(errs.Conflict, "survey.fault_needs_dissatisfied")
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET verified_fault = ?, fault_reason = ?, updated_at = ? WHERE id = ?", verified, reason, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "verify_fault", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]any{"verified_fault": a.VerifiedFault}, After: map[string]any{"verified_fault": verified}})
	})
}

// Classify sets an answer's problem location and type (the clerk's reading of the opinion).
func Classify(ctx context.Context, db *store.DB, actor access.Principal, id int64, location, problemType string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		location, problemType = strings.TrimSpace(location), strings.TrimSpace(problemType)
		probe := AnswerInput{Values: a.Values, Location: location, ProblemType: problemType}
		if _, err := Score(t.Def, &probe); err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET location = ?, problem_type = ?, updated_at = ? WHERE id = ?", location, problemType, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "classify", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]string{"location": a.Location, "problem_type": a.ProblemType}, After: map[string]string{"location": location, "problem_type": problemType}})
	})
}

// Correct replaces an answer's content by a clerk's correction (a typing error found on the
// paper), with a reason. The earlier content is kept as a version and in the audit; nobody
// can change an answer without leaving that trace.
func Correct(ctx context.Context, db *store.DB, actor access.Principal, id int64, in AnswerInput, reason string) error {
	reason, err := reasonOK("reason", reason, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if a.Purged {
			return errs.New(errs.Conflict, "survey.answer_purged")
		}
		in.Opinion, in.Respondent, in.Phone = a.Opinion, a.Respondent, a.Phone
		sc, err := Score(t.Def, &in)
		if err != nil {
			return err
		}
		before, _ := json.Marshal(a.Values)
		if _, err := tx.Exec(ctx, "INSERT INTO survey_answer_versions (answer_id, version, answers, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, a.Version, string(before), reason, actor.Login(), tx.Now); err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, `UPDATE survey_answers SET overall_level = ?, points = ?, band = ?, satisfied = ?, dissatisfied = ?, location = ?, problem_type = ?,
			answers = ?, pattern = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				sc.Level, sc.Points, sc.Band, sc.Satisfied, sc.Dissatisfied, in.Location, in.ProblemType, sc.Answers, sc.Pattern, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		// The audit keeps the ratings; free-text answers and the reason stay out of the
		// append-only log, in the version above, so that the retention purge can remove every
		// copy of them.
		after, err := t.Def.withoutText(sc.Answers)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "correct", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]any{"version": a.Version, "answers": t.Def.ratingsOnly(a.Values), "overall_level": a.Level},
			After:  map[string]any{"version": a.Version + 1, "answers": json.RawMessage(after), "overall_level": sc.Level}})
	})
}

// Version is an earlier content of a corrected answer.
type Version struct {
	Version   int       `json:"version"`
	Answers   string    `json:"answers"`
	Reason    string    `json:"reason"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// Versions lists an answer's earlier versions; the caller has checked access.
func Versions(ctx context.Context, db *store.DB, id int64) ([]Version, error) {
	var out []Version
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT version, answers, reason, changed_by, changed_at FROM survey_answer_versions WHERE answer_id = ? ORDER BY version", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v Version
			if err := rows.Scan(&v.Version, &v.Answers, &v.Reason, &v.ChangedBy, &v.ChangedAt); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}
