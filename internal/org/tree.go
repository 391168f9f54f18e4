package org

import "sort"

// Tree indexes units by id and parent for in-memory walks.
type Tree struct {
	byID     map[int64]Unit
	children map[int64][]int64
}

// NewTree builds a tree from units in any order.
func NewTree(units []Unit) *Tree {
	t := &Tree{byID: make(map[int64]Unit, len(units)), children: map[int64][]int64{}}
	for _, u := range units {
		t.byID[u.ID] = u
	}
	for _, u := range units {
		parent := u.ParentID
		if _, ok := t.byID[parent]; !ok {
			parent = 0 // an orphan (parent out of the list) is shown as a root
		}
		t.children[parent] = append(t.children[parent], u.ID)
	}
	for _, ids := range t.children {
		sort.Slice(ids, func(i, j int) bool { return t.byID[ids[i]].Code < t.byID[ids[j]].Code })
	}
	return t
}

// Unit returns the unit with id.
func (t *Tree) Unit(id int64) (Unit, bool) { u, ok := t.byID[id]; return u, ok }

// Ancestry returns id and its ancestors, nearest first.
func (t *Tree) Ancestry(id int64) []int64 {
	var chain []int64
	for cur, ok := t.byID[id]; ok && len(chain) <= len(t.byID); cur, ok = t.byID[cur.ParentID] {
		chain = append(chain, cur.ID)
	}
	return chain
}

// Path returns the names from the root down to id, for breadcrumbs.
func (t *Tree) Path(id int64) []Unit {
	chain := t.Ancestry(id)
	out := make([]Unit, len(chain))
	for i, uid := range chain {
		out[len(chain)-1-i] = t.byID[uid]
	}
	return out
}

// Ordered returns units depth-first, parents before children, with Depth set.
func (t *Tree) Ordered() []Unit {
	out := make([]Unit, 0, len(t.byID))
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, id := range t.children[parent] {
			u := t.byID[id]
			u.Depth = depth
			out = append(out, u)
			walk(id, depth+1)
		}
	}
	walk(0, 0)
	return out
}

// Subtree returns id and all its descendants.
func (t *Tree) Subtree(id int64) []int64 {
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}
