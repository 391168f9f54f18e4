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
