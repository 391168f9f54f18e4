package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Answer is a stored answer as staff see it.
type Answer struct {
	ID                 int64               `json:"id"`
	Code               string              `json:"code"`
	CampaignID         int64               `json:"campaign_id"`
	UnitID             int64               `json:"unit_id"`
	UnitName           string              `json:"unit_name"`
	Channel            string              `json:"channel"`
	AnsweredAt         time.Time           `json:"answered_at"`
	Level              int                 `json:"overall_level"`
	LevelLabel         string              `json:"overall_label"`
	Points, Band       int                 `json:"-"`
	Satisfied          bool                `json:"satisfied"`
	Dissatisfied       bool                `json:"dissatisfied"`
	Location           string              `json:"location"`
	ProblemType        string              `json:"problem_type"`
	Opinion            string              `json:"opinion"`
	Respondent         string              `json:"respondent"`
	Phone              string              `json:"phone"`
	Values             map[string][]string `json:"values"`
	Authenticity       string              `json:"authenticity"`
	AuthenticityReason string              `json:"authenticity_reason"`
	VerifiedFault      bool                `json:"verified_fault"`
	FaultReason        string              `json:"fault_reason"`
	Version            int                 `json:"version"`
	Purged             bool                `json:"purged"`
	EnteredBy          string              `json:"entered_by"`
}

const answerColumns = `a.id, i.code, a.campaign_id, a.unit_id, u.name, a.channel, a.answered_at, a.overall_level, a.points, a.band, a.satisfied, a.dissatisfied,
	a.location, a.problem_type, a.opinion, a.respondent, a.phone, a.answers, a.authenticity, a.authenticity_reason, a.verified_fault, a.fault_reason, a.version, a.purged_at,
	COALESCE(us.username, '')`

const answerFrom = ` FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id JOIN units u ON u.id = a.unit_id LEFT JOIN users us ON us.id = a.entered_by`

func scanAnswer(row interface{ Scan(...any) error }) (Answer, error) {
	var a Answer
	var values string
	var purged sql.NullTime
	err := row.Scan(&a.ID, &a.Code, &a.CampaignID, &a.UnitID, &a.UnitName, &a.Channel, &a.AnsweredAt, &a.Level, &a.Points, &a.Band, &a.Satisfied, &a.Dissatisfied,
		&a.Location, &a.ProblemType, &a.Opinion, &a.Respondent, &a.Phone, &values, &a.Authenticity, &a.AuthenticityReason, &a.VerifiedFault, &a.FaultReason, &a.Version, &purged, &a.EnteredBy)
	if err != nil {
		return a, err
	}
	a.AnsweredAt, a.Purged = a.AnsweredAt.UTC(), purged.Valid
	return a, json.Unmarshal([]byte(values), &a.Values)
}

// GetAnswer returns an answer the actor may read, with its template.
func GetAnswer(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Answer, Template, error) {
	var a Answer
	var t Template
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		a, t, err = getAnswer(ctx, tx, id)
		if err != nil {
			return err
		}
		return org.Authorize(ctx, tx, actor, access.Read, a.UnitID)
	})
	return a, t, err
}

func getAnswer(ctx context.Context, tx *store.Tx, id int64) (Answer, Template, error) {
	var t Template
	a, err := scanAnswer(tx.QueryRow(ctx, "SELECT "+answerColumns+answerFrom+" WHERE a.id = ?", id))
	if store.IsNoRows(err) {
		return a, t, errs.New(errs.NotFound, "survey.answer_unknown", id)
	}
	if err != nil {
		return a, t, err
	}
	var tid int64
	if err := tx.QueryRow(ctx, "SELECT template_id FROM survey_campaigns WHERE id = ?", a.CampaignID).Scan(&tid); err != nil {
		return a, t, err
	}
	t, err = getTemplate(ctx, tx, tid)
	if err == nil && a.Level >= 1 && a.Level <= len(t.Def.Overall().Levels) {
		a.LevelLabel = t.Def.Overall().Levels[a.Level-1].Label
	}
	return a, t, err
}

// AnswerFilter selects answers for lists and drill-downs.
type AnswerFilter struct {
	CampaignID  int64
	UnitID      int64
	Location    *string // "" selects unclassified
	ProblemType *string
	Opinions    bool // only answers with an opinion
	Limit       int
	// Page reads a page by keyset on answer time then id (the web list), overriding Limit:
	// Fetch() answers in its order, for store.Cut.
	Page *store.Page
}

// ListAnswers returns the answers the actor may read, newest first, and how many match.
// With f.Page it returns Fetch() answers in f.Page's order, for store.Cut.
func ListAnswers(ctx context.Context, db *store.DB, actor access.Principal, f AnswerFilter) ([]Answer, int, error) {
	var out []Answer
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args := []string{"1 = 1"}, []any{}
		if f.CampaignID != 0 {
			where, args = append(where, "a.campaign_id = ?"), append(args, f.CampaignID)
		}
		if f.UnitID != 0 {
			where, args = append(where, "a.unit_id = ?"), append(args, f.UnitID)
		}
		if f.Location != nil {
			where, args = append(where, "a.location = ?"), append(args, *f.Location)
		}
		if f.ProblemType != nil {
			where, args = append(where, "a.problem_type = ?"), append(args, *f.ProblemType)
		}
		if f.Opinions {
			where = append(where, "(a.has_opinion OR a.location <> '' OR a.problem_type <> '')")
		}
		scope, all := actor.ScopeRoots(access.Read)
		if !all {
			tree, err := org.LoadTree(ctx, tx)
			if err != nil {
				return err
			}
			units := scopeUnits(tree, scope)
			if len(units) == 0 {
				return nil
			}
			ph := strings.TrimSuffix(strings.Repeat("?,", len(units)), ",")
			where = append(where, "a.unit_id IN ("+ph+")")
			for _, u := range units {
				args = append(args, u)
			}
		}
		cond := strings.Join(where, " AND ")
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_answers a WHERE "+cond, args...).Scan(&total); err != nil {
			return err
		}
		limit := min(f.Limit, 500)
		if limit <= 0 {
			limit = 50
		}
		order := " ORDER BY a.answered_at DESC, a.id DESC LIMIT ?"
		if f.Page != nil {
			order, limit = f.Page.OrderBy(answerOrder), f.Page.Fetch()
			if c, a := f.Page.Where(answerOrder); c != "" {
				cond, args = cond+" AND "+c, append(args, a...)
			}
		}
		rows, err := tx.Query(ctx, "SELECT "+answerColumns+answerFrom+" WHERE "+cond+order, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAnswer(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, total, err
}

// scopeUnits expands scope roots to every unit under them.
func scopeUnits(tree *org.Tree, roots []int64) []int64 {
	var out []int64
	for _, r := range roots {
		out = append(out, tree.Subtree(r)...)
	}
	return out
}

// answerOrder is the answer list's order: the newest answer first.
var answerOrder = store.Order{Col: "a.answered_at", ID: "a.id"}
