package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

var bookingCodeRE = regexp.MustCompile(`id="booking-code">(YY-[A-Z0-9-]+)<`)
var idemRE = regexp.MustCompile(`name="idem" value="([0-9a-f]+)"`)

// unitIDByCode is the id of the demo unit with the code.
func unitIDByCode(t *testing.T, m *Main, code string) string {
	t.Helper()
	var id string
	if err := m.DB.SQL().QueryRow("SELECT CAST(id AS TEXT) FROM units WHERE code = '" + code + "'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestBookingPublicToFollowUp: a resident books a service on the public form (a resubmitted
// form is stored once; a window ending before it starts is refused, naming the field); the
// head of the area finds it, masked in the list and in full on its page, and records the
// response, the arrival, the completion, the customer's confirmation and the follow-up call
// (a satisfaction off the scale refused first). Another unit's clerk cannot open it.
func TestBookingPublicToFollowUp(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		yongxin := unitIDByCode(t, m, "PROP-YXY")
		before := sqlCount(t, m, "SELECT COUNT(*) FROM bookings")
		resident := newClient(t, m.URL())
		_, form := resident.get("/book")
		idem := idemRE.FindStringSubmatch(form)
		if idem == nil {
			t.Fatalf("the public form carries no idempotency key: %.500s", form)
		}
		day := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format(time.DateOnly)
		booking := url.Values{"idem": {idem[1]}, "booking_unit": {yongxin}, "booking_customer": {"周女士"}, "booking_phone": {"13811112222"},
			"booking_service": {"卫生间下水堵塞"}, "booking_window_start": {day + "T09:00"}, "booking_window_end": {day + "T08:00"}}
		status, body, _ := resident.post("/book", booking)
		if status != http.StatusUnprocessableEntity || len(htmlNodes(t, body, func(n *html.Node) bool {
			return nodeAttr(n, "name") == "booking_window_end" && nodeAttr(n, "aria-invalid") == "true"
		})) != 1 {
			t.Fatalf("a window ending before its start: %d %.300s", status, body)
		}
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM bookings"); n != before {
			t.Fatalf("a refused booking was stored")
		}
		booking.Set("booking_window_end", day+"T11:00")
		status, body, _ = resident.post("/book", booking)
		code := bookingCodeRE.FindStringSubmatch(body)
		if status != http.StatusCreated || code == nil {
			t.Fatalf("the booking: %d %.500s", status, body)
		}
		if _, again, _ := resident.post("/book", booking); !strings.Contains(again, code[1]) {
			t.Fatalf("the resubmitted form did not answer with the first booking")
		}
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM bookings"); n != before+1 {
			t.Fatalf("%d bookings stored, want 1", n-before)
		}
		var id string
		if err := m.DB.SQL().QueryRow("SELECT CAST(id AS TEXT) FROM bookings WHERE code = '" + code[1] + "' AND channel = 'web'").Scan(&id); err != nil {
			t.Fatal(err)
		}

		head := demoClient(t, m.URL(), "head.yongxin")
		_, list := head.get("/bookings?unit=" + yongxin)
		rows := htmlNodes(t, list, func(n *html.Node) bool { return n.Data == "tr" && nodeAttr(n, "data-id") == id })
		if len(rows) != 1 || strings.Contains(list, "13811112222") || !strings.Contains(list, "138****2222") {
			t.Fatalf("the head's list: %d rows, phone shown in full or not masked", len(rows))
		}
		if _, page := head.get("/bookings/" + id); !strings.Contains(page, "13811112222") {
			t.Fatalf("the head handling the booking does not see the phone")
		}
		step := func(name string, extra url.Values) (int, string) {
			t.Helper()
			head.get("/bookings/" + id)
			extra.Set("booking_step", name)
			status, body, _ := head.post("/bookings/"+id+"/steps", extra)
			return status, body
		}
		for _, s := range []struct {
			name  string
			extra url.Values
		}{{"respond", url.Values{"booking_responder": {"张师傅"}}}, {"arrive", url.Values{}}, {"complete", url.Values{}}, {"confirm", url.Values{}}} {
			if status, body := step(s.name, s.extra); status != http.StatusSeeOther {
				t.Fatalf("%s: %d %.300s", s.name, status, body)
			}
		}
		if status, body := step("follow_up", url.Values{"booking_satisfaction": {"9"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "满意度") {
			t.Fatalf("a satisfaction of 9: %d %.300s", status, body)
		}
		if status, body := step("follow_up", url.Values{"booking_satisfaction": {"5"}, "booking_followup_note": {"很满意"}}); status != http.StatusSeeOther {
			t.Fatalf("the follow-up: %d %.300s", status, body)
		}
		_, page := head.get("/bookings/" + id)
		if got := htmlNodes(t, page, func(n *html.Node) bool {
			return nodeAttr(n, "id") == "booking" && nodeAttr(n, "data-status") == "followed_up"
		}); len(got) != 1 {
			t.Fatalf("the booking is not followed up")
		}
		if len(htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "data-satisfaction") == "5" })) != 1 {
			t.Errorf("the page does not show the satisfaction")
		}
		if status, _ := demoClient(t, m.URL(), "clerk.log").get("/bookings/" + id); status != http.StatusNotFound {
			t.Errorf("the logistics clerk opens a property booking: %d", status)
		}
	})
}

