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
