package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestLargeFormsPassTheCSRFCheck: a logged-in form with attachments is read with the upload
// limit, not the plain-form limit, so a clerk's registration with a 2 MB photo is accepted;
// a body over the upload limit is refused as too large, not as a forged form.
func TestLargeFormsPassTheCSRFCheck(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	c := newClient(t, m.URL())
	c.login("clerk", demo.DemoPassword)
	unit := unitID(t, c, "永馨园")
	c.get("/complaints/new")

	form := func(photo int) (*bytes.Buffer, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for k, v := range map[string]string{"csrf": c.csrf, "channel": "phone", "category": "attitude", "unit_id": unit,
			"complainant": "业主", "contact": "13800001111", "description": "维修人员态度生硬"} {
			w.WriteField(k, v)
		}
		f, _ := w.CreateFormFile("attachments", "photo.png")
		f.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), make([]byte, photo)...))
		w.Close()
		return &b, w.FormDataContentType()
	}
	body, ct := form(2 << 20)
	status, page, _ := c.do("POST", "/complaints", body, map[string]string{"Content-Type": ct})
	if status != http.StatusSeeOther {
		t.Fatalf("complaint with a 2 MB photo: %d %.300s", status, page)
	}
	body, ct = form(40 << 20)
	status, page, _ = c.do("POST", "/complaints", body, map[string]string{"Content-Type": ct})
	if status != http.StatusBadRequest || !strings.Contains(page, "请求内容过大") {
		t.Fatalf("oversized form: %d %.300s", status, page)
	}
}
