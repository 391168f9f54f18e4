package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/webhook"
)

func TestSignAndBackoff(t *testing.T) {
	at := time.Unix(1772352000, 0)
	body := []byte(`{"id":1}`)
	m := hmac.New(sha256.New, []byte("0123456789abcdef"))
	m.Write([]byte("1772352000." + string(body)))
	if got, want := webhook.Sign("0123456789abcdef", at, body), "t=1772352000,v1="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 5: 16 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 30: 6 * time.Hour} {
		if got := webhook.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
	for _, tt := range []struct {
		patterns []string
		event    string
		want     bool
	}{
		{[]string{"*"}, "unit.create", true},
		{[]string{"complaint.*"}, "complaint.reply", true},
		{[]string{"complaint.create"}, "complaint.reply", false},
		{[]string{"complaint.*"}, "complaints.create", false},
	} {
		if got := webhook.Matches(tt.patterns, tt.event); got != tt.want {
			t.Errorf("Matches(%v, %s) = %v", tt.patterns, tt.event, got)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tt := range []struct {
		url     string
		private bool
		ok      bool
	}{
		{"https://hooks.example.com/manyi", false, true},
		{"http://127.0.0.1:8080/x", false, false},
		{"http://127.0.0.1:8080/x", true, true},
		{"http://10.1.2.3/", false, false},
		{"http://192.168.1.1/", false, false},
		{"http://[::1]/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://100.64.0.1/", false, false},
		{"http://localhost/", false, false},
		{"http://app.localhost/", false, false},
		{"ftp://example.com/", false, false},
		{"https://user:pw@example.com/", true, false},
		{"", false, false},
	} {
		_, err := webhook.CheckURL(tt.url, tt.private)
		if (err == nil) != tt.ok || (err != nil && errs.As(err).Field != "url") {
			t.Errorf("CheckURL(%q, %v) = %v", tt.url, tt.private, err)
		}
	}
}

// TestDispatch: a change becomes a signed delivery of the events asked for; a receiver that
// fails is retried after the back-off and given up after MaxAttempts; views of personal data
// are never sent; a deactivated webhook gets nothing more.
func TestDispatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		const secret = "0123456789abcdef"
		var mu sync.Mutex
		var got []map[string]any
		fail := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			sig := r.Header.Get("X-Manyi-Signature")
			ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(ts + "."))
			m.Write(body)
			if !strings.HasSuffix(sig, ",v1="+hex.EncodeToString(m.Sum(nil))) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var v map[string]any
			json.Unmarshal(body, &v)
			mu.Lock()
			defer mu.Unlock()
			if strings.HasSuffix(r.URL.Path, "/flaky") && fail {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			v["path"] = r.URL.Path
			got = append(got, v)
		}))
		defer srv.Close()
		clients := webhook.Clients{Public: webhook.NewClients().Public, Private: srv.Client()}

		if _, err := webhook.Register(ctx, db, access.System, webhook.Input{URL: srv.URL + "/x", Secret: secret, Events: []string{"unit.*"}}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a loopback receiver without allow_private: %v", err)
		}
		admin := access.Principal{Username: "yxadmin", Name: "scoped", Grants: []access.Grant{{Role: access.Admin, UnitID: 1}}}
		if _, err := webhook.Register(ctx, db, admin, webhook.Input{URL: "https://hooks.example.com", Secret: secret, Events: []string{"*"}}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a scoped administrator: %v", err)
		}
		units, err := webhook.Register(ctx, db, access.System, webhook.Input{URL: srv.URL + "/units", Secret: secret, Events: []string{"unit.*"}, AllowPrivate: true})
		if err != nil {
			t.Fatal(err)
		}
		seal(t, db) // as the sealer does within a second: the next registration starts after it
		flaky, err := webhook.Register(ctx, db, access.System, webhook.Input{URL: srv.URL + "/flaky", Secret: secret, Events: []string{"*"}, AllowPrivate: true})
		if err != nil {
			t.Fatal(err)
		}
		u, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "HY", Name: "华苑", Kind: org.Company})
		if err != nil {
			t.Fatal(err)
		}
		if err := audit.RecordView(ctx, db, access.System, "complaint", 1, u.ID, "contact"); err != nil {
			t.Fatal(err)
		}
		// The unit's creation for each webhook, and for the "*" one its own registration too
		// (registered after the other's); not the view of a contact.
		if n, err := webhook.Queue(ctx, db); err != nil || n != 0 {
			t.Fatalf("queued %d before the entries were sealed, %v", n, err)
		}
		seal(t, db)
		if n, err := webhook.Queue(ctx, db); err != nil || n != 3 {
			t.Fatalf("queued %d, %v", n, err)
		}
		if n, err := webhook.Queue(ctx, db); err != nil || n != 0 {
			t.Fatalf("queued again %d, %v", n, err)
		}
		if n, err := webhook.Deliver(ctx, db, clients, nil); err != nil || n != 1 {
			t.Fatalf("delivered %d, %v", n, err)
		}
		if len(got) != 1 || got[0]["event"] != "unit.create" || got[0]["path"] != "/units" || got[0]["entity_id"] != "1" {
			t.Fatalf("received %v", got)
		}
		ds, err := webhook.Deliveries(ctx, db, access.System, flaky.ID, 0, 10)
		if err != nil || len(ds) != 2 || ds[0].Event != "unit.create" || ds[1].Event != "webhook.create" || ds[0].Status != "pending" || ds[0].Attempts != 1 || ds[0].LastStatus != 503 || !ds[0].NextAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("flaky delivery: %+v %v", ds, err)
		}
		if n, _ := webhook.Deliver(ctx, db, clients, nil); n != 0 {
			t.Errorf("retried before its back-off")
		}
		now = now.Add(time.Minute)
		fail = false
		if n, err := webhook.Deliver(ctx, db, clients, nil); err != nil || n != 2 {
			t.Fatalf("retry delivered %d, %v", n, err)
		}
		ds, _ = webhook.Deliveries(ctx, db, access.System, flaky.ID, 0, 10)
		if ds[0].Status != "delivered" || ds[0].Attempts != 2 || ds[0].DeliveredAt == nil {
			t.Errorf("after the retry: %+v", ds[0])
		}
		// Given up after MaxAttempts.
		fail = true
		if err := webhook.Deactivate(ctx, db, access.System, units.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: u.ID, Code: "WG", Name: "物业", Kind: org.Department}); err != nil {
			t.Fatal(err)
		}
		seal(t, db)
		if n, err := webhook.Queue(ctx, db); err != nil || n != 2 { // for the "*" webhook: the other's deactivation and the unit
			t.Fatalf("queued %d, %v", n, err)
		}
		for range webhook.MaxAttempts {
			if _, err := webhook.Deliver(ctx, db, clients, nil); err != nil {
				t.Fatal(err)
			}
			now = now.Add(7 * time.Hour)
		}
		ds, _ = webhook.Deliveries(ctx, db, access.System, flaky.ID, 0, 10)
		if ds[0].Status != "failed" || ds[0].Attempts != webhook.MaxAttempts {
			t.Errorf("given up: %+v", ds[0])
		}
		if ds, _ := webhook.Deliveries(ctx, db, access.System, units.ID, 0, 10); len(ds) != 1 {
			t.Errorf("the deactivated webhook got %d deliveries", len(ds))
		}
	})
}

