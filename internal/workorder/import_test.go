package workorder_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// workbookCSV is a day of the centre's fault workbook with two good rows, a row naming an
// unknown maintainer and a row closed before it was reported.
const workbookCSV = `工单号,报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人,首次联系时间,到场时间,关闭时间,故障原因,处理措施
1,2026-10-12 08:30,王老师,13800001111,3号楼201,交换机,网络不通,IMC-WL,维修人甲,2026-10-12 08:40,2026-10-12 09:10,2026-10-12 10:00,网线松动,重新压接
2,2026/10/12 09:05,李老师,13800002222,图书馆,打印机,卡纸,IMC-WL,维修人乙,,,,,
3,2026-10-12 09:30,赵老师,13800003333,5号楼,投影仪,无信号,IMC-WL,张三,,,,,
4,2026-10-12 11:00,钱老师,13800004444,食堂,收银机,死机,IMC-WL,维修人甲,,,2026-10-12 10:00,重启,重启
`

func countOrders(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM work_orders").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		sheet, err := workorder.ReadSheet("day.csv", []byte(workbookCSV))
		if err != nil {
			t.Fatal(err)
		}
		in := workorder.ImportInput{FileName: "day.csv", Data: []byte(workbookCSV), Sheet: sheet}

		// Bad rows without "good rows only": nothing is stored, and each bad row is named.
		res, err := workorder.Import(ctx, db, f.disp1, in)
		wantCode(t, err, errs.Invalid, "file with bad rows")
		if n := countOrders(t, db); n != 0 {
			t.Fatalf("%d orders stored from a refused file", n)
		}
		var rows []string
		for _, p := range res.Check.Problems {
			rows = append(rows, p.Err.Field+"@"+strconv.Itoa(p.Row)+": "+p.Err.Message(locale.ZH))
		}
		want := []string{"maintainer@4: 维修人“张三”不是班组“IMC-WL”的人员", "closed_at@5: 关闭时间不能早于报修时间"}
		if len(rows) != 2 || !strings.HasPrefix(rows[0], want[0]) || !strings.HasPrefix(rows[1], "closed_at@5") {
			t.Fatalf("problems %q, want %q", rows, want)
		}

		// Good rows only: the two good rows become orders, the closed one closed.
		in.GoodOnly = true
		res, err = workorder.Import(ctx, db, f.disp1, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 2 || len(res.Check.Problems) != 2 {
			t.Fatalf("imported %d with %d problems, want 2 and 2", res.Imported, len(res.Check.Problems))
		}
		first, err := workorder.Get(ctx, db, f.clerk, res.FirstID)
		if err != nil {
			t.Fatal(err)
		}
		if first.Reporter != "王老师" || first.CloseDay != "2026-10-12" || first.Measures != "重新压接" || !first.ReportedAt.Equal(f.at("2026-10-12 08:30")) {
			t.Fatalf("first imported order %+v", first)
		}

		// The same file again: every good row is a duplicate, nothing is added.
		res, err = workorder.Import(ctx, db, f.disp1, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 0 || len(res.Check.Duplicates) != 2 || countOrders(t, db) != 2 {
			t.Fatalf("re-import: imported %d, duplicates %d, orders %d", res.Imported, len(res.Check.Duplicates), countOrders(t, db))
		}
	})
}

