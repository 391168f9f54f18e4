package workorder_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"manyi/internal/access"
	"manyi/internal/workorder"
)

// checkBalance asserts the policy's properties of an assignment.
func checkBalance(t *testing.T, in workorder.DrawInput, out []workorder.Assignment) {
	t.Helper()
	if len(out) != len(in.Orders) {
		t.Fatalf("%d assignments for %d orders", len(out), len(in.Orders))
	}
	seen := map[int64]bool{}
	perMaint := map[int64][2]int{} // orders, manager calls
	perCaller := map[access.Role]map[int64]int{access.Dispatcher: {}, access.Manager: {}}
	for _, a := range out {
		if seen[a.OrderID] {
			t.Fatalf("order %d assigned twice", a.OrderID)
		}
		seen[a.OrderID] = true
		c := perMaint[a.MaintainerID]
		c[0]++
		if a.Role == access.Manager {
			c[1]++
		}
		perMaint[a.MaintainerID] = c
		perCaller[a.Role][a.CallerID]++
	}
	if len(in.Managers) > 0 && len(in.Dispatchers) > 0 {
		for m, c := range perMaint {
			lo, hi := c[0]/10, (c[0]+9)/10
			if c[1] < lo || c[1] > hi {
				t.Errorf("maintainer %d: %d of %d orders to managers, want %d..%d", m, c[1], c[0], lo, hi)
			}
		}
		if got, want := len(out)-countRole(out, access.Dispatcher), len(in.Orders)/10; got != want {
			t.Errorf("%d manager calls in all, want %d", got, want)
		}
	}
	for role, people := range map[access.Role][]int64{access.Dispatcher: in.Dispatchers, access.Manager: in.Managers} {
		if len(perCaller[role]) == 0 {
			continue
		}
		min, max := -1, 0
		for _, p := range people {
			n := perCaller[role][p]
			if min < 0 || n < min {
				min = n
			}
			if n > max {
				max = n
			}
		}
		if max-min > 1 {
			t.Errorf("%s calls spread %d..%d over %d people", role, min, max, len(people))
		}
	}
}

func countRole(out []workorder.Assignment, r access.Role) int {
	n := 0
	for _, a := range out {
		if a.Role == r {
			n++
		}
	}
	return n
}

func orders(perMaint ...int) []workorder.DrawOrder {
	var out []workorder.DrawOrder
	id := int64(100)
	for m, n := range perMaint {
		for range n {
			id++
			out = append(out, workorder.DrawOrder{OrderID: id, MaintainerID: int64(m + 1)})
		}
	}
	return out
}

func TestDrawTable(t *testing.T) {
	for _, tc := range []struct {
		name              string
		perMaint          []int
		dispatchers, mgrs []int64
		wantManagers      int
	}{
		{"seed example: 10 each", []int{10, 10, 10}, []int64{1, 2, 3, 4}, []int64{7, 8, 9}, 3},
		{"small maintainers carry", []int{3, 3, 3, 3}, []int64{1, 2, 3, 4}, []int64{7}, 1},
		{"one order", []int{1}, []int64{1}, []int64{7}, 0},
		{"uneven", []int{27, 4, 0, 15, 1}, []int64{1, 2, 3}, []int64{7, 8}, 4},
		{"no manager on duty", []int{12, 8}, []int64{1, 2}, nil, 0},
		{"no dispatcher on duty", []int{12, 8}, nil, []int64{7}, 20},
		{"nothing closed", nil, []int64{1}, []int64{7}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := workorder.DrawInput{Seed: 42, Orders: orders(tc.perMaint...), Dispatchers: tc.dispatchers, Managers: tc.mgrs}
			out := workorder.Draw(in)
			checkBalance(t, in, out)
			if got := countRole(out, access.Manager); got != tc.wantManagers {
				t.Errorf("manager calls %d, want %d", got, tc.wantManagers)
			}
		})
	}
}

func TestDrawNobodyOnDuty(t *testing.T) {
	if out := workorder.Draw(workorder.DrawInput{Seed: 1, Orders: orders(3)}); out != nil {
		t.Fatalf("assigned %v with nobody on duty", out)
	}
}

// TestDrawProperties checks balance and reproducibility on many random days.
func TestDrawProperties(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	for i := range 500 {
		per := make([]int, 1+rnd.IntN(20))
		for j := range per {
			per[j] = rnd.IntN(40)
		}
		in := workorder.DrawInput{Seed: rnd.Uint64(), Orders: orders(per...)}
		for j := range 1 + rnd.IntN(6) {
			in.Dispatchers = append(in.Dispatchers, int64(j+1))
		}
		for j := range 1 + rnd.IntN(3) {
			in.Managers = append(in.Managers, int64(j+50))
		}
		out := workorder.Draw(in)
		checkBalance(t, in, out)
		// The same input, shuffled, gives the same assignment.
		shuffled := in
		shuffled.Orders = append([]workorder.DrawOrder(nil), in.Orders...)
		rnd.Shuffle(len(shuffled.Orders), func(a, b int) { shuffled.Orders[a], shuffled.Orders[b] = shuffled.Orders[b], shuffled.Orders[a] })
		if again := workorder.Draw(shuffled); !reflect.DeepEqual(out, again) {
			t.Fatalf("case %d: the draw is not reproducible", i)
		}
		if t.Failed() {
			t.Fatalf("case %d: %+v", i, per)
		}
	}
}

// TestDrawSeedMatters shows that the seed, not the order ids, picks the managers' orders.
func TestDrawSeedMatters(t *testing.T) {
	in := workorder.DrawInput{Seed: 1, Orders: orders(40, 40), Dispatchers: []int64{1, 2}, Managers: []int64{9}}
	a := workorder.Draw(in)
	in.Seed = 2
	if reflect.DeepEqual(a, workorder.Draw(in)) {
		t.Fatal("two seeds gave the same draw")
	}
}
