package workorder

import (
	"math/rand/v2"
	"sort"

	"manyi/internal/access"
)

// ManagerShareTenths is the managers' share of each maintainer's callbacks, in tenths: the
// seed gives dispatchers 90 % and managers 10 %.
const ManagerShareTenths = 1

// DrawOrder is one closed order to be called back.
type DrawOrder struct {
	OrderID      int64 `json:"order_id"`
	MaintainerID int64 `json:"maintainer_id"`
}

// DrawInput is everything the draw depends on. Stored with the draw, it lets anyone recompute
// the assignment and see that it is what the system did.
type DrawInput struct {
	Seed        uint64      `json:"seed"`
	Orders      []DrawOrder `json:"orders"`
	Dispatchers []int64     `json:"dispatchers"` // people on duty, by id
	Managers    []int64     `json:"managers"`
}

// Assignment is one callback task: an order, the role that calls and the person.
type Assignment struct {
	OrderID      int64       `json:"order_id"`
	MaintainerID int64       `json:"maintainer_id"`
	Role         access.Role `json:"role"`
	CallerID     int64       `json:"caller_id"`
}

// Draw assigns every order's callback to a dispatcher or a manager. It is a pure function of
// its input: the same input gives the same assignment, whatever the order of the slices.
//
//   - Each maintainer's orders are split in the 90/10 proportion within one order: a
//     maintainer with n orders gets ⌊n/10⌋ or ⌈n/10⌉ manager callbacks. Which of the two is
//     decided by carrying the remainders across maintainers in a seeded order, so that the
//     day's total is ⌊N/10⌋ and no maintainer is always the one rounded up.
//   - Which of a maintainer's orders go to managers is a seeded shuffle.
//   - Within each role the calls are dealt round-robin, maintainer by maintainer, from a
//     seeded starting person, so every caller gets the same number of calls within one and
//     a mix of maintainers.
//
// With no manager on duty every callback goes to the dispatchers, and with no dispatcher to
// the managers; with nobody on duty there is no assignment (Generate refuses that case).
func Draw(in DrawInput) []Assignment {
	rnd := rand.New(rand.NewPCG(in.Seed, 0x6d616e7969)) // "manyi"
	byMaint := map[int64][]int64{}
	for _, o := range in.Orders {
		byMaint[o.MaintainerID] = append(byMaint[o.MaintainerID], o.OrderID)
	}
	maints := make([]int64, 0, len(byMaint))
	for m, orders := range byMaint {
		maints = append(maints, m)
		sort.Slice(orders, func(i, j int) bool { return orders[i] < orders[j] })
	}
	sort.Slice(maints, func(i, j int) bool { return maints[i] < maints[j] })
	disp, mgrs := sorted(in.Dispatchers), sorted(in.Managers)
	if len(disp)+len(mgrs) == 0 {
		return nil
	}

	// The remainder carry runs over the maintainers in a seeded order.
	carryOrder := append([]int64(nil), maints...)
	rnd.Shuffle(len(carryOrder), func(i, j int) { carryOrder[i], carryOrder[j] = carryOrder[j], carryOrder[i] })
	managerCount := map[int64]int{}
	cum := 0
	for _, m := range carryOrder {
		n := len(byMaint[m])
		managerCount[m] = (cum+n)*ManagerShareTenths/10 - cum*ManagerShareTenths/10
		cum += n
	}

	var toDisp, toMgr []Assignment
	for _, m := range maints {
		orders := append([]int64(nil), byMaint[m]...)
		rnd.Shuffle(len(orders), func(i, j int) { orders[i], orders[j] = orders[j], orders[i] })
		k := managerCount[m]
		for i, id := range orders {
			a := Assignment{OrderID: id, MaintainerID: m}
			if i < k {
				toMgr = append(toMgr, a)
			} else {
				toDisp = append(toDisp, a)
			}
		}
	}
	switch {
	case len(mgrs) == 0:
		toDisp, toMgr = append(toDisp, toMgr...), nil
	case len(disp) == 0:
		toMgr, toDisp = append(toMgr, toDisp...), nil
	}
	out := make([]Assignment, 0, len(in.Orders))
	out = deal(out, toDisp, access.Dispatcher, disp, rnd)
	out = deal(out, toMgr, access.Manager, mgrs, rnd)
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	return out
}

// deal hands calls to people round-robin from a seeded start.
func deal(out, calls []Assignment, role access.Role, people []int64, rnd *rand.Rand) []Assignment {
	if len(calls) == 0 {
		return out
	}
	start := rnd.IntN(len(people))
	for i, a := range calls {
		a.Role, a.CallerID = role, people[(start+i)%len(people)]
		out = append(out, a)
	}
	return out
}

func sorted(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	// Drop duplicates: a person counted twice would get twice the calls.
	j := 0
	for i, id := range out {
		if i == 0 || id != out[j-1] {
			out[j] = id
			j++
		}
	}
	return out[:j]
}