func TestImportXLSXWithMapping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		// Another centre's workbook: its own headers, a date cell and a number for the phone.
		x := excelize.NewFile()
		rows := [][]any{
			{"日期时间", "姓名", "手机号码", "楼宇", "系统名称", "问题", "负责人", "完成时间", "原因分析", "解决办法"},
			{f.at("2026-10-13 14:05"), "孙老师", 13800005555, "行政楼", "门禁", "刷卡无反应", "维修人乙", "2026-10-13 16:00", "读卡器损坏", "更换读卡器"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		style, _ := x.NewStyle(&excelize.Style{NumFmt: 22})
		x.SetCellStyle("Sheet1", "A2", "A2", style)
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			t.Fatal(err)
		}
		id, err := workorder.Stage(ctx, db, f.disp1, "other.xlsx", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		st, sheet, err := workorder.GetStaged(ctx, db, f.disp1, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Mapping.Missing()) == 0 {
			t.Fatalf("unknown headers %q mapped as %q", sheet.Headers, st.Mapping)
		}
		_, err = workorder.Commit(ctx, db, f.disp1, id, false)
		wantCode(t, err, errs.Invalid, "commit with an incomplete mapping")

		// Someone else cannot see or commit the upload.
		_, _, err = workorder.GetStaged(ctx, db, f.disp2, id)
		wantCode(t, err, errs.NotFound, "another user's upload")

		twice := workorder.Mapping{workorder.FieldReportedAt, workorder.FieldReporter, workorder.FieldPhone, workorder.FieldLocation, workorder.FieldDevice,
			workorder.FieldFault, workorder.FieldMaintainer, workorder.FieldClosedAt, workorder.FieldCause, workorder.FieldCause}
		err = workorder.SaveMapping(ctx, db, f.disp1, id, twice)
		wantCode(t, err, errs.Invalid, "a field on two columns")
		m := slices.Clone(twice)
		m[9] = workorder.FieldMeasures
		if err := workorder.SaveMapping(ctx, db, f.disp1, id, m); err != nil {
			t.Fatal(err)
		}
		res, err := workorder.Commit(ctx, db, f.disp1, id, false)
		if err != nil {
			t.Fatal(err)
		}
		o, err := workorder.Get(ctx, db, f.clerk, res.FirstID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 1 || o.Phone != "13800005555" || !o.ReportedAt.Equal(f.at("2026-10-13 14:05")) || o.TeamID != f.team.ID || o.CloseDay != "2026-10-13" {
			t.Fatalf("imported %d: %+v", res.Imported, o)
		}
		// A double click commits nothing more.
		again, err := workorder.Commit(ctx, db, f.disp1, id, false)
		if err != nil || !again.AlreadyRun || countOrders(t, db) != 1 {
			t.Fatalf("second commit: %+v, %v, %d orders", again, err, countOrders(t, db))
		}
	})
}

func TestReadSheetRefusals(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("报修时间,报修人\n2026-10-12 08:30,王老师\n"))
	s, err := workorder.ReadSheet("gbk.csv", gbk)
	if err != nil || s.Headers[1] != "报修人" || s.Rows[0].Cell(1) != "王老师" || s.Rows[0].Number != 2 {
		t.Fatalf("GBK CSV: %+v, %v", s, err)
	}
	for _, c := range []struct {
		name, data, key string
	}{
		{"a.csv", "", "wo.import_empty"},
		{"a.csv", "报修时间,报修人\n", "wo.import_no_rows"},
		{"a.xlsx", "报修时间,报修人\n1,2\n", "wo.import_not_xlsx"},
		{"a.csv", "PK\x03\x04rest", "wo.import_not_csv"},
		{"a.pdf", "%PDF-1.4", "wo.import_format"},
		{"a.csv", "a,b\n\"x,y\n", "wo.import_csv"},
	} {
		_, err := workorder.ReadSheet(c.name, []byte(c.data))
		if e := errs.As(err); e == nil || e.Key != c.key || e.Field != "import_file" {
			t.Errorf("%s %q: got %v, want %s", c.name, c.data, err, c.key)
		}
	}
}

func TestImportRefusesOutsideScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		sheet, err := workorder.ReadSheet("day.csv", []byte(workbookCSV))
		if err != nil {
			t.Fatal(err)
		}
		_, err = workorder.Import(ctx, db, f.maint, workorder.ImportInput{Sheet: sheet, GoodOnly: true})
		wantCode(t, err, errs.Forbidden, "a maintainer importing")
		other := access.Principal{Username: "x", Grants: []access.Grant{{Role: access.Dispatcher, UnitID: f.clerk.PersonID + 1000}}}
		res, err := workorder.Import(ctx, db, other, workorder.ImportInput{Sheet: sheet})
		wantCode(t, err, errs.Invalid, "rows of a team outside scope")
		if len(res.Check.Problems) != 4 || res.Check.Problems[0].Err.Key != "wo.import_team_forbidden" {
			t.Fatalf("problems %+v", res.Check.Problems)
		}
	})
}

