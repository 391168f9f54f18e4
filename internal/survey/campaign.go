package survey

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Campaign statuses: open takes answers (online only between StartsOn and EndsOn), closed
// takes none.
const (
	Open   = "open"
	Closed = "closed"
)

// Audiences of a campaign: the residents (households) of areas (seed 001, survey-quarterly),
// or the key customers of business departments (重点客户问卷调查, seed 002 附件1, the
// questionnaire score of dept-quarterly-weighted), one invitation per customer by name.
const (
	Residents    = "residents"
	KeyCustomers = "key_customers"
	maxCustomers = 500
)

// Defaults of a campaign.
const (
	DefaultFollowupDays  = 7
	DefaultRetentionDays = 365
	maxHouseholds        = 20000
)

// Campaign is one quarter's survey.
type Campaign struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	Quarter       string         `json:"quarter"`
	Audience      string         `json:"audience"`
	TemplateID    int64          `json:"template_id"`
	Status        string         `json:"status"`
	StartsOn      string         `json:"starts_on"`
	EndsOn        string         `json:"ends_on"`
	SnapshotOn    string         `json:"snapshot_on"`
	FollowupDays  int            `json:"followup_days"`
	RetentionDays int            `json:"retention_days"`
	CreatedBy     string         `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	Units         []CampaignUnit `json:"units"`
}

// CampaignUnit is a unit a campaign covers.
type CampaignUnit struct {
	UnitID      int64  `json:"unit_id"`
	UnitName    string `json:"unit_name"`
	Households  int    `json:"households"`
	ThresholdBP int    `json:"threshold_bp"`
}

// AcceptsOnline reports whether a resident may answer online on day (local date).
func (c Campaign) AcceptsOnline(day string) bool {
	return c.Status == Open && day >= c.StartsOn && day <= c.EndsOn
}

// snapshotEnd is the instant the quarter's rates are fixed: the end of the snapshot day.
func (c Campaign) snapshotEnd() time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, c.SnapshotOn, Zone)
	return t.AddDate(0, 0, 1).UTC()
}

// CampaignInput creates a campaign. Empty dates take the quarter's bounds and the 28th of
// its last month; a unit's households and threshold default to the organisation's.
type CampaignInput struct {
	Name          string
	Quarter       string
	Audience      string // Residents ("" too) or KeyCustomers
	TemplateID    int64
	StartsOn      string
	EndsOn        string
	SnapshotOn    string
	FollowupDays  int
	RetentionDays int
	Units         []CampaignUnitInput
}

// CampaignUnitInput is one unit of a new campaign; nil values take the organisation's.
type CampaignUnitInput struct {
	UnitID      int64
	Households  *int
	ThresholdBP *int
	// Customers names a department's key customers (key-customer campaigns only): one
	// invitation each, labelled with the name; the count stands for the households.
	Customers []string
}

func validateCampaign(in *CampaignInput) error {
	in.Name, in.Quarter = strings.TrimSpace(in.Name), strings.TrimSpace(in.Quarter)
	if in.Name == "" {
		return errs.Required("survey_campaign_name")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return errs.Field("survey_campaign_name", "err.too_long", 100)
	}
	first, last, err := QuarterBounds(in.Quarter)
	if err != nil {
		return err
	}
	if in.TemplateID == 0 {
		return errs.Required("survey_template")
	}
	if strings.TrimSpace(in.StartsOn) == "" {
		in.StartsOn = first.Format(time.DateOnly)
	}
	if strings.TrimSpace(in.EndsOn) == "" {
		in.EndsOn = last.Format(time.DateOnly)
	}
	if strings.TrimSpace(in.SnapshotOn) == "" {
		in.SnapshotOn = DefaultSnapshot(in.Quarter)
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"survey_starts_on", &in.StartsOn}, {"survey_ends_on", &in.EndsOn}, {"survey_snapshot_on", &in.SnapshotOn}} {
		t, err := parseDay(f.field, *f.v)
		if err != nil {
			return err
		}
		*f.v = t.Format(time.DateOnly)
	}
	switch {
	case in.EndsOn < in.StartsOn:
		return errs.Field("survey_ends_on", "survey.ends_before_start")
	case in.SnapshotOn < first.Format(time.DateOnly) || in.SnapshotOn > last.Format(time.DateOnly):
		return errs.Field("survey_snapshot_on", "survey.snapshot_outside", in.Quarter)
	}
	if in.FollowupDays == 0 {
		in.FollowupDays = DefaultFollowupDays
	}
	if in.RetentionDays == 0 {
		in.RetentionDays = DefaultRetentionDays
	}
	if in.FollowupDays < 1 || in.FollowupDays > 90 {
		return errs.Field("survey_followup_days", "err.out_of_range", "1", "90")
	}
	if in.RetentionDays < 30 || in.RetentionDays > 3650 {
		return errs.Field("survey_retention_days", "err.out_of_range", "30", "3650")
	}
	if len(in.Units) == 0 {
		return errs.Field("survey_units", "survey.no_units")
	}
	return checkAudience(in)
}

// checkAudience reads the audience: a key-customer campaign names each department's
// customers (no two alike) and has no response-rate threshold (§3 has none); a residents'
// campaign names none.
func checkAudience(in *CampaignInput) error {
	switch in.Audience = strings.TrimSpace(in.Audience); in.Audience {
	case "":
		in.Audience = Residents
	case Residents, KeyCustomers:
	default:
		return errs.Field("survey_audience", "err.invalid_choice", in.Audience)
	}
	for i := range in.Units {
		u := &in.Units[i]
		if in.Audience == Residents {
			if len(u.Customers) > 0 {
				return errs.Field("survey_customers", "survey.customers_residents")
			}
			continue
		}
		seen := map[string]bool{}
		var names []string
		for _, c := range u.Customers {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if utf8.RuneCountInString(c) > 100 {
				return errs.Field("survey_customers", "err.too_long", 100)
			}
			if seen[c] {
				return errs.Field("survey_customers", "survey.customer_twice", c)
			}
			seen[c] = true
			names = append(names, c)
		}
		if len(names) == 0 {
			return errs.Required("survey_customers")
		}
		if len(names) > maxCustomers {
			return errs.Field("survey_customers", "err.out_of_range", "1", fmt.Sprint(maxCustomers))
		}
		n, zero := len(names), 0
		u.Customers, u.Households, u.ThresholdBP = names, &n, &zero
	}
	return nil
}

// CreateCampaign creates a campaign and its invitations, one per household of every unit, in
// one transaction. The actor must be a clerk over every unit.
func CreateCampaign(ctx context.Context, db *store.DB, actor access.Principal, in CampaignInput) (Campaign, error) {
	if err := validateCampaign(&in); err != nil {
		return Campaign{}, err
	}
	var c Campaign
	var err error
	// A clash of two random invitation codes is improbable but not impossible; the whole
	// campaign is then made again with new codes.
	for range 3 {
		c, err = createCampaign(ctx, db, actor, in)
		if !errs.Is(err, errs.Internal) || !store.IsUniqueViolation(err) {
			return c, err
		}
	}
	return c, err
}

func createCampaign(ctx context.Context, db *store.DB, actor access.Principal, in CampaignInput) (Campaign, error) {
	var c Campaign
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := getTemplate(ctx, tx, in.TemplateID); err != nil {
			return err
		}
		c = Campaign{Name: in.Name, Quarter: in.Quarter, Audience: in.Audience, TemplateID: in.TemplateID, Status: Open, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
			SnapshotOn: in.SnapshotOn, FollowupDays: in.FollowupDays, RetentionDays: in.RetentionDays, CreatedBy: actor.Login(), CreatedAt: tx.Now}
		seen := map[int64]bool{}
		labels := map[int64][]string{}
		for _, ui := range in.Units {
			labels[ui.UnitID] = ui.Customers
			u, chain, err := activeUnit(ctx, tx, ui.UnitID)
			if err != nil {
				return err
			}
			if !actor.HoldsOver(chain, clerkRoles...) {
				return errs.New(errs.Forbidden, "survey.clerk_only")
			}
			if seen[u.ID] {
				return errs.Field("survey_units", "survey.unit_twice", u.Name)
			}
			seen[u.ID] = true
			cu := CampaignUnit{UnitID: u.ID, UnitName: u.Name}
			switch {
			case ui.Households != nil:
				cu.Households = *ui.Households
			case u.Households != nil:
				cu.Households = *u.Households
			}
			if cu.Households <= 0 {
				return errs.Field("households", "survey.households_zero", u.Name)
			}
			if cu.Households > maxHouseholds {
				return errs.Field("households", "survey.households_too_many", u.Name, maxHouseholds)
			}
			switch {
			case ui.ThresholdBP != nil:
				cu.ThresholdBP = *ui.ThresholdBP
			case u.ThresholdBP != nil:
				cu.ThresholdBP = *u.ThresholdBP
			default:
				return errs.Field("threshold", "survey.threshold_missing", u.Name)
			}
			if cu.ThresholdBP < 0 || cu.ThresholdBP > 10000 {
				return errs.Field("threshold", "err.out_of_range", "0 %", "100 %")
			}
			c.Units = append(c.Units, cu)
		}
		var err error
		c.ID, err = tx.InsertID(ctx, `INSERT INTO survey_campaigns (name, quarter, audience, template_id, status, starts_on, ends_on, snapshot_on, followup_days, retention_days, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Name, c.Quarter, c.Audience, c.TemplateID, c.Status, c.StartsOn, c.EndsOn, c.SnapshotOn, c.FollowupDays, c.RetentionDays, c.CreatedBy, tx.Now, tx.Now)
		if err != nil {
			return fmt.Errorf("insert campaign: %w", err)
		}
		for _, cu := range c.Units {
			if _, err := tx.Exec(ctx, "INSERT INTO survey_campaign_units (campaign_id, unit_id, households, threshold_bp) VALUES (?, ?, ?, ?)",
				c.ID, cu.UnitID, cu.Households, cu.ThresholdBP); err != nil {
				return err
			}
			if err := insertInvitations(ctx, tx, c.ID, cu.UnitID, 1, cu.Households, "household", labels[cu.UnitID]); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "survey_campaign", EntityID: c.ID, After: c})
	})
	return c, err
}

