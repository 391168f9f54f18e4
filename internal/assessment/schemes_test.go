package assessment_test

import (
	"context"
	"strings"
	"testing"

	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestSchemeVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 2; i++ { // idempotent
			if err := assessment.SeedSchemes(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		list, err := assessment.ListSchemes(ctx, db)
		if err != nil || len(list) != 5 {
			t.Fatalf("%d stored schemes, want the 5 built-ins (%v)", len(list), err)
		}
		byCode := map[string]assessment.SchemeVersion{}
		for _, v := range list {
			byCode[v.Code] = v
		}
		if !byCode["unit-monthly"].Active || byCode["dept-quarterly-weighted"].Active {
			t.Fatal("unit-monthly should be active and dept-quarterly-weighted not (no weights)")
		}
		_, err = assessment.ActivateScheme(ctx, db, admin, byCode["dept-quarterly-weighted"].ID)
		wantCode(t, "activate without weights", err, errs.Invalid, "")
		if !strings.Contains(errs.As(err).Message("en"), "weights") {
			t.Fatalf("activation refusal does not name the weights: %v", err)
		}

		um := byCode["unit-monthly"]
		_, err = assessment.ImportScheme(ctx, db, clerk, []byte(um.YAML))
		wantCode(t, "import by a clerk", err, errs.Forbidden, "")
		_, err = assessment.ImportScheme(ctx, db, admin, []byte(um.YAML))
		wantCode(t, "import unchanged", err, errs.Invalid, "完全相同")
		_, err = assessment.ImportScheme(ctx, db, admin, []byte("code: x\n  bad: ["))
		wantCode(t, "import broken YAML", err, errs.Invalid, "line 2")
		bad := strings.Replace(um.YAML, "standards_max - problems * per_problem", "standards_max - problems *", 1)
		_, err = assessment.ImportScheme(ctx, db, admin, []byte(bad))
		if err == nil || !strings.Contains(errs.As(err).Message("zh-CN"), "第 1 行第") {
			t.Fatalf("bad formula: %v", err)
		}

		s, _ := scheme.Parse([]byte(um.YAML))
		s.Params[0].Value = scheme.MustDecimal("60")
		changed, _ := s.YAML()
		v2, err := assessment.ImportScheme(ctx, db, admin, changed)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Active {
			t.Fatalf("import = v%d active %v, want an inactive version 2", v2.Version, v2.Active)
		}
		if _, err := assessment.ActivateScheme(ctx, db, admin, v2.ID); err != nil {
			t.Fatal(err)
		}
		old, _ := assessment.GetScheme(ctx, db, um.ID)
		if old.Active {
			t.Fatal("version 1 still active after activating version 2")
		}
	})
}
