package workorder

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Field is an order field a spreadsheet column can fill; "" leaves the column out.
type Field string

const (
	FieldSource      Field = "source"
	FieldReporter    Field = "reporter"
	FieldPhone       Field = "phone"
	FieldLocation    Field = "location"
	FieldDevice      Field = "device"
	FieldFault       Field = "fault"
	FieldTeam        Field = "team"
	FieldMaintainer  Field = "maintainer"
	FieldReportedAt  Field = "reported_at"
	FieldContactedAt Field = "contacted_at"
	FieldArrivedAt   Field = "arrived_at"
	FieldClosedAt    Field = "closed_at"
	FieldCause       Field = "cause"
	FieldMeasures    Field = "measures"
)

// ImportField describes a field for the mapping screen: whether a file must have it and the
// headers a daily fault workbook uses for it.
type ImportField struct {
	Field    Field
	Required bool
	Aliases  []string
}

// ImportFields are the fields an import fills, in the order of the mapping screen. The first
// alias of each is the header of the centre's workbook (and of manyi's own export).
var ImportFields = []ImportField{
	{FieldReportedAt, true, []string{"报修时间", "报修日期", "接报时间", "reported_at", "reported at"}},
	{FieldReporter, true, []string{"报修人", "报修人姓名", "联系人", "reporter"}},
	{FieldPhone, true, []string{"联系电话", "电话", "报修电话", "手机", "手机号", "phone"}},
	{FieldLocation, true, []string{"报修地点", "地点", "故障地点", "位置", "location"}},
	{FieldDevice, true, []string{"设备/系统", "设备", "系统", "设备系统", "设备名称", "device"}},
	{FieldFault, true, []string{"故障情况", "故障现象", "故障描述", "故障内容", "fault"}},
	{FieldTeam, false, []string{"班组", "维修班组", "工班", "team"}},
	{FieldMaintainer, true, []string{"维修人", "维修人员", "维修员", "maintainer"}},
	{FieldContactedAt, false, []string{"首次联系时间", "联系时间", "响应时间", "contacted_at"}},
	{FieldArrivedAt, false, []string{"到场时间", "到达时间", "arrived_at"}},
	{FieldClosedAt, false, []string{"关闭时间", "完成时间", "修复时间", "closed_at"}},
	{FieldCause, false, []string{"故障原因", "原因", "cause"}},
	{FieldMeasures, false, []string{"处理措施", "措施", "处理方法", "measures"}},
	{FieldSource, false, []string{"报修方式", "报修渠道", "来源", "source"}},
}

// Mapping assigns a field to each column of a sheet, by position.
type Mapping []Field

// GuessMapping maps every header that names a field (in any of its aliases, ignoring case
// and spaces); other columns are left out.
func GuessMapping(headers []string) Mapping {
	m := make(Mapping, len(headers))
	used := map[Field]bool{}
	for i, h := range headers {
		h = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(h), " ", ""))
		for _, f := range ImportFields {
			if used[f.Field] {
				continue
			}
			for _, a := range f.Aliases {
				if h == strings.ToLower(strings.ReplaceAll(a, " ", "")) {
					m[i], used[f.Field] = f.Field, true
					break
				}
			}
			if m[i] != "" {
				break
			}
		}
	}
	return m
}

// Missing lists the required fields no column fills.
func (m Mapping) Missing() []Field {
	var out []Field
	for _, f := range ImportFields {
		if f.Required && !slices.Contains(m, f.Field) {
			out = append(out, f.Field)
		}
	}
	return out
}

// check refuses a mapping that is not for this sheet, names an unknown field, fills a field
// twice or leaves a required one out.
func (m Mapping) check(columns int) error {
	if len(m) != columns {
		return errs.Field("import_mapping", "wo.import_mapping_columns", columns)
	}
	seen := map[Field]bool{}
	for _, f := range m {
		if f == "" {
			continue
		}
		if !slices.ContainsFunc(ImportFields, func(i ImportField) bool { return i.Field == f }) {
			return errs.Field("import_mapping", "err.invalid_choice", string(f))
		}
		if seen[f] {
			return errs.Field(string(f), "wo.import_mapping_twice")
		}
		seen[f] = true
	}
	if missing := m.Missing(); len(missing) > 0 {
		return errs.Field(string(missing[0]), "wo.import_mapping_missing")
	}
	return nil
}

