package complaint_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestParseDirectPoints(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{{"5", 500, true}, {"0.5", 50, true}, {" 12.25 ", 1225, true}, {"100", 10000, true},
		{"", 0, false}, {"0", 0, false}, {"-1", 0, false}, {"100.01", 0, false}, {"1.234", 0, false}, {"abc", 0, false}} {
		got, err := complaint.ParseDirectPoints(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDirectPoints(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDirectDeductions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, "2026-11-20 10:00")
		other := f.register(t, complaint.Input{UnitID: f.area2.ID, ReceivedAt: at("2026-11-02 09:00")})
		staff := access.Principal{Username: "w", Grants: []access.Grant{{Role: access.Staff, UnitID: f.area.ID}}}
		for _, tt := range []struct {
			name  string
			actor access.Principal
			in    complaint.DirectInput
			code  errs.Code
			want  string
		}{
			{"no points", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Reason: "x"}, errs.Invalid, "不能为空"},
			{"points over 100", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Points: "101", Reason: "x"}, errs.Invalid, "100"},
			{"no reason", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Points: "2"}, errs.Invalid, "不能为空"},
			{"a future day", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-21", Points: "2", Reason: "x"}, errs.Invalid, "2026-11-21"},
			{"a bad day", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "11/03", Points: "2", Reason: "x"}, errs.Invalid, "11/03"},
			{"a complaint of another unit", clerk, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Points: "2", Reason: "x", ComplaintID: other.ID}, errs.Invalid, "不是该单位"},
			{"staff", staff, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Points: "2", Reason: "x"}, errs.Forbidden, ""},
			// MayAddDirect refuses before the input is read, on the page and through the API alike.
			{"staff, without points", staff, complaint.DirectInput{UnitID: f.area.ID, Day: "2026-11-03", Reason: "x"}, errs.Forbidden, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := complaint.AddDirect(ctx, db, tt.actor, tt.in)
				if !errs.Is(err, tt.code) || !strings.Contains(errs.As(err).Message(locale.ZH), tt.want) {
					t.Fatalf("got %v (%s), want %s containing %q", err, errs.As(err).Message(locale.ZH), tt.code, tt.want)
				}
			})
		}
		if got, err := complaint.ListDirect(ctx, db, clerk, "2026-01-01", "2026-12-31"); err != nil || len(got) != 0 {
			t.Fatalf("a refused deduction was stored: %+v %v", got, err)
		}
		mine := f.register(t, complaint.Input{ReceivedAt: at("2026-10-02 09:00")})
		for _, in := range []complaint.DirectInput{
			{UnitID: f.area.ID, Day: "2026-10-12", Points: "5", Reason: "发货单据错漏导致客户停产", ComplaintID: mine.ID},
			{UnitID: f.area.ID, Day: "2026-11-03", Points: "2.5", Reason: "计量差错"},
			{UnitID: f.area.ID, Day: "2026-09-30", Points: "3", Reason: "上季度"},
			{UnitID: f.area2.ID, Day: "2026-11-03", Points: "4", Reason: "另一单位"},
		} {
			if _, err := complaint.AddDirect(ctx, db, clerk, in); err != nil {
				t.Fatal(err)
			}
		}
		var got []assessment.Fact
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			got, err = complaint.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: f.area.ID, Period: "2026-Q4", From: at("2026-10-01 00:00").UTC(), To: at("2027-01-01 00:00").UTC(),
				Names: []string{"direct_deductions", "complaints_valid"}})
			return err
		})
		if err != nil || len(got) != 2 || got[0].Name != "direct_deductions" || got[0].Value != json.Number("7.5") || len(got[0].Records) != 2 ||
			got[0].Records[0].URL != "/complaints/"+itoa(mine.ID) {
			t.Fatalf("facts: %+v %v", got, err)
		}
	})
}
