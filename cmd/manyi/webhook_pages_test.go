package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/webhook"
)

// TestWebhookPages (#17): the administrator's webhook pages: the navigation offers them to the
// administrator only and a clerk is refused; a DingTalk webhook is registered, a WeCom one with a
// secret is refused naming the secret; the delivery log shows a delivery with its status, and
// its redelivery button queues it again; a stopped webhook offers no redelivery and refuses one.
func TestWebhookPages(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		admin := demoClient(t, m.URL(), "admin")
		navLinks := func(page string) int {
			return len(htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "a" && nodeAttr(n, "href") == "/webhooks" }))
		}
		status, page := admin.get("/webhooks")
		if status != http.StatusOK || navLinks(page) != 1 {
			t.Fatalf("the administrator's /webhooks: %d, %d navigation links", status, navLinks(page))
		}
		// The named events, the overdue and dissatisfied ones among them, are ticks; what is
		// ticked and what is typed beside them are the webhook's events, shown back as they were.
		choices := func(page string, checked bool) []string {
			var out []string
			for _, n := range htmlNodes(t, page, func(n *html.Node) bool {
				return n.Data == "input" && nodeAttr(n, "name") == "event" && (!checked || slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "checked" }))
			}) {
				out = append(out, nodeAttr(n, "value"))
			}
			return out
		}
		if got := choices(page, false); !slices.Equal(got, webhook.Named) || !slices.Contains(got, "improvement.overdue") {
			t.Fatalf("event choices %v, want %v", got, webhook.Named)
		}
		status, _, loc := admin.post("/webhooks", url.Values{"url": {"https://hooks.example.com/manyi"}, "format": {"manyi"}, "secret": {"0123456789abcdef"},
			"event": {"workorder_task.dissatisfied", "improvement.overdue"}, "events": {"unit.create"}})
		if status != http.StatusSeeOther {
			t.Fatalf("register with ticked events: %d", status)
		}
		_, page = admin.get(loc)
		typed := htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "input" && nodeAttr(n, "name") == "events" })
		if got := choices(page, true); !slices.Equal(got, []string{"workorder_task.dissatisfied", "improvement.overdue"}) || len(typed) != 1 || nodeAttr(typed[0], "value") != "unit.create" {
			t.Fatalf("ticked %v, typed %v", got, typed)
		}

		clerk := demoClient(t, m.URL(), "clerk")
		if _, home := clerk.get("/"); navLinks(home) != 0 {
			t.Error("the navigation offers the webhooks to a clerk")
		}
		if status, _ := clerk.get("/webhooks"); status != http.StatusForbidden {
			t.Errorf("a clerk's /webhooks: %d", status)
		}

		status, page, _ = admin.post("/webhooks", url.Values{"url": {"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}, "format": {"wecom"},
			"secret": {"0123456789abcdef"}, "events": {"*"}})
		invalid := htmlNodes(t, page, func(n *html.Node) bool {
			return nodeAttr(n, "name") == "secret" && nodeAttr(n, "aria-invalid") == "true"
		})
		if status != http.StatusUnprocessableEntity || len(invalid) != 1 || len(htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "id") == "form-error" })) != 1 {
			t.Fatalf("WeCom with a secret: %d, secret marked %d", status, len(invalid))
		}
		status, _, loc = admin.post("/webhooks", url.Values{"url": {"https://oapi.dingtalk.com/robot/send?access_token=t"}, "format": {"dingtalk"}, "events": {"*"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/webhooks/") {
			t.Fatalf("register: %d %q", status, loc)
		}
		hook := strings.TrimPrefix(loc, "/webhooks/")
		// A change after the registration (the webhook's own edit), sealed and queued as the
		// dispatcher does, is its first delivery.
		if status, _, _ := admin.post(loc, url.Values{"url": {"https://oapi.dingtalk.com/robot/send?access_token=t"}, "format": {"dingtalk"}, "events": {"*"}, "active": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		ctx := context.Background()
		if _, _, err := audit.SealAll(ctx, m.DB); err != nil {
			t.Fatal(err)
		}
		if n, err := webhook.Queue(ctx, m.DB); err != nil || n == 0 {
			t.Fatalf("queued %d, %v", n, err)
		}
		_, page = admin.get(loc)
		rows := htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "tr" && nodeAttr(n, "data-status") == "pending" })
		buttons := htmlNodes(t, page, func(n *html.Node) bool {
			return n.Data == "form" && strings.HasPrefix(nodeAttr(n, "action"), "/webhooks/deliveries/") && strings.HasSuffix(nodeAttr(n, "action"), "/redeliver")
		})
		if len(rows) == 0 || len(buttons) != len(rows) {
			t.Fatalf("the delivery log: %d pending rows, %d redeliver buttons", len(rows), len(buttons))
		}
		redeliver := nodeAttr(buttons[0], "action")
		if status, _, to := admin.post(redeliver, url.Values{"webhook": {hook}}); status != http.StatusSeeOther || to != loc {
			t.Fatalf("redeliver: %d %q", status, to)
		}
		if status, _, _ := clerk.post(redeliver, url.Values{"webhook": {hook}}); status != http.StatusForbidden {
			t.Errorf("a clerk redelivers: %d", status)
		}

		// Stopped (the active box unticked): no redelivery offered, and none accepted.
		if status, _, _ := admin.post(loc, url.Values{"url": {"https://oapi.dingtalk.com/robot/send?access_token=t"}, "format": {"dingtalk"}, "events": {"*"}}); status != http.StatusSeeOther {
			t.Fatalf("stop: %d", status)
		}
		_, page = admin.get(loc)
		if n := len(htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "form" && nodeAttr(n, "action") == redeliver })); n != 0 {
			t.Error("a stopped webhook offers redelivery")
		}
		if status, _, _ := admin.post(redeliver, url.Values{"webhook": {hook}}); status != http.StatusConflict {
			t.Errorf("redelivery of a stopped webhook's: %d", status)
		}
	})
}