// RowProblem is why a row cannot be imported.
type RowProblem struct {
	Row int
	Err *errs.Error
}

// Duplicate is a row that is already an order (same phone, device and report time): it is
// skipped, so importing a file again, or a corrected file, adds only what is new.
type Duplicate struct {
	Row     int
	OrderID int64 // 0 when it repeats an earlier row of the same file
}

// Check is what importing a sheet would do.
type Check struct {
	Rows       int
	Good       int // rows that would become orders
	Duplicates []Duplicate
	Problems   []RowProblem
	rows       []importRow
}

type importRow struct {
	number int
	in     Input
	close  *CloseInput
}

// CheckSheet validates every row of s under mapping m, as Import would, and stores nothing.
func CheckSheet(ctx context.Context, db *store.DB, actor access.Principal, s Sheet, m Mapping) (Check, error) {
	var c Check
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = checkSheet(ctx, tx, actor, s, m)
		return err
	})
	return c, err
}

func checkSheet(ctx context.Context, tx *store.Tx, actor access.Principal, s Sheet, m Mapping) (Check, error) {
	if !actor.HasAny(registerRoles...) {
		return Check{}, errs.New(errs.Forbidden, "wo.forbidden")
	}
	if err := m.check(len(s.Headers)); err != nil {
		return Check{}, err
	}
	dir, err := loadTeams(ctx, tx)
	if err != nil {
		return Check{}, err
	}
	col := map[Field]int{}
	for i, f := range m {
		if f != "" {
			col[f] = i
		}
	}
	cell := func(r SheetRow, f Field) string {
		i, ok := col[f]
		if !ok {
			return ""
		}
		return r.Cell(i)
	}
	c := Check{Rows: len(s.Rows)}
	allowed := map[int64]bool{}
	inFile := map[string]int{}
	parsed := make([]importRow, 0, len(s.Rows))
	for _, r := range s.Rows {
		row, err := parseRow(r, cell, dir, tx.Now)
		if err == nil {
			ok, seen := allowed[row.in.TeamID]
			if !seen {
				ok = authorize(ctx, tx, actor, registerRoles, row.in.TeamID) == nil
				allowed[row.in.TeamID] = ok
			}
			if !ok {
				err = errs.Field("team", "wo.import_team_forbidden", cell(r, FieldTeam))
			}
		}
		if err != nil {
			e := errs.As(err)
			if e == nil {
				return Check{}, err
			}
			c.Problems = append(c.Problems, RowProblem{Row: r.Number, Err: e})
			continue
		}
		key := orderKey(row.in.Phone, row.in.Device, row.in.ReportedAt)
		if _, dup := inFile[key]; dup {
			c.Duplicates = append(c.Duplicates, Duplicate{Row: r.Number})
			continue
		}
		inFile[key] = r.Number
		parsed = append(parsed, row)
	}
	existing, err := existingOrders(ctx, tx, parsed)
	if err != nil {
		return Check{}, err
	}
	c.rows = parsed[:0] // kept rows overwrite the parsed ones already read
	for _, row := range parsed {
		if id, ok := existing[orderKey(row.in.Phone, row.in.Device, row.in.ReportedAt)]; ok {
			c.Duplicates = append(c.Duplicates, Duplicate{Row: row.number, OrderID: id})
			continue
		}
		c.rows = append(c.rows, row)
	}
	slices.SortFunc(c.Duplicates, func(a, b Duplicate) int { return a.Row - b.Row })
	c.Good = len(c.rows)
	return c, nil
}

// orderKey identifies an order for duplicate detection: the same reporter's phone, device
// and report time (to the second) is the same order.
func orderKey(phone, device string, reported time.Time) string {
	return phone + "\x00" + device + "\x00" + strconv.FormatInt(reported.Unix(), 10)
}

