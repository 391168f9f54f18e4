package assessment

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Who does what in period close (docs/assessment.md):
//   - a clerk over the subjects' parent unit starts, recomputes and decides;
//   - a committee member over it approves (审定);
//   - a clerk or a committee member locks an approved close and reopens one with a reason;
//   - an administrator manages scheme versions;
//   - everyone reads the results of the units in their scope, and only those.

// loadTree reads the whole organisation tree; it has hundreds of units, not millions.
func loadTree(ctx context.Context, db *store.DB) (*org.Tree, error) {
	units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	return org.NewTree(units), nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func fmtSscan(s string, id *int64) (int, error) { return fmt.Sscan(s, id) }

// orgSnapshot is the organisation as a close reads it: the unit tree and every person with
// their roles, loaded once per operation (three queries) rather than per subject.
type orgSnapshot struct {
	*org.Tree
	people []org.Person
	byID   map[int64]org.Person
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

// ShareOrg returns a context in which the engine's reads load the organisation once. A report
// reads four periods, a year and a month's ledger, and each read loaded every unit and every
// person with their roles again: at 10,000 people, 45 % of the monthly report's CPU
// (docs/benchmarks.md, "reports"). The snapshot is of the first read, so the context is for
// one page's reads, never for a change: nothing is written in it.
func ShareOrg(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedOrgKey{}, &sharedOrg{})
}

func readOrg(ctx context.Context, db *store.DB) (*orgSnapshot, error) {
	tree, err := loadTree(ctx, db)
	if err != nil {
		return nil, err
	}
	people, err := loadPeople(ctx, db)
	if err != nil {
		return nil, err
	}
	return &orgSnapshot{Tree: tree, people: people, byID: peopleByID(people)}, nil
}

// subjectName names a subject for messages: the unit, and the person in it.
func (o *orgSnapshot) subjectName(s Subject) string {
	u, _ := o.Unit(s.UnitID)
	if p, ok := o.byID[s.PersonID]; ok {
		return p.Name + "（" + u.Name + "）"
	}
	return u.Name
}