// TestBookingTargetsBreach: on the demo, a month shows a breach of the 24-hour response to
// bookings with its definition beside it; its records open, and a record not counted leads to
// a booking answered late.
func TestBookingTargetsBreach(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := demoClient(t, m.URL(), "clerk")
		var month, unit, page string
		for i := range 13 {
			mo := time.Now().AddDate(0, -i, 0).Format("2006-01")
			_, page = c.get("/targets?month=" + mo)
			breaches := htmlNodes(t, page, func(n *html.Node) bool {
				return n.Data == "tr" && nodeAttr(n, "class") == "breach" && nodeAttr(n, "data-unit") != "" && n.Parent != nil && n.Parent.Parent != nil &&
					n.Parent.Parent.Parent != nil && nodeAttr(n.Parent.Parent.Parent, "data-target") == "svc-booking-response-24h"
			})
			if len(breaches) > 0 {
				month, unit = mo, nodeAttr(breaches[0], "data-unit")
				break
			}
		}
		if month == "" {
			t.Fatal("no month of the demo's year shows a late response to a booking")
		}
		if !strings.Contains(page, "分子：本月预约中在预约后 24 小时") || !strings.Contains(page, "分子：预约时段开始于本月") {
			t.Error("the booking targets show no definition")
		}
		_, page = c.get("/targets?month=" + month + "&target=svc-booking-response-24h&unit=" + unit)
		var late string
		for _, li := range htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "li" && insideClass(n, "records") }) {
			a := li.FirstChild
			if a != nil && a.Data == "a" && strings.HasPrefix(nodeAttr(a, "href"), "/bookings/") && a.NextSibling == nil {
				late = nodeAttr(a, "href") // no "counted" badge: answered late
				break
			}
		}
		if late == "" {
			t.Fatalf("the breach of %s in unit %s lists no booking outside the numerator", month, unit)
		}
		status, booking := c.get(late)
		if status != http.StatusOK || len(htmlNodes(t, booking, func(n *html.Node) bool {
			return nodeAttr(n, "data-measure") == "response" && nodeAttr(n, "data-verdict") == "late"
		})) != 1 {
			t.Fatalf("%s: %d, not shown as answered late", late, status)
		}
	})
}

// TestBookingAPIWithToken: the head of 永馨园 registers a booking through the API with a token
// and records its steps; a window ending before it starts is refused naming the field, and a
// booking for 玫瑰区 (outside the head's unit) is refused, as is reading one of its bookings.
func TestBookingAPIWithToken(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		token := newToken(t, demoClient(t, m.URL(), "head.yongxin"))
		api := newClient(t, m.URL())
		call := func(method, path, body string) (int, map[string]any) {
			t.Helper()
			status, resp, _ := api.do(method, path, strings.NewReader(body), map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"})
			var v map[string]any
			if err := json.Unmarshal([]byte(resp), &v); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, status, resp)
			}
			return status, v
		}
		start := time.Now().Add(20 * time.Hour).UTC()
		body := func(unit string, end time.Time) string {
			return `{"unit_id": ` + unit + `, "channel": "phone", "customer": "吴先生", "phone": "13922223333", "service": "空调不制冷", "window_start": "` +
				start.Format(time.RFC3339) + `", "window_end": "` + end.Format(time.RFC3339) + `"}`
		}
		before := sqlCount(t, m, "SELECT COUNT(*) FROM bookings")
		status, v := call("POST", "/api/v1/bookings", body(unitIDByCode(t, m, "PROP-YXY"), start.Add(-time.Hour)))
		if e, _ := v["error"].(map[string]any); status != 422 || e["field"] != "booking_window_end" {
			t.Fatalf("a window ending before its start: %d %v", status, v)
		}
		if status, v = call("POST", "/api/v1/bookings", body(unitIDByCode(t, m, "PROP-MGQ"), start.Add(2*time.Hour))); status != 403 {
			t.Fatalf("a booking for 玫瑰区: %d %v", status, v)
		}
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM bookings"); n != before {
			t.Fatalf("refused bookings were stored")
		}
		var other string
		if err := m.DB.SQL().QueryRow("SELECT CAST(MIN(b.id) AS TEXT) FROM bookings b JOIN units u ON u.id = b.unit_id WHERE u.code = 'PROP-MGQ'").Scan(&other); err != nil {
			t.Fatal(err)
		}
		if status, v = call("GET", "/api/v1/bookings/"+other, ""); status != 404 {
			t.Fatalf("a booking of 玫瑰区: %d %v", status, v)
		}

		status, v = call("POST", "/api/v1/bookings", body(unitIDByCode(t, m, "PROP-YXY"), start.Add(2*time.Hour)))
		if status != 201 {
			t.Fatalf("the booking: %d %v", status, v)
		}
		id := jsonText(v["id"])
		for _, s := range []string{`{"step": "respond", "responder": "李师傅"}`, `{"step": "arrive"}`, `{"step": "complete"}`, `{"step": "confirm"}`,
			`{"step": "follow_up", "satisfaction": 4}`} {
			if status, v = call("POST", "/api/v1/bookings/"+id+"/steps", s); status != 200 {
				t.Fatalf("%s: %d %v", s, status, v)
			}
		}
		status, v = call("GET", "/api/v1/bookings/"+id, "")
		if status != 200 || v["status"] != "followed_up" || v["phone"] != "13922223333" || v["responder"] != "李师傅" {
			t.Fatalf("the booking after its follow-up: %d %v", status, v)
		}
		status, v = call("GET", "/api/v1/bookings?limit=5", "")
		items, _ := v["items"].([]any)
		if status != 200 || len(items) != 5 || strings.Contains(jsonText(v), "13922223333") {
			t.Fatalf("the list: %d, %d items, or a phone in full", status, len(items))
		}
	})
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
