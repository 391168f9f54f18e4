package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"manyi/internal/store"
)

// TestAreaAPIWithTokens drives the area API through the real server with API tokens: a
// complaint registered and retried under one Idempotency-Key is stored once and answered
// again; the same key from another token of the same user is that token's own; the list
// pages by cursor.
func TestAreaAPIWithTokens(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		yongxin := unitID(t, admin, "永馨园")
		api := newClient(t, m.URL())
		tokenA, tokenB := newToken(t, admin), newToken(t, admin)
		post := func(token, key, body string) (int, map[string]any, http.Header) {
			t.Helper()
			status, resp, h := api.do("POST", "/api/v1/complaints", strings.NewReader(body),
				map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json", "Idempotency-Key": key})
			var v map[string]any
			if err := json.Unmarshal([]byte(resp), &v); err != nil {
				t.Fatalf("%d %s", status, resp)
			}
			return status, v, h
		}
		complaints := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM complaints") }
		before := complaints()
		body := `{"unit_id": ` + yongxin + `, "channel": "phone", "category": "delay", "complainant": "李女士", "description": "报修三天无人来"}`
		s1, v1, _ := post(tokenA, "e2e-1", body)
		s2, v2, h2 := post(tokenA, "e2e-1", body)
		if s1 != 201 || s2 != 201 || v1["id"] != v2["id"] || h2.Get("Idempotent-Replayed") != "true" || v1["response_code"] == nil || v2["response_code"] != nil {
			t.Fatalf("retry: %d %v / %d %v", s1, v1, s2, v2)
		}
		if s3, v3, _ := post(tokenB, "e2e-1", body); s3 != 201 || v3["id"] == v1["id"] {
			t.Fatalf("another token's key: %d %v", s3, v3)
		}
		if s4, v4, _ := post(tokenA, "e2e-1", strings.Replace(body, "李女士", "王女士", 1)); s4 != 422 || v4["error"].(map[string]any)["field"] != "Idempotency-Key" {
			t.Fatalf("reused key: %d %v", s4, v4)
		}
		if n := complaints(); n != before+2 {
			t.Fatalf("stored %d complaints, want 2", n-before)
		}
		status, resp, _ := api.do("GET", "/api/v1/complaints?limit=1&unit_id="+yongxin, nil, map[string]string{"Authorization": "Bearer " + tokenA})
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		if err := json.Unmarshal([]byte(resp), &page); err != nil || status != 200 || len(page.Items) != 1 || page.NextCursor == nil {
			t.Fatalf("page: %d %s", status, resp)
		}
		status, resp, _ = api.do("GET", "/api/v1/complaints?limit=1&unit_id="+yongxin+"&cursor="+*page.NextCursor, nil, map[string]string{"Authorization": "Bearer " + tokenA})
		var next struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal([]byte(resp), &next); err != nil || status != 200 || len(next.Items) != 1 || next.Items[0]["id"] == page.Items[0]["id"] {
			t.Fatalf("next page: %d %s", status, resp)
		}
	})
}