// insertInvitations inserts invitations seq from..to of a unit, many rows a statement.
// labels, when given, name the invitations from seq from on (a key customer each).
func insertInvitations(ctx context.Context, tx *store.Tx, campaignID, unitID int64, from, to int, channel string, labels []string) error {
	const chunk = 200
	for start := from; start <= to; start += chunk {
		end := min(to, start+chunk-1)
		var sb strings.Builder
		sb.WriteString("INSERT INTO survey_invitations (campaign_id, unit_id, seq, code, household, channel, created_at) VALUES ")
		args := make([]any, 0, 7*(end-start+1))
		for seq := start; seq <= end; seq++ {
			if seq > start {
				sb.WriteString(", ")
			}
			label := ""
			if i := seq - from; i < len(labels) {
				label = labels[i]
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, campaignID, unitID, seq, NewCode(), label, channel, tx.Now)
		}
		if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert invitations: %w", err)
		}
	}
	return nil
}

func activeUnit(ctx context.Context, tx *store.Tx, id int64) (org.Unit, []int64, error) {
	var u org.Unit
	var hh, th *int
	var active bool
	err := tx.QueryRow(ctx, "SELECT id, name, kind, households, threshold_bp, active FROM units WHERE id = ?", id).Scan(&u.ID, &u.Name, &u.Kind, &hh, &th, &active)
	if store.IsNoRows(err) || (err == nil && !active) {
		return u, nil, errs.Field("survey_units", "survey.unit_unknown", id)
	}
	if err != nil {
		return u, nil, err
	}
	u.Households, u.ThresholdBP = hh, th
	chain, err := org.Ancestry(ctx, tx, id)
	return u, chain, err
}

