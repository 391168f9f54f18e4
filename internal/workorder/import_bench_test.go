package workorder_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/store"
	"manyi/internal/workorder"
)

// BenchmarkStagedImport100k is the upload page's path for a 100,000-row workbook, step by
// step, to set beside the API's (BenchmarkImport100k in cmd/manyi): the upload (Stage reads
// the workbook and keeps the sheet), one showing of the mapping screen (GetStaged and the
// check of every row), and the commit. Each step's seconds are reported; the orders are
// deleted between iterations.
func BenchmarkStagedImport100k(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		maint := benchOrg(b, db, 20, 5)
		data := benchWorkbook(b, len(maint)/5, 5, 100_000)
		var stage, show, commit time.Duration
		for b.Loop() {
			t0 := time.Now()
			id, err := workorder.Stage(ctx, db, access.System, "faults.xlsx", data)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			st, sheet, err := workorder.GetStaged(ctx, db, access.System, id)
			if err != nil {
				b.Fatal(err)
			}
			if c, err := workorder.CheckSheet(ctx, db, access.System, sheet, st.Mapping); err != nil || c.Good != 100_000 {
				b.Fatalf("check: %d good, %d problems, %v", c.Good, len(c.Problems), err)
			}
			t2 := time.Now()
			res, err := workorder.Commit(ctx, db, access.System, id, false)
			if err != nil || res.Imported != 100_000 {
				b.Fatalf("commit: %d, %v", res.Imported, err)
			}
			t3 := time.Now()
			stage, show, commit = stage+t1.Sub(t0), show+t2.Sub(t1), commit+t3.Sub(t2)
			b.StopTimer()
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "DELETE FROM work_orders WHERE import_id = ?", id)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		n := float64(b.N)
		b.ReportMetric(stage.Seconds()/n, "upload-s")
		b.ReportMetric(show.Seconds()/n, "screen-s")
		b.ReportMetric(commit.Seconds()/n, "commit-s")
	})
}

// benchWorkbook writes n rows of faults for the teams of benchOrg, every row closed.
func benchWorkbook(b *testing.B, teams, perTeam, n int) []byte {
	b.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", []any{"报修时间", "报修人", "联系电话", "报修地点", "设备/系统", "故障情况", "班组", "维修人", "关闭时间", "故障原因", "处理措施"})
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, workorder.Zone)
	for i := range n {
		team, m := i%teams, (i/teams)%perTeam
		rep := start.Add(time.Duration(i) * 20 * time.Second)
		row := []any{rep.Format("2006-01-02 15:04:05"), fmt.Sprintf("报修人%d", i%5000), strconv.Itoa(13900000000 + i), "3号楼201", "空调",
			"不制冷", fmt.Sprintf("班组%d", team), fmt.Sprintf("维修人%d-%d", team, m), rep.Add(2 * time.Hour).Format("2006-01-02 15:04"), "部件老化", "更换部件"}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
