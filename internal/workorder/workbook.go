package workorder

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
)

// WorkbookRow is one order in the daily fault workbook (每日故障统计工作簿).
type WorkbookRow struct {
	Order         Order
	SelfScore     int // 0: not rated
	SelfComment   string
	DispScore     int
	DispNotes     string
	Manager       string
	MgrScore      int
	MgrNotes      string
	Unreachable   bool
	Dissatisfied  string // 不满意问题与建议
	CallbackScore int
}

// Total is the order's foreman plus callback score when both are rated, else 0.
func (w WorkbookRow) Total() int {
	if w.SelfScore == 0 || w.CallbackScore == 0 {
		return 0
	}
	return w.SelfScore + w.CallbackScore
}

// WorkbookColumns are the workbook's headers: the centre's columns, then the nine the seed
// adds (工长测评分值 … 不满意问题与建议记录).
var WorkbookColumns = []string{"工单号", "报修时间", "报修人", "联系电话", "报修地点", "设备/系统", "故障情况", "班组", "维修人",
	"首次联系时间", "到场时间", "关闭时间", "故障原因", "处理措施", "二次报修",
	"工长测评分值", "工长评语", "调度测评分值", "调度测评情况记录", "管理人员测评人", "管理人员测评分值", "管理人员测评情况记录", "分值合计", "不满意问题与建议记录"}

// Workbook returns the rows of the orders closed on day within the actor's scope.
func Workbook(ctx context.Context, db *store.DB, actor access.Principal, dayStr string) ([]WorkbookRow, error) {
	day, err := ParseDay("day", dayStr)
	if err != nil {
		return nil, err
	}
	var out []WorkbookRow
	err = db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "o.team_id")
		if err != nil {
			return err
		}
		latest := func(kind string) string {
			return `LEFT JOIN workorder_tasks ` + kind + ` ON ` + kind + `.order_id = o.id AND ` + kind + `.kind = '` + kind + `'
				LEFT JOIN workorder_evaluations ` + kind + `e ON ` + kind + `e.task_id = ` + kind + `.id AND ` + kind + `e.version = ` + kind + `.version`
		}
		rows, err := tx.Query(ctx, `SELECT `+orderColumns+`, self.score, COALESCE(selfe.comment, ''), callback.role, callback.score, callback.outcome,
			COALESCE(a.name, ''), COALESCE(callbacke.note_speed, ''), COALESCE(callbacke.note_attitude, ''), COALESCE(callbacke.note_device, ''), COALESCE(callbacke.comment, '')
			`+orderFrom+` `+latest("self")+` `+latest("callback")+` LEFT JOIN people a ON a.id = callback.assignee_id
			WHERE o.close_day = ? AND `+scope+` ORDER BY o.closed_at, o.id`, append([]any{DayOf(day)}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w WorkbookRow
			var o Order
			var contacted, arrived, closed sql.NullTime
			var cday sql.NullString
			var repeat, selfScore, cbScore sql.NullInt64
			var role, outcome sql.NullString
			var caller, speed, attitude, device, comment string
			if err := rows.Scan(&o.ID, &o.Source, &o.Reporter, &o.Phone, &o.Location, &o.Device, &o.Fault, &o.TeamID, &o.TeamName, &o.MaintainerID, &o.Maintainer,
				&o.ReportedAt, &contacted, &arrived, &closed, &cday, &o.Cause, &o.Measures, &repeat, &o.CreatedAt,
				&selfScore, &w.SelfComment, &role, &cbScore, &outcome, &caller, &speed, &attitude, &device, &comment); err != nil {
				return err
			}
			o.ContactedAt, o.ArrivedAt, o.ClosedAt = timep(contacted), timep(arrived), timep(closed)
			o.CloseDay, o.RepeatOf = cday.String, repeat.Int64
			w.Order, w.SelfScore, w.CallbackScore = o, int(selfScore.Int64), int(cbScore.Int64)
			w.Unreachable = outcome.String == outcomeUnreach
			notes := joinNotes(speed, attitude, device)
			if w.Unreachable {
				notes = joinNotes("无法联系报修人", notes)
			}
			if role.String == string(access.Manager) {
				w.Manager, w.MgrScore, w.MgrNotes = caller, w.CallbackScore, notes
			} else {
				w.DispScore, w.DispNotes = w.CallbackScore, notes
			}
			switch {
			case w.CallbackScore == Dissatisfied:
				w.Dissatisfied = comment
			case w.SelfScore == Dissatisfied:
				w.Dissatisfied = w.SelfComment
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}

func joinNotes(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += "；"
		}
		out += p
	}
	return out
}

// WriteWorkbook writes the rows as an XLSX workbook with one sheet named for the day. Phone
// numbers are masked: the workbook travels by e-mail.
func WriteWorkbook(w io.Writer, day string, rows []WorkbookRow) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := day
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(WorkbookColumns))
	for i, c := range WorkbookColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range rows {
		o := r.Order
		repeat := ""
		if o.RepeatOf != 0 {
			repeat = fmt.Sprintf("是（原工单 %d）", o.RepeatOf)
		}
		row := []any{o.ID, local(&o.ReportedAt), o.Reporter, org.MaskPhone(o.Phone), o.Location, o.Device, o.Fault, o.TeamName, o.Maintainer,
			local(o.ContactedAt), local(o.ArrivedAt), local(o.ClosedAt), o.Cause, o.Measures, repeat,
			num(r.SelfScore), r.SelfComment, num(r.DispScore), r.DispNotes, r.Manager, num(r.MgrScore), r.MgrNotes, num(r.Total()), r.Dissatisfied}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func local(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(Zone).Format("2006-01-02 15:04")
}

// num leaves a cell empty for "not rated" instead of writing 0.
func num(n int) any {
	if n == 0 {
		return ""
	}
	return n
}
