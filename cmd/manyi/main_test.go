package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"manyi/internal/demo"
	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

const testAdminPassword = "admin-password-for-tests"

// MustRunMain starts the real program on a free port with a fresh database of the dialect
// holding the demo organisation (a copy of the binary's demo template), and stops it when the
// test ends. Options change the configuration before the start.
func MustRunMain(t testing.TB, d store.Dialect, options ...func(*Config)) *Main {
	t.Helper()
	m := &Main{
		Config: Config{Addr: "127.0.0.1:0", DB: demoDB(t, d), Demo: true, AdminPassword: testAdminPassword, NoJobs: true},
		Stdout: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range options {
		o(&m.Config)
	}
	return startMain(t, m)
}

// startMain opens m and closes it when the test ends.
func startMain(t testing.TB, m *Main) *Main {
	t.Helper()
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Close(ctx)
	})
	return m
}

// dialects runs fn on SQLite and, when MANYI_TEST_POSTGRES is set, on PostgreSQL, as parallel
// subtests: each starts its own server on its own copy of the demo, and the SQLite one need
// not wait for the PostgreSQL template. fn must not share mutable state between the two;
// the caller's code after dialects runs before they do.
func dialects(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, store.SQLite)
	})
	if storetest.PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, store.Postgres)
		})
	}
}

// client is a browser-like HTTP client: it keeps cookies and does not follow redirects, so
// tests see where each form sends the user.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	csrf string
}

func newClient(t testing.TB, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(method, path string, body io.Reader, header map[string]string) (int, string, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	status, body, _ := c.do("GET", path, nil, nil)
	return status, body
}

// post submits a form the way the page does, with the CSRF token of the last page seen.
func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	status, body, h := c.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	return status, body, h.Get("Location")
}

func (c *client) login(username, password string) {
	c.t.Helper()
	status, body, loc := c.post("/login", url.Values{"username": {username}, "password": {password}})
	if status != http.StatusSeeOther || loc != "/" {
		c.t.Fatalf("login %s: status %d, location %q, body %.300s", username, status, loc, body)
	}
	c.get("/") // pick up the session's CSRF token
}

