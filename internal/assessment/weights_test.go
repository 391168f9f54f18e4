package assessment_test

import (
	"context"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestDeptWeights: the committee's weights for dept-quarterly-weighted (docs/policies.md §3). Weights
// that do not sum to 100 are refused when the version is imported, nothing is stored, and the
// built-in stays inactive; 40/30/30 imports and activates.
func TestDeptWeights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		committee := access.Principal{Username: "admin", Grants: []access.Grant{{Role: access.Admin}}}
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		list, err := assessment.ListSchemes(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var v1 assessment.SchemeVersion
		for _, v := range list {
			if v.Code == "dept-quarterly-weighted" {
				v1 = v
			}
		}
		if _, err := assessment.ActivateScheme(ctx, db, committee, v1.ID); !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), "100%") {
			t.Fatalf("activated without weights: %v", err)
		}
		withWeights := func(self, survey, complaints string) []byte {
			s, err := scheme.Parse([]byte(v1.YAML))
			if err != nil {
				t.Fatal(err)
			}
			s.Weights.Values = map[string]scheme.Decimal{"self": scheme.MustDecimal(self), "survey": scheme.MustDecimal(survey), "complaints": scheme.MustDecimal(complaints)}
			y, err := s.YAML()
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		for _, bad := range [][3]string{{"40", "30", "20"}, {"40", "30", "40"}, {"40", "30", "30.01"}} {
			_, err := assessment.ImportScheme(ctx, db, committee, withWeights(bad[0], bad[1], bad[2]))
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), "必须正好是 100%") {
				t.Fatalf("weights %v: %v (%s)", bad, err, errs.As(err).Message(locale.ZH))
			}
		}
		if after, _ := assessment.ListSchemes(ctx, db); len(after) != len(list) {
			t.Fatalf("a refused version was stored: %d → %d", len(list), len(after))
		}
		v2, err := assessment.ImportScheme(ctx, db, committee, withWeights("40", "30", "30"))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := assessment.ActivateScheme(ctx, db, committee, v2.ID); err != nil || !v.Active {
			t.Fatalf("activate 40/30/30: %+v %v", v, err)
		}
	})
}