const campaignColumns = "id, name, quarter, audience, template_id, status, starts_on, ends_on, snapshot_on, followup_days, retention_days, created_by, created_at"

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	err := row.Scan(&c.ID, &c.Name, &c.Quarter, &c.Audience, &c.TemplateID, &c.Status, &c.StartsOn, &c.EndsOn, &c.SnapshotOn, &c.FollowupDays, &c.RetentionDays, &c.CreatedBy, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

func getCampaign(ctx context.Context, tx *store.Tx, id int64) (Campaign, error) {
	c, err := campaignRow(ctx, tx, id)
	if err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, `SELECT cu.unit_id, u.name, cu.households, cu.threshold_bp FROM survey_campaign_units cu JOIN units u ON u.id = cu.unit_id
		WHERE cu.campaign_id = ? ORDER BY u.code`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var cu CampaignUnit
		if err := rows.Scan(&cu.UnitID, &cu.UnitName, &cu.Households, &cu.ThresholdBP); err != nil {
			return c, err
		}
		c.Units = append(c.Units, cu)
	}
	return c, rows.Err()
}

// campaignRow reads a campaign without its units.
func campaignRow(ctx context.Context, tx *store.Tx, id int64) (Campaign, error) {
	c, err := scanCampaign(tx.QueryRow(ctx, "SELECT "+campaignColumns+" FROM survey_campaigns WHERE id = ?", id))
	if store.IsNoRows(err) {
		return c, errs.New(errs.NotFound, "survey.campaign_unknown", id)
	}
	return c, err
}

// readable filters a campaign's units to those the actor may read; a campaign with none is
// not found for the actor.
func readable(ctx context.Context, tx *store.Tx, actor access.Principal, c *Campaign) error {
	// One read of the tree: a campaign of the N=100 organisation has 2,000 units, and asking
	// for each unit's ancestors was 24,000 statements in the quarterly report.
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return err
	}
	return readableIn(tree, actor, c)
}

