package web

import (
	"bytes"
	"net/http"
	"time"

	"manyi/internal/workorder"
)

// workorderExport sends the daily fault workbook of ?day= (default yesterday) as XLSX.
func (s *Server) workorderExport(w http.ResponseWriter, r *http.Request) error {
	day, err := periodParamOr(r, "day", dayPeriod, s.db.Now().In(timeZone).AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return err
	}
	rows, err := workorder.Workbook(r.Context(), s.db, principal(r), day)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := workorder.WriteWorkbook(&buf, day, rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="workorders-`+day+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