// importColumns and importBatch shape the import's multi-row INSERT: 400 rows of 20 values
// stay well under both databases' limits on bound parameters.
const (
	importColumns      = 20
	importBatch        = 400
	importPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

// phoneChunk bounds the IN lists of the look-ups by phone number.
const phoneChunk = 500

// phonesOf lists the distinct phone numbers of rows.
func phonesOf(rows []importRow) []any {
	seen := map[string]bool{}
	var out []any
	for _, r := range rows {
		if !seen[r.in.Phone] {
			seen[r.in.Phone] = true
			out = append(out, r.in.Phone)
		}
	}
	return out
}

// byPhones runs query (which ends in "phone IN (") once per chunk of the rows' phones and
// hands every result row to scan: one query per 500 numbers rather than one per row.
func byPhones(ctx context.Context, tx *store.Tx, rows []importRow, query string, scan func(*sql.Rows) error) error {
	phones := phonesOf(rows)
	for start := 0; start < len(phones); start += phoneChunk {
		chunk := phones[start:min(len(phones), start+phoneChunk)]
		res, err := tx.Query(ctx, query+"?"+strings.Repeat(", ?", len(chunk)-1)+")", chunk...)
		if err != nil {
			return err
		}
		for res.Next() {
			if err := scan(res); err != nil {
				res.Close()
				return err
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
	}
	return nil
}

// existingOrders finds the orders that rows would duplicate, by orderKey.
func existingOrders(ctx context.Context, tx *store.Tx, rows []importRow) (map[string]int64, error) {
	out := map[string]int64{}
	err := byPhones(ctx, tx, rows, "SELECT id, phone, device, reported_at FROM work_orders WHERE phone IN (", func(r *sql.Rows) error {
		var id int64
		var phone, device string
		var reported time.Time
		if err := r.Scan(&id, &phone, &device, &reported); err != nil {
			return err
		}
		out[orderKey(phone, device, reported)] = id
		return nil
	})
	return out, err
}

// closedOrder is a closed hotline order a later report may repeat.
type closedOrder struct {
	id     int64
	closed time.Time
}

// closedOrders finds the closed hotline orders of the rows' phones, by phone and device.
func closedOrders(ctx context.Context, tx *store.Tx, rows []importRow) (map[string][]closedOrder, error) {
	out := map[string][]closedOrder{}
	err := byPhones(ctx, tx, rows, "SELECT id, phone, device, closed_at FROM work_orders WHERE source = 'hotline' AND closed_at IS NOT NULL AND phone IN (", func(r *sql.Rows) error {
		var o closedOrder
		var phone, device string
		if err := r.Scan(&o.id, &phone, &device, &o.closed); err != nil {
			return err
		}
		k := phone + "\x00" + device
		out[k] = append(out[k], o)
		return nil
	})
	return out, err
}

// repeatOf applies Register's rule to the closed orders of the same phone and device: the
// latest closed within the window before the report, the higher id on a tie.
func repeatOf(closed []closedOrder, reported time.Time, window int) int64 {
	var best closedOrder
	from := reported.Add(-time.Duration(window) * 24 * time.Hour)
	for _, o := range closed {
		if o.closed.After(reported) || o.closed.Before(from) {
			continue
		}
		if best.id == 0 || o.closed.After(best.closed) || (o.closed.Equal(best.closed) && o.id > best.id) {
			best = o
		}
	}
	return best.id
}

// teamDirectory resolves the names a workbook uses for teams and maintainers.
type teamDirectory struct {
	teams       map[string]int64             // by name and by code
	maintainers map[int64]map[string][]int64 // team → name → people (more than one: ambiguous)
	byName      map[string][]teamMember      // name → every team's people of that name
}

type teamMember struct{ team, person int64 }

func loadTeams(ctx context.Context, tx *store.Tx) (*teamDirectory, error) {
	d := &teamDirectory{teams: map[string]int64{}, maintainers: map[int64]map[string][]int64{}, byName: map[string][]teamMember{}}
	rows, err := tx.Query(ctx, "SELECT id, code, name FROM units WHERE kind = 'team' AND active = ?", true)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			rows.Close()
			return nil, err
		}
		d.teams[name], d.teams[code] = id, id
		d.maintainers[id] = map[string][]int64{}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, "SELECT id, unit_id, name FROM people WHERE active = ? AND unit_id IS NOT NULL", true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, unit int64
		var name string
		if err := rows.Scan(&id, &unit, &name); err != nil {
			return nil, err
		}
		if byName, ok := d.maintainers[unit]; ok {
			byName[name] = append(byName[name], id)
			d.byName[name] = append(d.byName[name], teamMember{unit, id})
		}
	}
	return d, rows.Err()
}

// parseRow turns a row into an order's input, validated as Register and Close validate.
func parseRow(r SheetRow, cell func(SheetRow, Field) string, dir *teamDirectory, now time.Time) (importRow, error) {
	row := importRow{number: r.Number}
	in := &row.in
	var err error
	if in.Source, err = parseSource(cell(r, FieldSource)); err != nil {
		return row, err
	}
	in.Reporter, in.Phone = cell(r, FieldReporter), cell(r, FieldPhone)
	in.Location, in.Device, in.Fault = cell(r, FieldLocation), cell(r, FieldDevice), cell(r, FieldFault)
	if in.TeamID, in.MaintainerID, err = dir.resolve(cell(r, FieldTeam), cell(r, FieldMaintainer)); err != nil {
		return row, err
	}
	reported, err := parseCellTime("reported_at", cell(r, FieldReportedAt))
	if err != nil {
		return row, err
	}
	if reported != nil {
		in.ReportedAt = *reported
	}
	if in.ContactedAt, err = parseCellTime("contacted_at", cell(r, FieldContactedAt)); err != nil {
		return row, err
	}
	if in.ArrivedAt, err = parseCellTime("arrived_at", cell(r, FieldArrivedAt)); err != nil {
		return row, err
	}
	if err := in.validate(now); err != nil {
		return row, err
	}
	closed, err := parseCellTime("closed_at", cell(r, FieldClosedAt))
	if err != nil || closed == nil {
		return row, err
	}
	c := &CloseInput{ClosedAt: *closed}
	if c.Cause, err = text("cause", cell(r, FieldCause), true); err != nil {
		return row, err
	}
	if c.Measures, err = text("measures", cell(r, FieldMeasures), true); err != nil {
		return row, err
	}
	if err := checkTimes(in.ReportedAt, in.ContactedAt, in.ArrivedAt, closed, now); err != nil {
		return row, err
	}
	row.close = c
	return row, nil
}

// parseSource reads how the order came in; a workbook without the column is the hotline's.
func parseSource(s string) (Source, error) {
	switch l := strings.ToLower(s); {
	case l == "" || l == "hotline" || strings.Contains(s, "热线") || strings.Contains(s, "报修电话") || s == "电话":
		return Hotline, nil
	case l == "other" || slices.Contains([]string{"其他", "其它", "现场", "巡检", "巡检发现", "来访", "自行发现"}, s):
		return Other, nil
	}
	return "", errs.Field("wo_source", "err.invalid_choice", s)
}

// resolve finds the team and maintainer a row names. The team may be left out when the
// maintainer's name is unique across the teams.
func (d *teamDirectory) resolve(team, maintainer string) (int64, int64, error) {
	if maintainer == "" {
		return 0, 0, errs.Required("maintainer")
	}
	if team == "" {
		people := d.byName[maintainer]
		switch len(people) {
		case 0:
			return 0, 0, errs.Field("maintainer", "wo.import_no_maintainer", maintainer)
		case 1:
			return people[0].team, people[0].person, nil
		}
		return 0, 0, errs.Field("maintainer", "wo.import_ambiguous_maintainer", maintainer)
	}
	teamID, ok := d.teams[team]
	if !ok {
		return 0, 0, errs.Field("team", "wo.import_no_team", team)
	}
	people := d.maintainers[teamID][maintainer]
	switch len(people) {
	case 0:
		return 0, 0, errs.Field("maintainer", "wo.import_not_in_team", maintainer, team)
	case 1:
		return teamID, people[0], nil
	}
	return 0, 0, errs.Field("maintainer", "wo.import_ambiguous_maintainer", maintainer)
}

// ImportInput is one file to import.
type ImportInput struct {
	FileName string
	Data     []byte  // the file as uploaded, for its checksum
	Sheet    Sheet   // read from Data
	sha256   string  // the checksum of a staged file, whose Data is not kept
	Mapping  Mapping // nil: guessed from the headers
	// GoodOnly imports the good rows of a file that has bad ones. Without it a file with a
	// bad row stores nothing.
	GoodOnly bool
}

// Result is what an import did.
type Result struct {
	ImportID   int64
	Check      Check
	Imported   int
	FirstID    int64
	LastID     int64
	AlreadyRun bool // the staged import had been committed before; nothing new was done
}

// importLog is the audit record of an import: one entry for the file, not one per order.
type importLog struct {
	File       string  `json:"file"`
	SHA256     string  `json:"sha256"`
	Rows       int     `json:"rows"`
	Imported   int     `json:"imported"`
	Duplicates int     `json:"duplicates"`
	Skipped    []int   `json:"skipped_rows,omitempty"`
	GoodOnly   bool    `json:"good_only"`
	Mapping    Mapping `json:"mapping"`
	FirstID    int64   `json:"first_order_id,omitempty"`
	LastID     int64   `json:"last_order_id,omitempty"`
}

// Import stores the rows of a sheet as orders in one transaction: all of them, or, with
// GoodOnly, all the good ones; duplicates of existing orders are skipped and reported. A
// file with a bad row and without GoodOnly stores nothing and returns the problems with an
// invalid-input error.
func Import(ctx context.Context, db *store.DB, actor access.Principal, in ImportInput) (Result, error) {
	var res Result
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = importSheet(ctx, tx, actor, 0, in)
		return err
	})
	return res, err
}

