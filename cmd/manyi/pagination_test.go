package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

// pagedList is a keyset-paged list page, who opens it, and the query giving the ids it must
// show, in order (newest first), straight from the database; setup, when the demo holds no
// more than a page of the list's rows, adds rows first.
type pagedList struct {
	user, path string
	want       string
	setup      []string
}

// walkPages follows a list's "next" links from its first page to its last, collecting the
// data-id of every row (a table row or a list item), then follows the "previous" links back and checks each page is the
// one seen on the way forward.
func walkPages(t *testing.T, c *client, path string) []string {
	t.Helper()
	type seen struct {
		ids        []string
		prev, next string
	}
	read := func(path string) seen {
		t.Helper()
		status, body := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %.300s", path, status, body)
		}
		if bad := misalignedColumns(t, body); len(bad) > 0 {
			t.Errorf("%s: numbers right-aligned under a left-aligned heading: %v", path, bad)
		}
		var s seen
		for _, n := range htmlNodes(t, body, func(n *html.Node) bool {
			return (n.Data == "tr" || n.Data == "li") && nodeAttr(n, "data-id") != "" || n.Data == "a" && (nodeAttr(n, "rel") == "next" || nodeAttr(n, "rel") == "prev")
		}) {
			switch {
			case n.Data != "a":
				s.ids = append(s.ids, nodeAttr(n, "data-id"))
			case nodeAttr(n, "rel") == "next":
				s.next = nodeAttr(n, "href")
			default:
				s.prev = nodeAttr(n, "href")
			}
		}
		return s
	}
	var pages []seen
	for p := path; p != ""; {
		s := read(p)
		if len(pages) == 0 && s.prev != "" {
			t.Errorf("%s: the first page links to a previous one", path)
		}
		if s.next != "" && len(s.ids) != 50 {
			t.Errorf("%s: a page followed by another holds %d rows, not 50", p, len(s.ids))
		}
		pages = append(pages, s)
		if len(pages) > 1000 {
			t.Fatalf("%s: more than 1,000 pages: the next links go round in circles", path)
		}
		p = s.next
	}
	for i := len(pages) - 1; i > 0; i-- {
		if pages[i].prev == "" {
			t.Fatalf("%s: page %d has no previous link", path, i+1)
		}
		back := read(pages[i].prev)
		if !slices.Equal(back.ids, pages[i-1].ids) {
			t.Errorf("%s: going back to page %d shows %v, not %v", path, i, back.ids, pages[i-1].ids)
		}
	}
	var ids []string
	for _, p := range pages {
		ids = append(ids, p.ids...)
	}
	return ids
}

// misalignedColumns names the columns of the page's tables whose cells are numbers (class
// num: right-aligned) under a heading that is not, or the other way round, judged on the
// first body row with a cell per heading.
func misalignedColumns(t *testing.T, page string) []string {
	t.Helper()
	isNum := func(n *html.Node) bool { return slices.Contains(strings.Fields(nodeAttr(n, "class")), "num") }
	var bad []string
	for _, table := range htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "table" }) {
		heads := within(table, "th")
		for _, tr := range within(table, "tr") {
			cells := within(tr, "td")
			if len(cells) != len(heads) || slices.ContainsFunc(cells, func(c *html.Node) bool { return nodeAttr(c, "colspan") != "" }) {
				continue
			}
			for i, c := range cells {
				if isNum(c) != isNum(heads[i]) {
					bad = append(bad, "#"+nodeAttr(table, "id")+" "+htmlText(heads[i]))
				}
			}
			break
		}
	}
	return bad
}

