package access

import "testing"

func TestCan(t *testing.T) {
	// Tree: 1 company → 2 property dept → 3 永馨园, 4 玫瑰区.
	yongxin := []int64{3, 2, 1}
	meigui := []int64{4, 2, 1}
	head := Principal{Grants: []Grant{{Role: UnitHead, UnitID: 3}}}
	deptAdmin := Principal{Grants: []Grant{{Role: Admin, UnitID: 2}}}
	admin := Principal{Grants: []Grant{{Role: Admin}}}
	committee := Principal{Grants: []Grant{{Role: Committee}}}

	tests := []struct {
		name     string
		p        Principal
		action   Action
		ancestry []int64
		want     bool
	}{
		{"head reads own unit", head, Read, yongxin, true},
		{"head cannot read sibling", head, Read, meigui, false},
		{"head cannot read parent", head, Read, []int64{2, 1}, false},
		{"head cannot manage own unit", head, ManageOrg, yongxin, false},
		{"dept admin manages subtree", deptAdmin, ManageOrg, meigui, true},
		{"dept admin cannot manage company", deptAdmin, ManageOrg, []int64{1}, false},
		{"dept admin cannot act org-wide", deptAdmin, ManageOrg, nil, false},
		{"admin manages org-wide", admin, ManageOrg, nil, true},
		{"committee reads all", committee, Read, meigui, true},
		{"committee cannot manage", committee, ManageOrg, meigui, false},
		{"committee cannot read audit", committee, ReadAudit, nil, false},
		{"nobody can do nothing", Principal{}, Read, yongxin, false},
	}
	for _, tt := range tests {
		if got := tt.p.Can(tt.action, tt.ancestry); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestScopeRoots(t *testing.T) {
	p := Principal{Grants: []Grant{{Role: UnitHead, UnitID: 3}, {Role: Foreman, UnitID: 7}, {Role: Admin, UnitID: 9}}}
	roots, all := p.ScopeRoots(Read)
	if all || len(roots) != 3 {
		t.Fatalf("Read roots = %v, %v", roots, all)
	}
	roots, all = p.ScopeRoots(ManageOrg)
	if all || len(roots) != 1 || roots[0] != 9 {
		t.Fatalf("ManageOrg roots = %v, %v", roots, all)
	}
	if _, all := (Principal{Grants: []Grant{{Role: Clerk}}}).ScopeRoots(Read); !all {
		t.Fatal("an organisation-wide clerk should read everything")
	}
}

func TestHoldsOver(t *testing.T) {
	head := Principal{Grants: []Grant{{Role: UnitHead, UnitID: 5}, {Role: Staff, UnitID: 9}}}
	clerk := Principal{Grants: []Grant{{Role: Clerk}}}
	for _, c := range []struct {
		name     string
		p        Principal
		ancestry []int64
		roles    []Role
		want     bool
	}{
		{"head over own unit", head, []int64{5, 1}, []Role{UnitHead}, true},
		{"head over a unit below", head, []int64{7, 5, 1}, []Role{UnitHead}, true},
		{"head over the parent", head, []int64{1}, []Role{UnitHead}, false},
		{"head over a sibling", head, []int64{6, 1}, []Role{UnitHead}, false},
		{"staff grant is not a head grant", head, []int64{9, 1}, []Role{UnitHead, Clerk}, false},
		{"one of several roles", head, []int64{9, 1}, []Role{Clerk, Staff}, true},
		{"organisation-wide grant", clerk, []int64{42}, []Role{Clerk}, true},
		{"no roles asked", clerk, []int64{42}, nil, false},
	} {
		if got := c.p.HoldsOver(c.ancestry, c.roles...); got != c.want {
			t.Errorf("%s: HoldsOver = %v, want %v", c.name, got, c.want)
		}
	}
	if !head.HasAny(Clerk, Staff) || head.HasAny(Clerk, Admin) {
		t.Error("HasAny does not follow the grants")
	}
}

// Records name their author two ways: by the person (DisplayName, shown on notices and
// sign-offs) and by the account (Login, the recorded_by columns that audit trails join on).
func TestPrincipalNames(t *testing.T) {
	for _, c := range []struct {
		p              Principal
		display, login string
	}{
		{Principal{Username: "clerk", Name: "林晓雯"}, "林晓雯", "clerk"},
		{Principal{Username: "clerk"}, "clerk", "clerk"},
		{Principal{Name: "林晓雯"}, "林晓雯", "system"},
		{Principal{}, "system", "system"},
		{System, "system", "system"},
	} {
		if got := c.p.DisplayName(); got != c.display {
			t.Errorf("%+v DisplayName = %q, want %q", c.p, got, c.display)
		}
		if got := c.p.Login(); got != c.login {
			t.Errorf("%+v Login = %q, want %q", c.p, got, c.login)
		}
	}
}