func importSheet(ctx context.Context, tx *store.Tx, actor access.Principal, stagedID int64, in ImportInput) (Result, error) {
	if in.Mapping == nil {
		in.Mapping = GuessMapping(in.Sheet.Headers)
	}
	c, err := checkSheet(ctx, tx, actor, in.Sheet, in.Mapping)
	if err != nil {
		return Result{}, err
	}
	res := Result{Check: c}
	if len(c.Problems) > 0 && !in.GoodOnly {
		return res, errs.New(errs.Invalid, "wo.import_bad_rows", len(c.Problems))
	}
	if in.sha256 == "" {
		sum := sha256.Sum256(in.Data)
		in.sha256 = hex.EncodeToString(sum[:])
	}
	log := importLog{File: in.FileName, SHA256: in.sha256, Rows: c.Rows, Duplicates: len(c.Duplicates), GoodOnly: in.GoodOnly, Mapping: in.Mapping}
	for _, p := range c.Problems {
		log.Skipped = append(log.Skipped, p.Row)
	}
	mapping, _ := json.Marshal(in.Mapping)
	res.ImportID = stagedID
	if stagedID == 0 {
		res.ImportID, err = tx.InsertID(ctx, `INSERT INTO workorder_imports (file_name, sha256, mapping_json, status, created_by, created_at)
			VALUES (?, ?, ?, 'staged', ?, ?)`, in.FileName, log.SHA256, string(mapping), actor.Login(), tx.Now)
		if err != nil {
			return Result{}, err
		}
	}
	// Orders go in in the order they were reported, so that a repeat report within the file
	// finds the order it repeats, and ids follow time.
	rows := c.rows
	slices.SortStableFunc(rows, func(a, b importRow) int { return a.in.ReportedAt.Compare(b.in.ReportedAt) })
	days, err := repeatDays(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	closed, err := closedOrders(ctx, tx, rows)
	if err != nil {
		return Result{}, err
	}
	// Rows go in 400 a statement, each statement returning the ids it gave. A row that
	// repeats an order earlier in the same file names that order's id, so the order must be
	// stored first: an in-file order stands in the closed list as minus its row, and a row
	// repeating one still waiting in the batch sends the batch first. Linking afterwards
	// instead cost an UPDATE per repeat that found its rows through the import's index, a
	// scan of the whole import each.
	var values []any
	ids := make(map[int]int64, len(rows)) // import_row → order id, of the rows stored so far
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		n := len(values) / importColumns
		stored, err := tx.Query(ctx, `INSERT INTO work_orders (source, reporter, phone, location, device, fault, team_id, maintainer_id,
			reported_at, contacted_at, arrived_at, closed_at, close_day, cause, measures, repeat_of, import_id, import_row, created_at, updated_at)
			VALUES `+strings.TrimSuffix(strings.Repeat(importPlaceholders+", ", n), ", ")+" RETURNING id, import_row", values...)
		if err != nil {
			return err
		}
		defer stored.Close()
		values = values[:0]
		for stored.Next() {
			var id int64
			var row int
			if err := stored.Scan(&id, &row); err != nil {
				return err
			}
			ids[row] = id
			if res.FirstID == 0 || id < res.FirstID {
				res.FirstID = id
			}
			res.LastID = max(res.LastID, id)
		}
		return stored.Err()
	}
	for _, r := range rows {
		in := r.in
		var repeat any
		k := in.Phone + "\x00" + in.Device
		if in.Source == Hotline {
			switch id := repeatOf(closed[k], in.ReportedAt, days); {
			case id > 0:
				repeat = id
			case id < 0:
				if _, done := ids[int(-id)]; !done {
					if err := flush(); err != nil {
						return Result{}, err
					}
				}
				repeat = ids[int(-id)]
			}
		}
		var closedAt, closeDay any
		cause, measures := "", ""
		if c := r.close; c != nil {
			closedAt, closeDay, cause, measures = c.ClosedAt.UTC(), DayOf(c.ClosedAt), c.Cause, c.Measures
			if in.Source == Hotline {
				closed[k] = append(closed[k], closedOrder{-int64(r.number), c.ClosedAt})
			}
		}
		values = append(values, in.Source, in.Reporter, in.Phone, in.Location, in.Device, in.Fault, in.TeamID, in.MaintainerID,
			in.ReportedAt.UTC(), utcp(in.ContactedAt), utcp(in.ArrivedAt), closedAt, closeDay, cause, measures, repeat, res.ImportID, r.number, tx.Now, tx.Now)
		if len(values) == importBatch*importColumns {
			if err := flush(); err != nil {
				return Result{}, err
			}
		}
	}
	if err := flush(); err != nil {
		return Result{}, err
	}
	res.Imported = len(rows)
	log.Imported, log.FirstID, log.LastID = res.Imported, res.FirstID, res.LastID
	if _, err := tx.Exec(ctx, `UPDATE workorder_imports SET status = 'imported', content = NULL, mapping_json = ?, rows_total = ?, imported = ?,
		duplicates = ?, skipped = ?, good_only = ?, imported_at = ? WHERE id = ?`,
		string(mapping), c.Rows, res.Imported, len(c.Duplicates), len(c.Problems), in.GoodOnly, tx.Now, res.ImportID); err != nil {
		return Result{}, err
	}
	return res, audit.Record(ctx, tx, actor, audit.Change{Action: "import", Entity: "workorder_import", EntityID: res.ImportID, After: log})
}

