package api

import (
	"io"
	"net/http"
	"strings"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/workorder"
)

var importQuery = []param{
	{"file_name", "string", "", "The file's name; its extension (.xlsx or .csv) chooses how it is read. Default: read by content."},
	{"good_only", "boolean", "", "Import the good rows of a file that has bad ones (default false: a file with a bad row stores nothing)."},
	{"mapping", "string", "", "The field of each column, comma-separated, empty for a column left out, e.g. `,reported_at,reporter,phone`. Default: guessed from the headers."},
}

type importDuplicate struct {
	Row     int   `json:"row"`
	OrderID int64 `json:"order_id,omitempty"`
}

type importProblem struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type importResult struct {
	ImportID     int64             `json:"import_id,omitempty"`
	Rows         int               `json:"rows"`
	Imported     int               `json:"imported"`
	FirstOrderID int64             `json:"first_order_id,omitempty"`
	LastOrderID  int64             `json:"last_order_id,omitempty"`
	Duplicates   []importDuplicate `json:"duplicates"`
	Problems     []importProblem   `json:"problems"`
}

// importOrders imports a fault workbook sent as the request body. Retrying the same file
// imports nothing twice: rows that are already orders come back as duplicates.
func (a *API) importOrders(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if !workorder.MayImport(p) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, workorder.MaxImportBytes+1))
	if err != nil {
		return errs.Field("import_file", "wo.import_too_large", workorder.MaxImportBytes>>20)
	}
	good, err := queryBool(r, "good_only")
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("file_name")
	if name == "" && strings.Contains(r.Header.Get("Content-Type"), "csv") {
		name = "upload.csv"
	}
	sheet, err := workorder.ReadSheet(name, data)
	if err != nil {
		return err
	}
	in := workorder.ImportInput{FileName: name, Data: data, Sheet: sheet, GoodOnly: good}
	if m := r.URL.Query().Get("mapping"); m != "" {
		for _, f := range strings.Split(m, ",") {
			in.Mapping = append(in.Mapping, workorder.Field(strings.TrimSpace(f)))
		}
	}
	res, err := workorder.Import(r.Context(), a.db, p, in)
	out := importResult{ImportID: res.ImportID, Rows: res.Check.Rows, Imported: res.Imported, FirstOrderID: res.FirstID, LastOrderID: res.LastID,
		Duplicates: []importDuplicate{}, Problems: []importProblem{}}
	lang := locale.FromContext(r.Context())
	for _, d := range res.Check.Duplicates {
		out.Duplicates = append(out.Duplicates, importDuplicate{d.Row, d.OrderID})
	}
	for _, pr := range res.Check.Problems {
		out.Problems = append(out.Problems, importProblem{pr.Row, pr.Err.Field, pr.Err.Message(lang)})
	}
	if err != nil {
		e := errs.As(err)
		if e.Code != errs.Invalid || len(out.Problems) == 0 {
			return err
		}
		// The refusal carries the rows: the caller fixes them without a second round trip.
		writeJSON(w, errs.HTTPStatus(e.Code), struct {
			Error    errorDetail     `json:"error"`
			Problems []importProblem `json:"problems"`
		}{errorDetail{Code: e.Code, Message: e.Message(lang)}, out.Problems})
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