// readableIn is readable with the tree already read, for a caller that reads several
// campaigns.
func readableIn(tree *org.Tree, actor access.Principal, c *Campaign) error {
	var keep []CampaignUnit
	for _, cu := range c.Units {
		if actor.Can(access.Read, tree.Ancestry(cu.UnitID)) {
			keep = append(keep, cu)
		}
	}
	if len(keep) == 0 {
		return errs.New(errs.NotFound, "survey.campaign_unknown", c.ID)
	}
	c.Units = keep
	return nil
}

// GetCampaign returns a campaign with the units the actor may read.
func GetCampaign(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Campaign, error) {
	var c Campaign
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if c, err = getCampaign(ctx, tx, id); err != nil {
			return err
		}
		return readable(ctx, tx, actor, &c)
	})
	return c, err
}

// CampaignFilter selects campaigns; the zero value selects every one the actor may read.
type CampaignFilter struct {
	UnitID int64 // campaigns covering this unit
	// FromMonth and ToMonth (YYYY-MM) select the campaigns running in [FromMonth, ToMonth).
	FromMonth, ToMonth string
	// Page reads a page by keyset (the web list and the API): Fetch() campaigns in its order,
	// for store.Cut, keyed by CampaignKey.
	Page *store.Page
}

// campaignOrder is the campaign lists' order: the newest quarter first, then the newest.
var campaignOrder = store.Order{Col: "c.quarter", ID: "c.id"}

// CampaignKey is a campaign's place in the lists' order, for store.Cut.
func CampaignKey(c Campaign) store.Key { return store.Key{Name: c.Quarter, ID: c.ID} }

// ListCampaigns returns the campaigns the actor may read that match f, newest quarter first,
// each with the units the actor may read: three queries whatever the number of campaigns.
func ListCampaigns(ctx context.Context, db *store.DB, actor access.Principal, f CampaignFilter) ([]Campaign, error) {
	var out []Campaign
	err := db.Read(ctx, func(tx *store.Tx) error {
		// A campaign with no unit the actor may read is not theirs to see: the condition is
		// in the query, so that a page holds a page of the actor's campaigns.
		tree, readable, err := readableUnits(ctx, tx, actor)
		if err != nil {
			return err
		}
		if len(readable) == 0 {
			return nil
		}
		in, args := store.In("cu.unit_id", readable)
		where := []string{"EXISTS (SELECT 1 FROM survey_campaign_units cu WHERE cu.campaign_id = c.id AND " + in + ")"}
		if f.UnitID != 0 && !slices.Contains(readable, f.UnitID) {
			return nil
		}
		if f.UnitID != 0 {
			where = append(where, "EXISTS (SELECT 1 FROM survey_campaign_units cu WHERE cu.campaign_id = c.id AND cu.unit_id = ?)")
			args = append(args, f.UnitID)
		}
		if f.FromMonth != "" {
			where, args = append(where, "c.ends_on >= ?"), append(args, f.FromMonth)
		}
		if f.ToMonth != "" {
			where, args = append(where, "c.starts_on < ?"), append(args, f.ToMonth)
		}
		order := " ORDER BY c.quarter DESC, c.id DESC"
		if f.Page != nil {
			if c, a := f.Page.Where(campaignOrder); c != "" {
				where, args = append(where, c), append(args, a...)
			}
			order, args = f.Page.OrderBy(campaignOrder), append(args, f.Page.Fetch())
		}
		rows, err := tx.Query(ctx, "SELECT "+campaignColumns+" FROM survey_campaigns c WHERE "+strings.Join(where, " AND ")+order, args...)
		if err != nil {
			return err
		}
		byID := map[int64]int{}
		var ids []int64
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				rows.Close()
				return err
			}
			byID[c.ID] = len(out)
			ids = append(ids, c.ID)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		cond, uargs := store.In("cu.campaign_id", ids)
		units, err := tx.Query(ctx, `SELECT cu.campaign_id, cu.unit_id, u.name, cu.households, cu.threshold_bp
			FROM survey_campaign_units cu JOIN units u ON u.id = cu.unit_id WHERE `+cond+` ORDER BY cu.campaign_id, u.code`, uargs...)
		if err != nil {
			return err
		}
		defer units.Close()
		for units.Next() {
			var id int64
			var cu CampaignUnit
			if err := units.Scan(&id, &cu.UnitID, &cu.UnitName, &cu.Households, &cu.ThresholdBP); err != nil {
				return err
			}
			if actor.Can(access.Read, tree.Ancestry(cu.UnitID)) {
				out[byID[id]].Units = append(out[byID[id]].Units, cu)
			}
		}
		return units.Err()
	})
	return out, err
}