// TestPublicClientRefusesInternal: the client of ordinary webhooks refuses to connect to an
// internal address whatever the URL named, so a name resolving inward cannot be used.
func TestPublicClientRefusesInternal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := webhook.NewClients().Public.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the public client connected to a loopback address")
	}
	if !strings.Contains(err.Error(), "internal address") {
		t.Errorf("error %v", err)
	}
	resp, err = webhook.NewClients().Private.Get(srv.URL)
	if err != nil {
		t.Fatalf("the private client: %v", err)
	}
	resp.Body.Close()
}

func seal(t *testing.T, db *store.DB) {
	t.Helper()
	if _, _, err := audit.SealAll(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

// TestRobotFormats: a WeCom and a DingTalk webhook get their robot's markdown message, in
// zh-CN; the signed DingTalk one carries timestamp and sign in the query as DingTalk checks
// them; a robot's errcode refusal in a 200 answer is a failed attempt, logged with the ones
// after it; a redelivery sends an accepted delivery again.
func TestRobotFormats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		const dingSecret = "SEC0123456789abcdef0123456789abcdef"
		var mu sync.Mutex
		got := map[string][]map[string]any{}
		refuse := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			var v map[string]any
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Manyi-Signature") != "" {
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
			if r.URL.Path == "/ding-signed" {
				ts, sign := webhook.DingTalkSign(dingSecret, now)
				if r.URL.Query().Get("timestamp") != ts || r.URL.Query().Get("sign") != sign || ts != "1772352000000" {
					w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
					return
				}
			}
			if r.URL.Path == "/refusing" && refuse {
				w.Write([]byte(`{"errcode":45009,"errmsg":"api freq out of limit"}`))
				return
			}
			got[r.URL.Path] = append(got[r.URL.Path], v)
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}))
		defer srv.Close()
		clients := webhook.Clients{Public: webhook.NewClients().Public, Private: srv.Client()}

		for _, tt := range []struct {
			in    webhook.Input
			field string
		}{
			{webhook.Input{URL: srv.URL, Events: []string{"*"}, AllowPrivate: true}, "secret"},
			{webhook.Input{URL: srv.URL, Events: []string{"*"}, AllowPrivate: true, Format: "slack", Secret: dingSecret}, "format"},
			{webhook.Input{URL: srv.URL, Events: []string{"*"}, AllowPrivate: true, Format: webhook.FormatWeCom, Secret: dingSecret}, "secret"},
			{webhook.Input{URL: srv.URL, Events: []string{"*"}, AllowPrivate: true, Format: webhook.FormatDingTalk, Secret: "short"}, "secret"},
		} {
			if _, err := webhook.Register(ctx, db, access.System, tt.in); errs.As(err) == nil || errs.As(err).Field != tt.field {
				t.Errorf("Register(%+v) = %v, want a refusal naming %s", tt.in, err, tt.field)
			}
		}
		hooks := map[string]webhook.Webhook{}
		for path, in := range map[string]webhook.Input{
			"/wecom":       {Format: webhook.FormatWeCom},
			"/ding":        {Format: webhook.FormatDingTalk},
			"/ding-signed": {Format: webhook.FormatDingTalk, Secret: dingSecret},
			"/refusing":    {Format: webhook.FormatWeCom},
		} {
			in.URL, in.Events, in.AllowPrivate = srv.URL+path, []string{"unit.create"}, true
			w, err := webhook.Register(ctx, db, access.System, in)
			if err != nil || w.Format != in.Format {
				t.Fatalf("%s: %+v %v", path, w, err)
			}
			hooks[path] = w
		}
		if _, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "HY", Name: "华苑", Kind: org.Company}); err != nil {
			t.Fatal(err)
		}
		seal(t, db)
		if n, err := webhook.Queue(ctx, db); err != nil || n != 4 {
			t.Fatalf("queued %d, %v", n, err)
		}
		if n, err := webhook.Deliver(ctx, db, clients, nil); err != nil || n != 3 {
			t.Fatalf("delivered %d, %v", n, err)
		}
		wecom := got["/wecom"][0]
		content, _ := wecom["markdown"].(map[string]any)["content"].(string)
		if wecom["msgtype"] != "markdown" || len(wecom) != 2 || !strings.HasPrefix(content, "### 满意度系统：单位创建\n") ||
			!strings.Contains(content, "- 事件：unit.create\n") || !strings.Contains(content, "- 时间：2026-03-01 16:00（北京时间）") {
			t.Errorf("WeCom body %v", wecom)
		}
		for _, path := range []string{"/ding", "/ding-signed"} {
			ding := got[path][0]
			md, _ := ding["markdown"].(map[string]any)
			if ding["msgtype"] != "markdown" || md["title"] != "满意度系统：单位创建" || !strings.HasPrefix(md["text"].(string), "### 满意度系统：单位创建\n") || len(md) != 2 {
				t.Errorf("DingTalk body at %s: %v", path, ding)
			}
		}

		// The refusing robot: logged as a failed attempt, accepted on the retry.
		ds, err := webhook.Deliveries(ctx, db, access.System, hooks["/refusing"].ID, 0, 10)
		if err != nil || len(ds) != 1 || ds[0].Status != "pending" || !strings.Contains(ds[0].LastError, "errcode 45009") {
			t.Fatalf("refused delivery: %+v %v", ds, err)
		}
		now, refuse = now.Add(time.Minute), false
		if n, err := webhook.Deliver(ctx, db, clients, nil); err != nil || n != 1 {
			t.Fatalf("retry delivered %d, %v", n, err)
		}
		ds, _ = webhook.Deliveries(ctx, db, access.System, hooks["/refusing"].ID, 0, 10)
		if log := ds[0].Log; ds[0].Status != "delivered" || len(log) != 2 || log[0].Attempt != 1 || log[0].Status != 200 || log[0].Error == "" || log[1].Attempt != 2 || log[1].Error != "" {
			t.Fatalf("after the retry: %+v", ds[0])
		}

		// Redelivery: refused to a scoped administrator and for what does not exist; an
		// accepted delivery is sent once more; a stopped webhook's is refused.
		scoped := access.Principal{Username: "yxadmin", Grants: []access.Grant{{Role: access.Admin, UnitID: 1}}}
		if err := webhook.Redeliver(ctx, db, scoped, ds[0].ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a scoped administrator redelivers: %v", err)
		}
		if err := webhook.Redeliver(ctx, db, access.System, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("a missing delivery: %v", err)
		}
		if err := webhook.Redeliver(ctx, db, access.System, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, err := webhook.Deliver(ctx, db, clients, nil); err != nil || n != 1 || len(got["/refusing"]) != 2 {
			t.Fatalf("redelivered %d, %v, received %d", n, err, len(got["/refusing"]))
		}
		off := false
		if _, err := webhook.Update(ctx, db, access.System, hooks["/refusing"].ID, webhook.Patch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if err := webhook.Redeliver(ctx, db, access.System, ds[0].ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("redelivery of a stopped webhook's delivery: %v", err)
		}
		// Edited to the manyi format, it needs a secret again.
		manyi := webhook.FormatManyi
		if _, err := webhook.Update(ctx, db, access.System, hooks["/wecom"].ID, webhook.Patch{Format: &manyi}); errs.As(err) == nil || errs.As(err).Field != "secret" {
			t.Errorf("to manyi without a secret: %v", err)
		}
	})
}
