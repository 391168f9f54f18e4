package assessment

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// Who does what in period close (docs/assessment.md):
//   - a clerk over the subjects' parent unit starts, recomputes and decides;
//   - a committee member over it approves (审定);
//   - a clerk or a committee member locks an approved close and reopens one with a reason;
//   - an administrator manages scheme versions;
//   - everyone reads the results of the units in their scope, and only those.

// loadTree reads the whole organisation tree; it has hundreds of units (2,000 at national
// scale), not millions.
func loadTree(ctx context.Context, db *store.DB) (tree *org.Tree, err error) {
	err = db.Read(ctx, func(tx *store.Tx) error {
		tree, err = org.LoadTree(ctx, tx)
		return err
	})
	return tree, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtSscan(s string, id *int64) (int, error) { return fmt.Sscan(s, id) }

// orgSnapshot is the organisation as a close or a report reads it: the unit tree, loaded once
// per operation, and the people it has needed so far. People are read only when needed (the
// subjects of a person scheme under one parent, the people a page names), never all of them:
// at national scale the whole staff is 100,000 people, a second of CPU per close.
type orgSnapshot struct {
	*org.Tree
	mu       sync.Mutex
	byID     map[int64]org.Person
	subjects map[string][]org.Person // the people read for subjects, by who was asked for
}

// loadOrg reads the organisation, or returns the one already read in a context of ShareOrg.
func loadOrg(ctx context.Context, db *store.DB) (*orgSnapshot, error) {
	m, ok := ctx.Value(sharedOrgKey{}).(*sharedOrg)
	if !ok {
		return readOrg(ctx, db)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.o == nil {
		o, err := readOrg(ctx, db)
		if err != nil {
			return nil, err
		}
		m.o = o
	}
	return m.o, nil
}

type sharedOrgKey struct{}

type sharedOrg struct {
	mu sync.Mutex
	o  *orgSnapshot
}

// ShareOrg returns a context in which the engine's reads share one organisation: the unit tree
// read once, and the people read once each. A report reads four periods, a year and a month's
// ledger, and each read loaded the whole organisation again: at 10,000 people, 45 % of the
// monthly report's CPU (docs/benchmarks.md, "reports"). The snapshot is of the first reads, so
// the context is for one page's reads, never for a change: nothing is written in it.
func ShareOrg(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedOrgKey{}, &sharedOrg{})
}

func readOrg(ctx context.Context, db *store.DB) (*orgSnapshot, error) {
	tree, err := loadTree(ctx, db)
	if err != nil {
		return nil, err
	}
	return &orgSnapshot{Tree: tree, byID: map[int64]org.Person{}, subjects: map[string][]org.Person{}}, nil
}

// subjectsOf returns a close's subjects under parent (Subjects), reading in tx only the people
// they need: nobody for unit and team schemes, the unit heads for unit-head schemes, and for
// person schemes the people of the parent's subtree holding the scheme's roles.
func (o *orgSnapshot) subjectsOf(ctx context.Context, tx *store.Tx, sch *scheme.Scheme, parent int64) ([]Subject, error) {
	var q org.PeopleQuery
	switch sch.Subject {
	case scheme.Person:
		q = org.PeopleQuery{UnitIDs: o.Subtree(parent), Roles: roles(sch)}
	case scheme.UnitHead:
		q = org.PeopleQuery{Roles: []access.Role{access.UnitHead}}
	default:
		return Subjects(sch, o.Tree, nil, parent), nil
	}
	key := fmt.Sprint(sch.Subject, q.Roles, parent)
	o.mu.Lock()
	defer o.mu.Unlock()
	people, ok := o.subjects[key]
	if !ok {
		var err error
		if people, err = org.ReadPeople(ctx, tx, q); err != nil {
			return nil, err
		}
		o.subjects[key] = people
		for _, p := range people {
			o.byID[p.ID] = p
		}
	}
	return Subjects(sch, o.Tree, people, parent), nil
}

// readPeople reads in tx the people of ids not read yet, so that person can name them.
func (o *orgSnapshot) readPeople(ctx context.Context, tx *store.Tx, ids []int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var missing []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if _, ok := o.byID[id]; !ok && id != 0 && !seen[id] {
			seen[id] = true
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	people, err := org.ReadPeople(ctx, tx, org.PeopleQuery{IDs: missing})
	for _, p := range people {
		o.byID[p.ID] = p
	}
	return err
}

// personIDs returns the people the results are charged to.
func personIDs(rs []Result) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.PersonID
	}
	return out
}

// person returns a person read by subjectsOf or readPeople; the zero Person for anyone else.
func (o *orgSnapshot) person(id int64) org.Person {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.byID[id]
}

// subjectName names a subject for messages: the unit, and the person in it.
func (o *orgSnapshot) subjectName(s Subject) string {
	u, _ := o.Unit(s.UnitID)
	if p := o.person(s.PersonID); p.ID != 0 {
		return p.Name + "（" + u.Name + "）"
	}
	return u.Name
}
