package locale

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	for _, k := range Keys() {
		p := catalog[k]
		if strings.TrimSpace(p.zh) == "" || strings.TrimSpace(p.en) == "" {
			t.Errorf("message %q lacks a translation: zh=%q en=%q", k, p.zh, p.en)
		}
		if strings.Count(p.zh, "%") != strings.Count(p.en, "%") {
			t.Errorf("message %q: zh and en take different numbers of arguments", k)
		}
	}
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		url, cookie, accept string
		want                Lang
	}{
		{"/", "", "", ZH},
		{"/", "", "en-US,en;q=0.9", EN},
		{"/?lang=zh-CN", "", "en-US", ZH},
		{"/", "en", "zh-CN", EN},
		{"/?lang=xx", "", "", ZH},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.url, nil)
		if tt.cookie != "" {
			r.Header.Set("Cookie", "lang="+tt.cookie)
		}
		if tt.accept != "" {
			r.Header.Set("Accept-Language", tt.accept)
		}
		if got := FromRequest(r); got != tt.want {
			t.Errorf("FromRequest(%s, cookie %q, accept %q) = %s, want %s", tt.url, tt.cookie, tt.accept, got, tt.want)
		}
	}
}

func TestUnknownKeyIsVisible(t *testing.T) {
	if got := T(EN, "no.such.key"); got != "no.such.key" {
		t.Fatalf("T(unknown) = %q", got)
	}
}
