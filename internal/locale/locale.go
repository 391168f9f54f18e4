// Package locale holds manyi's user-facing text in Simplified Chinese (the default) and English.
//
// Every message has a key and both translations side by side, so a missing translation is a
// compile-time-visible gap rather than a runtime surprise. Each area keeps its messages in its
// own file here (messages_org.go, messages_scheme.go, …) and registers them with define.
package locale

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Lang is a supported language tag.
type Lang string

const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Default is the language shown when nothing else is known: manyi's users are in China.
const Default = ZH

// Langs lists the supported languages in the order a language switcher shows them.
var Langs = []Lang{ZH, EN}

type pair struct{ zh, en string }

var catalog = map[string]pair{}

// define registers a message. It panics on a duplicate key so that two areas cannot silently
// overwrite each other's text; init-time panics surface in every test run.
func define(key, zh, en string) {
	if _, dup := catalog[key]; dup {
		panic("locale: duplicate message key " + key)
	}
	catalog[key] = pair{zh, en}
}

// defineAll registers messages given as key → {zh, en}.
func defineAll(m map[string][2]string) {
	for k, v := range m {
		define(k, v[0], v[1])
	}
}

// T returns the message for key in lang, formatted with args as by fmt.Sprintf.
// An unknown key is returned as is, so a forgotten message shows up visibly instead of as "".
func T(lang Lang, key string, args ...any) string {
	p, ok := catalog[key]
	if !ok {
		if len(args) > 0 {
			return key + fmt.Sprint(args...)
		}
		return key
	}
	s := p.zh
	if lang == EN {
		s = p.en
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether key is a registered message.
func Has(key string) bool { _, ok := catalog[key]; return ok }

// Keys returns every registered key, sorted; tests use it to check the catalogue.
func Keys() []string {
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Parse maps a language tag such as "en-US" or "zh" to a supported Lang.
func Parse(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "":
		return Default, false
	case strings.HasPrefix(tag, "zh"):
		return ZH, true
	case strings.HasPrefix(tag, "en"):
		return EN, true
	}
	return Default, false
}

// FromRequest picks the language of a request: an explicit ?lang= first, then the "lang"
// cookie, then Accept-Language, then the default. zh-CN stays the default even for browsers
// that prefer English unless they ask, because the organisation's working language is Chinese.
func FromRequest(r *http.Request) Lang {
	if l, ok := Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l, ok := Parse(tag); ok {
			return l
		}
	}
	return Default
}