// TestListPagesKeyset follows the next links of every keyset-paged list page over more rows
// than a page holds: every row is visited exactly once, in the list's order, and the previous
// links lead back through the same pages.
func TestListPagesKeyset(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		clients := map[string]*client{}
		for _, l := range pagedLists {
			t.Run(strings.TrimPrefix(l.path, "/"), func(t *testing.T) {
				c := clients[l.user]
				if c == nil {
					c = newClient(t, m.URL())
					if l.user == "admin" {
						c.login("admin", testAdminPassword)
					} else {
						c.login(l.user, "manyi-demo-2026")
					}
					clients[l.user] = c
				}
				if len(l.setup) > 0 {
					if err := m.DB.InTx(context.Background(), func(tx *store.Tx) error {
						for _, st := range l.setup {
							if _, err := tx.Exec(context.Background(), st); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				}
				want := idsOf(t, m.DB, l.want)
				if len(want) <= 50 {
					t.Fatalf("%s: only %d rows, not more than a page", l.path, len(want))
				}
				if got := walkPages(t, c, l.path); !slices.Equal(got, want) {
					t.Errorf("%s: the pages show %d rows %v…, want %d rows %v…", l.path, len(got), got[:min(8, len(got))], len(want), want[:min(8, len(want))])
				}
			})
		}
	})
}

var pagedLists = []pagedList{
	{"clerk", "/complaints", "SELECT id FROM complaints ORDER BY received_at DESC, id DESC", nil},
	{"admin", "/audit?entity=complaint", "SELECT id FROM audit_log WHERE entity = 'complaint' ORDER BY id DESC", nil},
	{"clerk", "/workorders", "SELECT id FROM work_orders ORDER BY reported_at DESC, id DESC", nil},
	{"clerk", "/surveys/answers", "SELECT id FROM survey_answers ORDER BY answered_at DESC, id DESC", nil},
	{"clerk", "/inspections", "SELECT id FROM inspections ORDER BY inspected_at DESC, id DESC", nil},
	{"admin", "/org/people", "SELECT id FROM people WHERE active ORDER BY name, id", nil},
	{"clerk", "/inspections/notifications", "SELECT id FROM inspection_notifications WHERE kind <> 'deduction' ORDER BY id DESC",
		[]string{`INSERT INTO inspection_notifications (finding_id, unit_id, kind, created_at)
			SELECT f.id, f.unit_id, 'rectification_overdue', f.created_at FROM inspection_findings f
			WHERE NOT EXISTS (SELECT 1 FROM inspection_notifications x WHERE x.finding_id = f.id AND x.kind = 'rectification_overdue')`}},
	{"clerk", "/complaints/notifications", "SELECT id FROM complaint_notifications ORDER BY id DESC",
		[]string{`INSERT INTO complaint_notifications (complaint_id, kind, sla_round, unit_id, due_at, created_at)
			SELECT id, 'reply_breach', 99, unit_id, received_at, received_at FROM complaints`}},
	{"clerk", "/inspections/findings", "SELECT f.id FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id ORDER BY i.inspected_at DESC, f.id DESC", nil},
	{"clerk", "/surveys/followups", "SELECT id FROM survey_followups ORDER BY id DESC", nil},
	// Copies of the demo's campaigns, many in one quarter: the order within a quarter is by id.
	{"clerk", "/surveys", "SELECT id FROM survey_campaigns ORDER BY quarter DESC, id DESC", copyCampaigns},
	// Copies of the demo's items share their due days: the order within a day is by id.
	{"clerk", "/improvements", "SELECT id FROM improvements ORDER BY CASE WHEN status = 'verified' THEN 1 ELSE 0 END, due_on, id",
		[]string{`INSERT INTO improvements (source_kind, source_ref, source_on, unit_id, title, problem, owner, due_on, status, created_by, created_at, updated_at)
			SELECT a.source_kind, a.source_ref || '-' || b.id, a.source_on, a.unit_id, a.title, a.problem, a.owner, a.due_on, a.status, a.created_by, a.created_at, a.updated_at
			FROM improvements a CROSS JOIN (SELECT id FROM improvements ORDER BY id LIMIT 4) b`}},
	// The lists below get a row for each improvement item (more than a page, after the copies above).
	{"clerk", "/bookings", "SELECT id FROM bookings ORDER BY id DESC",
		[]string{`INSERT INTO bookings (code, unit_id, channel, customer, phone, service, booked_at, window_start, window_end, created_by, created_at, updated_at)
			SELECT 'T-' || i.id, i.unit_id, 'phone', '业主', '13800000000', '上门维修', i.created_at, i.created_at, i.created_at, 'test', i.created_at, i.created_at FROM improvements i`}},
	{"clerk", "/meetings", "SELECT id FROM quality_meetings ORDER BY quarter DESC, id DESC",
		[]string{`INSERT INTO quality_meetings (org_id, quarter, held_on, status, created_by, created_at, updated_at)
			SELECT (SELECT MIN(id) FROM units), '1' || i.id || '-Q1', '2026-01-10', 'held', 'test', i.created_at, i.created_at FROM improvements i`}},
	// Many projects start on each day: the order within a day is by id.
	{"clerk", "/projects", "SELECT id FROM projects ORDER BY planned_start, id",
		[]string{`INSERT INTO projects (code, name, unit_id, major, tendered, planned_start, created_by, created_at, updated_at)
			SELECT 'T-' || i.id, i.title, i.unit_id, FALSE, FALSE, i.due_on, 'test', i.created_at, i.created_at FROM improvements i`}},
	{"admin", "/webhooks", "SELECT id FROM webhooks ORDER BY id DESC",
		[]string{`INSERT INTO webhooks (url, secret, events, active, created_by, created_at)
			SELECT 'https://example.invalid/' || i.id, '', 'complaint.registered', FALSE, 'test', i.created_at FROM improvements i`}},
	// An account (that cannot log in) for every person without one.
	{"admin", "/org/users", "SELECT id FROM users ORDER BY username",
		[]string{`INSERT INTO users (person_id, username, password_hash, active, password_changed_at, created_at, updated_at)
			SELECT p.id, 'test' || p.id, '!', FALSE, p.created_at, p.created_at, p.created_at FROM people p
			WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)`}},
	// Copies of the demo's closes under other codes: many closes of each period.
	{"clerk", "/assessment", "SELECT id FROM assessment_closes WHERE superseded = FALSE ORDER BY period DESC, id DESC",
		[]string{`INSERT INTO assessment_closes (scheme_code, scheme_version, period, parent_unit_id, version, status, superseded, missing_facts,
			missing_reason, missing_by, reopen_reason, created_by, created_at, computed_at)
			SELECT 'copy-' || c.id || '-' || b.id, c.scheme_version, c.period, c.parent_unit_id, c.version, c.status, c.superseded, c.missing_facts,
			c.missing_reason, c.missing_by, c.reopen_reason, 'test', c.created_at, c.computed_at
			FROM assessment_closes c CROSS JOIN (SELECT id FROM improvements ORDER BY id LIMIT 30) b WHERE NOT c.superseded`}},
	// Later versions of each template and scheme: a code's versions come newest first.
	{"clerk", "/surveys/templates", "SELECT id FROM survey_templates ORDER BY code, version DESC",
		[]string{`INSERT INTO survey_templates (code, version, name, definition, created_by, created_at)
			SELECT t.code, t.version + 1000 * b.id, t.name, t.definition, 'test', t.created_at FROM survey_templates t
			CROSS JOIN (SELECT id FROM improvements ORDER BY id LIMIT 30) b`}},
	{"admin", "/assessment/schemes", "SELECT id FROM assessment_schemes ORDER BY code, version DESC",
		[]string{`INSERT INTO assessment_schemes (code, version, name_zh, name_en, yaml, active, created_by, created_at)
			SELECT s.code, s.version + 1000 * b.id, s.name_zh, s.name_en, s.yaml, FALSE, 'test', s.created_at FROM assessment_schemes s
			CROSS JOIN (SELECT id FROM improvements ORDER BY id LIMIT 30) b`}},
	// A follow-up of every callback still without one, in a month of their own: grouped by
	// status (the demo's confirmed, filed and open ones are other months'), then by id.
	{"clerk", "/workorders/followups?month=2000-01", "SELECT id FROM workorder_followups WHERE month = '2000-01' ORDER BY status, id",
		[]string{`INSERT INTO workorder_followups (task_id, order_id, team_id, month, status, created_at, updated_at)
			SELECT t.id, t.order_id, t.team_id, '2000-01', CASE WHEN t.id % 3 = 0 THEN 'filed' ELSE 'open' END, t.created_at, t.created_at
			FROM workorder_tasks t WHERE t.kind = 'callback' AND NOT EXISTS (SELECT 1 FROM workorder_followups f WHERE f.task_id = t.id)
			ORDER BY t.id LIMIT 120`}},
}

// copyCampaigns adds a copy of each demo campaign for each demo campaign, covering the first
// unit a demo campaign covers.
var copyCampaigns = []string{
	`INSERT INTO survey_campaigns (name, quarter, audience, template_id, status, starts_on, ends_on, snapshot_on, followup_days, retention_days, created_by, created_at, updated_at)
		SELECT a.name || ' ' || b.id, a.quarter, a.audience, a.template_id, 'closed', a.starts_on, a.ends_on, a.snapshot_on, a.followup_days, a.retention_days, a.created_by, a.created_at, a.updated_at
		FROM survey_campaigns a CROSS JOIN survey_campaigns b`,
	`INSERT INTO survey_campaign_units (campaign_id, unit_id, households, threshold_bp)
		SELECT c.id, (SELECT MIN(unit_id) FROM survey_campaign_units), 100, 5000 FROM survey_campaigns c
		WHERE NOT EXISTS (SELECT 1 FROM survey_campaign_units x WHERE x.campaign_id = c.id)`,
}

func idsOf(t *testing.T, db *store.DB, query string) []string {
	t.Helper()
	var out []string
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