// Staged is an uploaded file waiting on its mapping screen, or the record of a finished import.
type Staged struct {
	ID         int64
	FileName   string
	Status     string // staged or imported
	Mapping    Mapping
	Rows       int
	Imported   int
	Duplicates int
	Skipped    int
	GoodOnly   bool
	CreatedBy  string
	CreatedAt  time.Time
	ImportedAt *time.Time
	sha256     string
}

// stagedLife is how long an upload waits for its user before a later upload clears it.
const stagedLife = 24 * time.Hour

// Stage keeps an uploaded file for its mapping screen, read: the screen, a new mapping and
// the commit use the sheet kept, and the file is read only here. The file must read as a
// sheet.
func Stage(ctx context.Context, db *store.DB, actor access.Principal, name string, data []byte) (int64, error) {
	if !actor.HasAny(registerRoles...) {
		return 0, errs.New(errs.Forbidden, "wo.forbidden")
	}
	s, err := ReadSheet(name, data)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	mapping, _ := json.Marshal(GuessMapping(s.Headers))
	var id int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM workorder_imports WHERE status = 'staged' AND created_at < ?", tx.Now.Add(-stagedLife)); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO workorder_imports (file_name, sha256, content, mapping_json, status, rows_total, created_by, created_at)
			VALUES (?, ?, ?, ?, 'staged', ?, ?, ?)`, name, hex.EncodeToString(sum[:]), s.encode(), string(mapping), len(s.Rows), actor.Login(), tx.Now)
		return err
	})
	return id, err
}

// GetStaged returns an import and, while it is staged, its sheet. Only the user who uploaded
// it (or an administrator) may see it.
func GetStaged(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Staged, Sheet, error) {
	var st Staged
	var sheet Sheet
	err := db.Read(ctx, func(tx *store.Tx) error {
		var data []byte
		var err error
		if st, data, err = getStaged(ctx, tx, actor, id); err != nil || st.Status != "staged" {
			return err
		}
		sheet, err = stagedSheet(st.FileName, data)
		return err
	})
	return st, sheet, err
}

func getStaged(ctx context.Context, tx *store.Tx, actor access.Principal, id int64) (Staged, []byte, error) {
	var st Staged
	var data []byte
	var mapping string
	var importedAt sql.NullTime
	err := tx.QueryRow(ctx, `SELECT id, file_name, sha256, status, content, mapping_json, rows_total, imported, duplicates, skipped, good_only,
		created_by, created_at, imported_at FROM workorder_imports WHERE id = ?`, id).Scan(&st.ID, &st.FileName, &st.sha256, &st.Status, &data, &mapping,
		&st.Rows, &st.Imported, &st.Duplicates, &st.Skipped, &st.GoodOnly, &st.CreatedBy, &st.CreatedAt, &importedAt)
	if store.IsNoRows(err) || (err == nil && st.CreatedBy != actor.Login() && !actor.Has(access.Admin)) {
		return Staged{}, nil, errs.New(errs.NotFound, "wo.import_not_found", id)
	}
	if err != nil {
		return Staged{}, nil, err
	}
	st.ImportedAt = timep(importedAt)
	if err := json.Unmarshal([]byte(mapping), &st.Mapping); err != nil {
		return Staged{}, nil, err
	}
	return st, data, nil
}

// SaveMapping changes a staged import's mapping. It may still leave required fields out:
// the screen then says which.
func SaveMapping(ctx context.Context, db *store.DB, actor access.Principal, id int64, m Mapping) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		st, data, err := getStaged(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if st.Status != "staged" {
			return errs.New(errs.Conflict, "wo.import_done", id)
		}
		s, err := stagedSheet(st.FileName, data)
		if err != nil {
			return err
		}
		if err := m.check(len(s.Headers)); err != nil && errs.As(err).Key != "wo.import_mapping_missing" {
			return err
		}
		b, _ := json.Marshal(m)
		_, err = tx.Exec(ctx, "UPDATE workorder_imports SET mapping_json = ? WHERE id = ?", string(b), id)
		return err
	})
}

// Commit imports a staged file with its saved mapping. Committing it again (a double click,
// a retried request) imports nothing more and returns AlreadyRun.
func Commit(ctx context.Context, db *store.DB, actor access.Principal, id int64, goodOnly bool) (Result, error) {
	var res Result
	err := db.InTx(ctx, func(tx *store.Tx) error {
		st, data, err := getStaged(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		// Claiming the row first keeps two commits at once apart: the second waits for the
		// first's row lock and then finds nothing to claim.
		claimed, err := tx.Exec(ctx, "UPDATE workorder_imports SET status = 'importing' WHERE id = ? AND status = 'staged'", id)
		if err != nil {
			return err
		}
		if n, _ := claimed.RowsAffected(); n == 0 {
			res = Result{ImportID: id, Imported: st.Imported, AlreadyRun: true}
			return nil
		}
		s, err := stagedSheet(st.FileName, data)
		if err != nil {
			return err
		}
		res, err = importSheet(ctx, tx, actor, id, ImportInput{FileName: st.FileName, Sheet: s, Mapping: st.Mapping, GoodOnly: goodOnly, sha256: st.sha256})
		return err
	})
	return res, err
}

// ListImports returns the actor's recent imports, newest first (all users' for an administrator).
func ListImports(ctx context.Context, db *store.DB, actor access.Principal) ([]Staged, error) {
	var out []Staged
	err := db.Read(ctx, func(tx *store.Tx) error {
		q, args := "", []any{}
		if !actor.Has(access.Admin) {
			q, args = " AND created_by = ?", append(args, actor.Login())
		}
		rows, err := tx.Query(ctx, `SELECT id, file_name, status, rows_total, imported, duplicates, skipped, good_only, created_by, created_at, imported_at
			FROM workorder_imports WHERE status = 'imported'`+q+` ORDER BY id DESC LIMIT 20`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st Staged
			var importedAt sql.NullTime
			if err := rows.Scan(&st.ID, &st.FileName, &st.Status, &st.Rows, &st.Imported, &st.Duplicates, &st.Skipped, &st.GoodOnly, &st.CreatedBy, &st.CreatedAt, &importedAt); err != nil {
				return err
			}
			st.ImportedAt = timep(importedAt)
			out = append(out, st)
		}
		return rows.Err()
	})
	return out, err
}