// TestImportLinksRepeatReports: a repeat report is linked to the order it repeats, whether
// that order was registered before the import or is an earlier row of the same file, and
// whatever the order of the rows in the file.
func TestImportLinksRepeatReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		before := f.order(t, f.maint, "13800009999", "2026-10-05 08:00", "2026-10-05 10:00")
		csv := "报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人,关闭时间,故障原因,处理措施\n" +
			"2026-10-12 09:00,王老师,13800001111,3号楼201,交换机,又不通了,IMC-WL,维修人甲,,,\n" +
			"2026-10-10 08:00,王老师,13800001111,3号楼201,交换机,网络不通,IMC-WL,维修人甲,2026-10-10 11:00,网线松动,重新压接\n" +
			"2026-10-08 08:00,赵老师,13800009999,3号楼201,交换机,网络不通,IMC-WL,维修人乙,,,\n"
		sheet, err := workorder.ReadSheet("r.csv", []byte(csv))
		if err != nil {
			t.Fatal(err)
		}
		res, err := workorder.Import(ctx, db, f.clerk, workorder.ImportInput{Sheet: sheet})
		if err != nil || res.Imported != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		orders, _, err := workorder.List(ctx, db, f.clerk, workorder.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		byFault := map[string]workorder.Order{}
		for _, o := range orders {
			if o.ID != before.ID {
				byFault[o.Phone+o.Fault] = o
			}
		}
		first, again, other := byFault["13800001111网络不通"], byFault["13800001111又不通了"], byFault["13800009999网络不通"]
		if again.RepeatOf != first.ID || first.RepeatOf != 0 || other.RepeatOf != before.ID {
			t.Fatalf("repeat links: in-file %d→%d (want %d), earlier %d (want %d)", again.ID, again.RepeatOf, first.ID, other.RepeatOf, before.ID)
		}
	})
}

// TestImportLinksRepeatsAcrossBatches: rows go in 400 a statement; a repeat report names the
// order it repeats whether that row went in with an earlier statement or waits in the same
// one, and the result's first and last ids span exactly the orders stored.
func TestImportLinksRepeatsAcrossBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		const n = 1000
		start := time.Date(2026, 10, 10, 8, 0, 0, 0, workorder.Zone)
		// Every tenth row from 500 on calls again about the fault of 450 rows before (an
		// earlier statement), every row ending in 5 from 500 on about the one of 3 rows before.
		repeats := func(i int) int {
			switch {
			case i >= 500 && i%10 == 0:
				return i - 450
			case i >= 500 && i%10 == 5:
				return i - 3
			}
			return -1
		}
		var phone func(i int) int
		phone = func(i int) int {
			if j := repeats(i); j >= 0 {
				return phone(j)
			}
			return 13800000000 + i
		}
		var csv strings.Builder
		csv.WriteString("报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人,关闭时间,故障原因,处理措施\n")
		for i := range n {
			rep := start.Add(time.Duration(i) * time.Minute)
			fmt.Fprintf(&csv, "%s,王老师,%d,3号楼201,交换机,网络不通,IMC-WL,维修人甲,%s,网线松动,重新压接\n",
				rep.Format("2006-01-02 15:04"), phone(i), rep.Add(time.Minute).Format("2006-01-02 15:04"))
		}
		sheet, err := workorder.ReadSheet("r.csv", []byte(csv.String()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := workorder.Import(ctx, db, f.clerk, workorder.ImportInput{Sheet: sheet})
		if err != nil || res.Imported != n {
			t.Fatalf("import: %d imported, %v", res.Imported, err)
		}
		byRow := map[int]int64{} // the file's row (0-based) → order id
		repeatOf := map[int64]int64{}
		minID, maxID := int64(0), int64(0)
		if err := db.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, "SELECT id, import_row, repeat_of FROM work_orders WHERE import_id = ?", res.ImportID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var row int
				var rep sql.NullInt64
				if err := rows.Scan(&id, &row, &rep); err != nil {
					return err
				}
				byRow[row-2], repeatOf[id] = id, rep.Int64
				if minID == 0 || id < minID {
					minID = id
				}
				maxID = max(maxID, id)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		if len(byRow) != n || res.FirstID != minID || res.LastID != maxID {
			t.Fatalf("%d orders, ids %d–%d, result says %d–%d", len(byRow), minID, maxID, res.FirstID, res.LastID)
		}
		linked := 0
		for i := range n {
			want := int64(0)
			if j := repeats(i); j >= 0 {
				want, linked = byRow[j], linked+1
			}
			if got := repeatOf[byRow[i]]; got != want {
				t.Fatalf("row %d repeats order %d, want %d (row %d)", i+2, got, want, repeats(i)+2)
			}
		}
		if linked != 100 {
			t.Fatalf("%d repeats checked", linked)
		}
	})
}
