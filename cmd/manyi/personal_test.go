package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/internal/store"
)

var mobileRE = regexp.MustCompile(`1[3-9]\d{9}`)

// demoPhones returns every mainland mobile number stored in the demo's personal data: staff,
// reporters of work orders, survey respondents and complainants.
func demoPhones(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	phones := map[string]bool{}
	for _, q := range []string{"SELECT phone FROM people", "SELECT phone FROM work_orders", "SELECT phone FROM survey_answers", "SELECT contact FROM complaints", "SELECT phone FROM bookings"} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			for _, p := range mobileRE.FindAllString(s.String, -1) {
				phones[p] = true
			}
		}
		rows.Close()
	}
	if len(phones) < 100 {
		t.Fatalf("only %d demo phone numbers: the query misses where the demo keeps them", len(phones))
	}
	return phones
}

// unmasked returns the demo numbers that text shows in full.
func unmasked(text string, phones map[string]bool) []string {
	var out []string
	for _, p := range mobileRE.FindAllString(text, -1) {
		if phones[p] {
			out = append(out, p)
		}
	}
	return out
}

// sheetText is the text of every cell of an XLSX file, or of a CSV file.
func sheetText(t *testing.T, path string, body []byte) string {
	t.Helper()
	var b strings.Builder
	if strings.HasSuffix(path, ".csv") {
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, r := range recs {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
		return b.String()
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

func distinct(xs []string) []string {
	sort.Strings(xs)
	return slices.Compact(xs)
}

func viewEntries(t *testing.T, db *sql.DB, entity string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = '" + entity + "'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPersonalDataMasked (issue 13) fetches every list page, list API response and export
// (XLSX and CSV, parsed) that a role may open, for every demo role, and the server's log of
// the whole run, and looks for the demo's mobile numbers in full: none may appear. The pages
// whose purpose is to show one number to the person who needs it — the reporter's number in
// the dispatcher's callback queue, the complainant's contact on the complaint for the desk —
// show it, and each such showing writes an access entry into the audit log.
func TestPersonalDataMasked(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m, logs := runMainLogged(t, d)
		db := m.DB.SQL()
		phones := demoPhones(t, db)
		month := demoMonth(1)
		var logID string
		if err := db.QueryRow("SELECT id FROM units WHERE code = 'LOG'").Scan(&logID); err != nil {
			t.Fatal(err)
		}
		var paths []string
		for p, rule := range routeRules {
			method, path, _ := strings.Cut(p, " ")
			if method != "GET" || rule == "record" || rule == "public" && path != "/complain" && path != "/track" {
				continue
			}
			path = strings.Replace(path, "{$}", "", 1)
			path = strings.Replace(path, "{quarter}", quarterOf(month), 1)
			if q, ok := sampleQuery[p]; ok {
				path += strings.NewReplacer("FROM", month+"-01", "TO", month+"-28", "QUARTER", quarterOf(month), "LOG", logID).Replace(q)
			}
			paths = append(paths, path)
		}
		// Lists with their filters open: the survey answers and work orders of a whole quarter.
		paths = append(paths, "/workorders?month="+month, "/surveys/answers?quarter="+quarterOf(month), "/complaints?status=all",
			"/workorders/export.xlsx?month="+month, "/workorders/export.xlsx?day="+month+"-10", "/org/people?include_inactive=true")
		sort.Strings(paths)
		pages, sheets := 0, 0
		for _, u := range demoAccounts {
			c := demoClient(t, m.URL(), u)
			for _, path := range paths {
				status, body, _ := c.do("GET", path, nil, nil)
				if status != http.StatusOK {
					continue
				}
				pages++
				if strings.Contains(path, ".xlsx") || strings.Contains(path, ".csv") {
					body = sheetText(t, path, []byte(body))
					sheets++
				}
				if path == "/workorders/queue" || path == "/api/v1/callbacks/queue" {
					continue // the one number of the callback being made: checked below
				}
				if leak := unmasked(body, phones); len(leak) > 0 {
					t.Errorf("%s as %s shows %d phone numbers in full, e.g. %s", path, u, len(leak), leak[0])
				}
			}
		}

		if pages < 500 || sheets < 30 {
			t.Fatalf("fetched only %d pages and %d exports", pages, sheets)
		}
		t.Logf("%d pages and %d exports without a phone number in full", pages, sheets)

		// The showings whose purpose is one number: the reporter's in the dispatcher's callback
		// queue, and those below; each logs an access entry.
		// Each showing: as whom, the record (a query for its id), the page, the audit entity.
		for _, sh := range []struct{ user, id, path, entity string }{
			{"dispatcher1", "", "/workorders/queue", "work_order"},
			{"dispatcher1", "", "/api/v1/callbacks/queue", "work_order"},
			// The complaint desk, and the unit head who handles the complaints about the unit
			// (complaint.handleRoles: reply, resolve), see the complainant's contact.
			{"clerk", "SELECT MIN(id) FROM complaints WHERE contact LIKE '1%'", "/complaints/", "complaint"},
			{"head.yongxin", "SELECT MIN(c.id) FROM complaints c JOIN units u ON u.id = c.unit_id WHERE u.name = '永馨园' AND c.contact LIKE '1%'", "/complaints/", "complaint"},
			// The head of the area who handles a booking calls the customer back (回访).
			{"head.yongxin", "SELECT MIN(b.id) FROM bookings b JOIN units u ON u.id = b.unit_id WHERE u.name = '永馨园'", "/bookings/", "booking"},
			{"head.yongxin", "SELECT MIN(b.id) FROM bookings b JOIN units u ON u.id = b.unit_id WHERE u.name = '永馨园'", "/api/v1/bookings/", "booking"},
			// The administrator opens one person through the API.
			{"admin", "SELECT MIN(id) FROM people WHERE phone LIKE '1%'", "/api/v1/people/", "person"},
		} {
			path := sh.path
			if sh.id != "" {
				var id string
				if err := db.QueryRow(sh.id).Scan(&id); err != nil {
					t.Fatal(err)
				}
				path += id
			}
			c := demoClient(t, m.URL(), sh.user)
			before := viewEntries(t, db, sh.entity)
			status, body := c.get(path)
			if status != http.StatusOK {
				t.Fatalf("%s as %s: %d", path, sh.user, status)
			}
			if shown := distinct(unmasked(body, phones)); len(shown) != 1 {
				t.Errorf("%s shows %s %d numbers in full, want the one needed: %v", path, sh.user, len(shown), shown)
			} else if after := viewEntries(t, db, sh.entity); after == before {
				t.Errorf("%s showed %s a number and wrote no access entry", path, sh.user)
			}
		}

		if leak := unmasked(logs.String(), phones); len(leak) > 0 {
			t.Errorf("the server's log holds %d phone numbers in full, e.g. %s", len(leak), leak[0])
		}
	})
}