func TestLoginCreateUnitLogout(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := newClient(t, m.URL())

		// Not logged in: every page sends the user to the login page.
		if status, _, _ := c.do("GET", "/org", nil, nil); status != http.StatusSeeOther {
			t.Fatalf("GET /org without login: %d", status)
		}
		status, body, _ := c.post("/login", url.Values{"username": {"admin"}, "password": {"wrong-password"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码不正确") {
			t.Fatalf("wrong password: %d %.200s", status, body)
		}
		c.login("admin", testAdminPassword)

		// The default language is Chinese and the navigation names the areas; the reports
		// are the clerks' and the committee's, not the administrator's.
		_, home := c.get("/")
		for _, want := range []string{`lang="zh-CN"`, "工单评价", "满意度调查", "投诉处理", "检查考核", "考评结果"} {
			if !strings.Contains(home, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
		if strings.Contains(home, `href="/reports"`) {
			t.Error("the administrator is offered the reports, which answer 403 to the role")
		}

		_, tree := c.get("/org")
		parent := regexp.MustCompile(`<option value="(\d+)"[^>]*>[^<]*品质部`)
		_, form := c.get("/org/units/new")
		mm := parent.FindStringSubmatch(form)
		if mm == nil {
			t.Fatalf("new-unit form offers no 品质部 parent; tree: %.300s", tree)
		}
		// A form without the CSRF token is refused and creates nothing.
		status, _, _ = c.do("POST", "/org/units", strings.NewReader(url.Values{"code": {"X1"}, "name": {"伪造"}, "kind": {"team"}, "parent_id": {mm[1]}}.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if status != http.StatusForbidden {
			t.Fatalf("form without CSRF token: %d", status)
		}
		// A negative household count is refused with the field named, and the form keeps the input.
		status, body, _ = c.post("/org/units", url.Values{"code": {"QA-NEW"}, "name": {"新小区"}, "kind": {"area"}, "parent_id": {mm[1]}, "households": {"-5"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "户数不能小于 0") || !strings.Contains(body, `value="新小区"`) {
			t.Fatalf("negative households: %d %.400s", status, body)
		}
		status, _, loc := c.post("/org/units", url.Values{"code": {"QA-NEW"}, "name": {"新小区"}, "kind": {"area"}, "parent_id": {mm[1]}, "households": {"500"}, "threshold": {"30"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/org/units/") {
			t.Fatalf("create unit: %d %s", status, loc)
		}
		_, tree = c.get("/org")
		if !strings.Contains(tree, "新小区") || !strings.Contains(tree, "30 %") {
			t.Fatal("new unit not in the tree")
		}
		// The same code again is a conflict naming the code.
		status, body, _ = c.post("/org/units", url.Values{"code": {"QA-NEW"}, "name": {"重复"}, "kind": {"team"}, "parent_id": {mm[1]}})
		if status != http.StatusConflict || !strings.Contains(body, "编码已被其他单位使用") {
			t.Fatalf("duplicate code: %d %.300s", status, body)
		}
		// The audit log shows the creation.
		if _, audit := c.get("/audit?entity=unit"); !strings.Contains(audit, "QA-NEW") {
			t.Fatal("audit log lacks the new unit")
		}

		status, _, loc = c.post("/logout", url.Values{})
		if status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("logout: %d %s", status, loc)
		}
		if status, _, _ := c.do("GET", "/org", nil, nil); status != http.StatusSeeOther {
			t.Fatalf("GET /org after logout: %d", status)
		}
	})
}

func unitID(t *testing.T, c *client, name string) string {
	t.Helper()
	_, tree := c.get("/org")
	m := regexp.MustCompile(`href="/org/units/(\d+)">` + name + `<`).FindStringSubmatch(tree)
	if m == nil {
		t.Fatalf("unit %s not in the tree", name)
	}
	return m[1]
}

// TestUnitHeadScope proves a unit head of 永馨园 cannot reach 玫瑰区's records by editing ids
// in URLs, through pages or the API.
func TestUnitHeadScope(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		meigui, yongxin := unitID(t, admin, "玫瑰区"), unitID(t, admin, "永馨园")

		head := newClient(t, m.URL())
		head.login("head.yongxin", demo.DemoPassword)
		if status, body := head.get("/org/units/" + yongxin); status != http.StatusOK || !strings.Contains(body, "永馨园") {
			t.Fatalf("head reads own unit: %d", status)
		}
		for _, path := range []string{"/org/units/" + meigui, "/org/units/" + meigui + "/edit", "/audit", "/org/users"} {
			if status, body := head.get(path); status != http.StatusForbidden || strings.Contains(body, "620") {
				t.Errorf("head GET %s: %d", path, status)
			}
		}
		if status, _, _ := head.post("/org/units/"+meigui, url.Values{"code": {"MGQ"}, "name": {"被改名"}, "kind": {"area"}}); status != http.StatusForbidden {
			t.Errorf("head POST to 玫瑰区: %d", status)
		}
		if _, tree := head.get("/org"); strings.Contains(tree, "玫瑰区") || !strings.Contains(tree, "永馨园") {
			t.Error("head's tree shows 玫瑰区 or hides 永馨园")
		}
		if _, people := head.get("/org/people"); strings.Contains(people, "王丽娟") {
			t.Error("head's people list shows 玫瑰区's head")
		}

		// The API, with a personal token created on the account page.
		head.get("/account")
		_, page, _ := head.post("/account/tokens", url.Values{"name": {"test"}})
		tm := regexp.MustCompile(`id="new-token">(manyi_[^<]+)<`).FindStringSubmatch(page)
		if tm == nil {
			t.Fatalf("no token shown: %.500s", page)
		}
		api := newClient(t, m.URL())
		bearer := map[string]string{"Authorization": "Bearer " + tm[1], "Content-Type": "application/json"}
		if status, _, _ := api.do("GET", "/api/v1/units/"+yongxin, nil, bearer); status != http.StatusOK {
			t.Errorf("API own unit: %d", status)
		}
		for _, tc := range []struct{ method, path, body string }{
			{"GET", "/api/v1/units/" + meigui, ""},
			{"GET", "/api/v1/areas/" + meigui, ""},
			{"PATCH", "/api/v1/units/" + meigui, `{"name":"被改名"}`},
			{"GET", "/api/v1/people?unit_id=" + meigui, ""},
			{"GET", "/api/v1/audit", ""},
		} {
			status, body, _ := api.do(tc.method, tc.path, strings.NewReader(tc.body), bearer)
			if status != http.StatusForbidden {
				t.Errorf("API %s %s: %d %s", tc.method, tc.path, status, body)
			}
		}
		_, body, _ := api.do("GET", "/api/v1/units", nil, bearer)
		var list struct {
			Items []struct{ Name string } `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "永馨园" {
			t.Errorf("API unit list for the head: %s", body)
		}
		// 玫瑰区 is unchanged.
		_, after := admin.get("/org/units/" + meigui)
		if !strings.Contains(after, "玫瑰区") || strings.Contains(after, "被改名") {
			t.Error("玫瑰区 was changed by a refused request")
		}
	})
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	c := newClient(t, m.URL())
	c.login("admin", testAdminPassword)
	status, _, h := c.do("GET", "/lang/en?next=/org", nil, nil)
	if status != http.StatusSeeOther || h.Get("Location") != "/org" {
		t.Fatalf("switch: %d %s", status, h.Get("Location"))
	}
	if _, body := c.get("/org"); !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Units") {
		t.Fatal("page not in English after switching")
	}
	if _, body := c.get("/lang/xx"); !strings.Contains(body, "not a valid choice") {
		t.Fatal("unknown language not refused in English")
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	c := newClient(t, m.URL())
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "manyi_http_requests_total"} {
		c.get("/healthz") // so the request counter has a sample
		if status, body := c.get(path); status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %.100s", path, status, body)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "manyi ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"nonsense"}, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestBackup(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	target := t.TempDir() + "/copy.db"
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--db", m.Config.DB, target}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var n int
	copyDB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM units").Scan(&n)
	})
	if n < 30 {
		t.Fatalf("backup has %d units", n)
	}
	if err := run(context.Background(), []string{"backup", "--db", m.Config.DB, target}, io.Discard, io.Discard); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	if storetest.PostgresURL() != "" {
		err := run(context.Background(), []string{"backup", "--db", storetest.PostgresURL(), t.TempDir() + "/x"}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("postgres backup: %v", err)
		}
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv("MANYI_ADDR", "0.0.0.0:9999")
	t.Setenv("MANYI_DB", "postgres://x")
	t.Setenv("MANYI_DEMO", "true")
	c := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs, true)
	if err := fs.Parse([]string{"--addr", "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:1" || c.DB != "postgres://x" || !c.Demo {
		t.Fatalf("config = %+v", c)
	}
}

// TestGracefulShutdown: a request in flight when shutdown starts still gets its answer.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	conn, err := net.Dial("tcp", strings.TrimPrefix(m.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Expect: 100-continue makes the server say when a handler starts reading the body: from
	// that event on the request is in flight, with no guess at how long accepting it takes.
	body := "username=admin&password=" + testAdminPassword
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(body))
	replies := bufio.NewReader(conn)
	if cont, err := http.ReadResponse(replies, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("the server did not ask for the body: %v %v", cont, err)
	}
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- m.server.Shutdown(ctx)
	}()
	select {
	case err := <-closed:
		t.Fatalf("shutdown finished before the in-flight request: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	fmt.Fprint(conn, body)
	resp, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("in-flight request got no answer: %v", err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("in-flight login answered %d", resp.StatusCode)
	}
	if err := <-closed; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestDemoScaleRefused: a --scale out of range is refused, naming the flag, before the
// database gets a table.
func TestDemoScaleRefused(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"-1", "501", "NaN"} {
		path := t.TempDir() + "/scale.db"
		err := run(context.Background(), []string{"demo", "--db", path, "--scale", n}, io.Discard, io.Discard)
		var e *errs.Error
		if !errors.As(err, &e) || e.Field != "scale" {
			t.Errorf("--scale %s: %v, want a field error on scale", n, err)
		}
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		var tables int
		db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").Scan(&tables)
		})
		db.Close()
		if tables != 0 {
			t.Errorf("--scale %s: %d tables created", n, tables)
		}
	}
}
