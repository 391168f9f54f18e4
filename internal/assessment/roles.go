package assessment

import (
	"context"
	"fmt"
	"strconv"

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

func loadOrg(ctx context.Context, db *store.DB) (*orgSnapshot, error) {
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
