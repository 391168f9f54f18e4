package project

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// editors keep an office's projects: the office's head, and the engineering management
// department's clerks over the company.
var editors = []access.Role{access.Admin, access.Clerk, access.UnitHead}

// MayEdit reports whether p keeps the projects of at least one office; pages offer the
// register's forms only then, and each change is still checked over its unit.
func MayEdit(p access.Principal) bool { return p.HasAny(editors...) }

const columns = `p.id, p.code, p.name, p.contract_no, p.customer, p.unit_id, u.name, p.major, p.tendered, p.planned_start,
	p.plan_filed_on, p.plan_approved_on, p.plan_approved_by, p.materials_plan, p.handed_over_on, p.fulfilled, p.customer_satisfied,
	p.created_by, p.created_at`

func scan(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var fulfilled, satisfied sql.NullBool
	err := row.Scan(&p.ID, &p.Code, &p.Name, &p.ContractNo, &p.Customer, &p.UnitID, &p.UnitName, &p.Major, &p.Tendered, &p.PlannedStart,
		&p.PlanFiledOn, &p.PlanApprovedOn, &p.PlanApprovedBy, &p.MaterialsPlan, &p.HandedOverOn, &fulfilled, &satisfied, &p.CreatedBy, &p.CreatedAt)
	if fulfilled.Valid {
		p.Fulfilled = &fulfilled.Bool
	}
	if satisfied.Valid {
		p.CustomerSatisfied = &satisfied.Bool
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.Acceptances = []Acceptance{}
	return p, err
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// authorize refuses unless the actor edits projects over the unit, which must be active.
func authorize(ctx context.Context, tx *store.Tx, actor access.Principal, unitID int64) error {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return err
	}
	u, ok := tree.Unit(unitID)
	if !ok || !u.Active {
		return errs.Field("project_unit", "project.unit_unknown", unitID)
	}
	if !actor.HoldsOver(tree.Ancestry(unitID), editors...) {
		return errs.New(errs.Forbidden, "err.out_of_scope")
	}
	return nil
}

// Save creates the project of in.Code, or changes it when the code exists. Approving the
// construction plan records the approver: the engineering management department approves a
// major project's plan (第七条), so only a clerk or administrator may set that date.
func Save(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Project, error) {
	var out Project
	err := db.InTx(ctx, func(tx *store.Tx) (err error) {
		out, err = save(ctx, tx, actor, in, 0)
		return err
	})
	return out, err
}

func save(ctx context.Context, tx *store.Tx, actor access.Principal, in Input, importRow int) (Project, error) {
	if err := validate(&in); err != nil {
		return Project{}, err
	}
	if err := authorize(ctx, tx, actor, in.UnitID); err != nil {
		return Project{}, err
	}
	before, err := getByCode(ctx, tx, in.Code)
	exists := err == nil
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Project{}, err
	}
	approver := before.PlanApprovedBy
	if in.PlanApprovedOn != before.PlanApprovedOn {
		if in.PlanApprovedOn != "" && !actor.HasAny(access.Clerk, access.Admin) {
			return Project{}, errs.Field("project_plan_approved_on", "project.approve_clerks_only")
		}
		approver = ""
		if in.PlanApprovedOn != "" {
			approver = actor.DisplayName()
		}
	}
	if exists {
		if err := authorize(ctx, tx, actor, before.UnitID); err != nil {
			return Project{}, err
		}
		_, err = tx.Exec(ctx, `UPDATE projects SET name = ?, contract_no = ?, customer = ?, unit_id = ?, major = ?, tendered = ?, planned_start = ?,
			plan_filed_on = ?, plan_approved_on = ?, plan_approved_by = ?, materials_plan = ?, handed_over_on = ?, fulfilled = ?, customer_satisfied = ?, updated_at = ?
			WHERE id = ?`, in.Name, in.ContractNo, in.Customer, in.UnitID, in.Major, in.Tendered, in.PlannedStart, in.PlanFiledOn, in.PlanApprovedOn, approver,
			in.MaterialsPlan, in.HandedOverOn, nullBool(in.Fulfilled), nullBool(in.CustomerSatisfied), tx.Now, before.ID)
	} else {
		var row any
		if importRow > 0 {
			row = importRow
		}
		before.ID, err = tx.InsertID(ctx, `INSERT INTO projects (code, name, contract_no, customer, unit_id, major, tendered, planned_start, plan_filed_on,
			plan_approved_on, plan_approved_by, materials_plan, handed_over_on, fulfilled, customer_satisfied, import_row, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Code, in.Name, in.ContractNo, in.Customer, in.UnitID, in.Major, in.Tendered,
			in.PlannedStart, in.PlanFiledOn, in.PlanApprovedOn, approver, in.MaterialsPlan, in.HandedOverOn, nullBool(in.Fulfilled), nullBool(in.CustomerSatisfied),
			row, actor.DisplayName(), tx.Now, tx.Now)
	}
	if err != nil {
		return Project{}, fmt.Errorf("save project %s: %w", in.Code, err)
	}
	after, err := get(ctx, tx, before.ID)
	if err != nil {
		return Project{}, err
	}
	change := audit.Change{Action: "create", Entity: "project", EntityID: after.ID, UnitID: after.UnitID, After: after}
	if exists {
		change.Action, change.Before = "update", before
	}
	return after, audit.Record(ctx, tx, actor, change)
}

// AddAcceptance records an acceptance inspection of a project.
func AddAcceptance(ctx context.Context, db *store.DB, actor access.Principal, projectID int64, a Acceptance) (Project, error) {
	var out Project
	err := db.InTx(ctx, func(tx *store.Tx) error {
		p, err := get(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, p.UnitID); err != nil {
			return err
		}
		if err := validateAcceptance(p, &a); err != nil {
			return err
		}
		a.ID, err = tx.InsertID(ctx, "INSERT INTO project_acceptances (project_id, inspected_on, passed, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			p.ID, a.InspectedOn, a.Passed, a.Note, actor.DisplayName(), tx.Now)
		if err != nil {
			return err
		}
		if out, err = get(ctx, tx, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "project_acceptance", EntityID: a.ID, UnitID: p.UnitID, After: a})
	})
	return out, err
}

func getByCode(ctx context.Context, tx *store.Tx, code string) (Project, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM projects WHERE code = ?", code).Scan(&id)
	if store.IsNoRows(err) {
		return Project{}, errs.New(errs.NotFound, "project.not_found", code)
	}
	if err != nil {
		return Project{}, err
	}
	return get(ctx, tx, id)
}

func get(ctx context.Context, tx *store.Tx, id int64) (Project, error) {
	p, err := scan(tx.QueryRow(ctx, "SELECT "+columns+" FROM projects p JOIN units u ON u.id = p.unit_id WHERE p.id = ?", id))
	if store.IsNoRows(err) {
		return p, errs.New(errs.NotFound, "project.not_found", id)
	}
	if err != nil {
		return p, err
	}
	list := []Project{p}
	if err := withAcceptances(ctx, tx, list); err != nil {
		return p, err
	}
	return list[0], nil
}

// Get returns a project the actor may read.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Project, error) {
	var p Project
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if p, err = get(ctx, tx, id); err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, p.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, chain) {
			return errs.New(errs.NotFound, "project.not_found", id)
		}
		return nil
	})
	return p, err
}

// Filter selects projects: of a unit (with its sub-units) and starting in [From, To].
type Filter struct {
	UnitID   int64
	From, To string // planned start days, inclusive; "" for open
	// Page reads a page by keyset (the list page and API): Fetch() rows in its order, for
	// store.Cut with PageKey. Without it every project of the filter comes.
	Page *store.Page
}

// projectOrder is the list's order: by planned start, then by id (the order of entry).
var projectOrder = store.Order{Col: "p.planned_start", ID: "p.id", Asc: true}

// PageKey is a project's place in the list (Filter.Page).
func PageKey(p Project) store.Key { return store.Key{Name: p.PlannedStart, ID: p.ID} }

// List returns the projects the actor may read, by planned start, with their acceptances: two
// queries whatever the number of projects.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Project, error) {
	var out []Project
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		where, args := []string{"1 = 1"}, []any{}
		if f.From != "" {
			where, args = append(where, "p.planned_start >= ?"), append(args, f.From)
		}
		if f.To != "" {
			where, args = append(where, "p.planned_start <= ?"), append(args, f.To)
		}
		// The scope is a condition of the query, so that a page is full however few of the
		// projects the actor may read.
		if _, all := actor.ScopeRoots(access.Read); !all || f.UnitID != 0 {
			var ids []int64
			for _, u := range tree.Ordered() {
				if (f.UnitID == 0 || slices.Contains(tree.Ancestry(u.ID), f.UnitID)) && actor.Can(access.Read, tree.Ancestry(u.ID)) {
					ids = append(ids, u.ID)
				}
			}
			if len(ids) == 0 {
				return nil
			}
			c, a := store.In("p.unit_id", ids)
			where, args = append(where, c), append(args, a...)
		}
		order := " ORDER BY p.planned_start, p.id"
		if f.Page != nil {
			if c, a := f.Page.Where(projectOrder); c != "" {
				where, args = append(where, c), append(args, a...)
			}
			order, args = f.Page.OrderBy(projectOrder), append(args, f.Page.Fetch())
		}
		rows, err := tx.Query(ctx, "SELECT "+columns+" FROM projects p JOIN units u ON u.id = p.unit_id WHERE "+strings.Join(where, " AND ")+order, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return withAcceptances(ctx, tx, out)
	})
	return out, err
}

// withAcceptances fills the acceptances of the projects in one query.
func withAcceptances(ctx context.Context, tx *store.Tx, ps []Project) error {
	if len(ps) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		at[p.ID], ids[i] = i, p.ID
	}
	in, args := store.In("project_id", ids)
	rows, err := tx.Query(ctx, "SELECT project_id, id, inspected_on, passed, note FROM project_acceptances WHERE "+in+" ORDER BY project_id, inspected_on, id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var a Acceptance
		if err := rows.Scan(&pid, &a.ID, &a.InspectedOn, &a.Passed, &a.Note); err != nil {
			return err
		}
		ps[at[pid]].Acceptances = append(ps[at[pid]].Acceptances, a)
	}
	return rows.Err()
}