// readableUnits is the organisation tree and the units in it the actor may read.
func readableUnits(ctx context.Context, tx *store.Tx, actor access.Principal) (*org.Tree, []int64, error) {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var out []int64
	for _, u := range tree.Ordered() {
		if actor.Can(access.Read, tree.Ancestry(u.ID)) {
			out = append(out, u.ID)
		}
	}
	return tree, out, nil
}

// CampaignQuarters lists the quarters of the campaigns the actor may read, newest first, in
// one query (the campaign list shows a page of campaigns but links every quarter's results).
func CampaignQuarters(ctx context.Context, db *store.DB, actor access.Principal) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *store.Tx) error {
		_, readable, err := readableUnits(ctx, tx, actor)
		if err != nil {
			return err
		}
		if len(readable) == 0 {
			return nil
		}
		in, args := store.In("cu.unit_id", readable)
		rows, err := tx.Query(ctx, "SELECT DISTINCT c.quarter FROM survey_campaigns c JOIN survey_campaign_units cu ON cu.campaign_id = c.id WHERE "+in+" ORDER BY c.quarter DESC", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q string
			if err := rows.Scan(&q); err != nil {
				return err
			}
			out = append(out, q)
		}
		return rows.Err()
	})
	return out, err
}

// CloseCampaign stops a campaign taking answers. Only a clerk over all its units may.
func CloseCampaign(ctx context.Context, db *store.DB, actor access.Principal, id int64) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := clerkOverAll(ctx, tx, actor, c); err != nil {
			return err
		}
		if c.Status == Closed {
			return errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_campaigns SET status = ?, updated_at = ? WHERE id = ?", Closed, tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "close", Entity: "survey_campaign", EntityID: id,
			Before: map[string]string{"status": c.Status}, After: map[string]string{"status": Closed}})
	})
}

func clerkOverAll(ctx context.Context, tx *store.Tx, actor access.Principal, c Campaign) error {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return err
	}
	for _, cu := range c.Units {
		if !actor.HoldsOver(tree.Ancestry(cu.UnitID), clerkRoles...) {
			return errs.New(errs.Forbidden, "survey.clerk_only")
		}
	}
	return nil
}

// Invitation is one household's invitation.
type Invitation struct {
	ID         int64      `json:"id"`
	CampaignID int64      `json:"campaign_id"`
	UnitID     int64      `json:"unit_id"`
	UnitName   string     `json:"unit_name"`
	Seq        int        `json:"seq"`
	Code       string     `json:"code"`
	Household  string     `json:"household,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// InvitationFilter selects a campaign's invitations for printing.
type InvitationFilter struct {
	UnitID     int64
	Unanswered bool
	From       int // first seq
	Limit      int
}

// ListInvitations returns a campaign's invitations of one unit for printing, in seq order.
// Only clerks over the unit may print them: a code lets anyone answer.
func ListInvitations(ctx context.Context, db *store.DB, actor access.Principal, campaignID int64, f InvitationFilter) ([]Invitation, error) {
	var out []Invitation
	err := db.Read(ctx, func(tx *store.Tx) error {
		chain, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, clerkRoles...) {
			return errs.New(errs.Forbidden, "survey.clerk_only")
		}
		// An empty page would say the campaign exists and has no invitations.
		var exists int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_campaigns WHERE id = ?", campaignID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return errs.New(errs.NotFound, "survey.campaign_unknown", campaignID)
		}
		q := `SELECT i.id, i.campaign_id, i.unit_id, u.name, i.seq, i.code, i.household, i.answered_at FROM survey_invitations i JOIN units u ON u.id = i.unit_id
			WHERE i.campaign_id = ? AND i.unit_id = ? AND i.seq >= ? AND i.channel = 'household'`
		if f.Unanswered {
			q += " AND i.answered_at IS NULL"
		}
		rows, err := tx.Query(ctx, q+" ORDER BY i.seq LIMIT ?", campaignID, f.UnitID, max(f.From, 1), min(max(f.Limit, 1), 500))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var inv Invitation
			if err := rows.Scan(&inv.ID, &inv.CampaignID, &inv.UnitID, &inv.UnitName, &inv.Seq, &inv.Code, &inv.Household, &inv.AnsweredAt); err != nil {
				return err
			}
			out = append(out, inv)
		}
		return rows.Err()
	})
	return out, err
}
