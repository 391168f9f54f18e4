package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/report"
	"manyi/internal/webhook"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

const maxFormBytes = 1 << 20

type pages struct {
	byName     map[string]*template.Template
	staticHash string
}

// timeZone is where times are shown; the organisation works in China.
var timeZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	h := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		h.Write([]byte(name))
		h.Write(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.staticHash = hex.EncodeToString(h.Sum(nil))[:12]

	funcs := template.FuncMap{
		"T": func(lang locale.Lang, key string, args ...any) string { return locale.T(lang, key, args...) },
		// mayRaise asks the improvement area whether the person may raise items, so a page
		// offers the "raise improvement item" button only to those it opens for.
		"mayRaise": improvement.MayRaise,
		"static":   func(name string) string { return "/static/" + p.staticHash + "/" + name },
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(timeZone).Format("2006-01-02 15:04")
		},
		"timep": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(timeZone).Format("2006-01-02 15:04")
		},
		"deref": func(n *int) string {
			if n == nil {
				return ""
			}
			return fmt.Sprint(*n)
		},
		"field":     func(lang locale.Lang, name string) string { return errs.FieldLabel(lang, name) },
		"join":      strings.Join,
		"hasPrefix": strings.HasPrefix,
		"pad":       func(depth int) string { return strings.Repeat("\u3000", depth) },
		"mask":      org.MaskPhone,
		"window":    bookingWindow,
		"eventNote": complaintEventNote,
		"eq2":       func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
		// dict passes several values to a partial: dict "Lang" .Lang "Lines" .Data.Ledger.
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"ledgerKind": func(lang locale.Lang, kind string) string { return assessment.LedgerKindNames[kind].In(lang) },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Lang      locale.Lang
	Langs     []locale.Lang
	User      access.Principal
	LoggedIn  bool
	CSRF      string
	Path      string
	Query     string
	Nav       []navItem
	Title     string
	Flash     string
	Data      any
	Version   string
	IsAdmin   bool
	ReadAudit bool
	Webhooks  bool // the navigation offers the webhook pages (organisation-wide administrators)
}

type navItem struct {
	Href, Key string
	Active    bool
}

// navShows holds, for the areas not every role may open, who may: the navigation offers
// them to those only, so that no tab answers 403.
var navShows = map[string]func(access.Principal) bool{
	"/reports": report.MayRead,
}

// areas lists the navigation: the foundation's pages and the areas still to come.
var navAreas = []navItem{
	{"/", "nav.home", false},
	{"/workorders", "nav.workorders", false},
	{"/surveys", "nav.surveys", false},
	{"/complaints", "nav.complaints", false},
	{"/inspections", "nav.inspections", false},
	{"/assessment", "nav.assessment", false},
	{"/improvements", "nav.improvements", false},
	{"/targets", "nav.targets", false},
	{"/reports", "nav.reports", false},
	{"/org", "nav.org", false},
}

// render writes the named page inside the layout. Rendering goes to a buffer first so that
// a template error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, status int, data any) {
	page, err := s.renderHTML(r, name, data)
	if err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if status == 0 {
		status = http.StatusOK
	}
	clearFlash(w, r)
	w.WriteHeader(status)
	w.Write(page)
}

// renderHTML renders the named page inside the layout into memory.
func (s *Server) renderHTML(r *http.Request, name string, data any) ([]byte, error) {
	t, ok := s.pages.byName[name]
	if !ok {
		return nil, fmt.Errorf("missing template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", s.view(r, data)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Server) view(r *http.Request, data any) view {
	v := view{Lang: locale.FromContext(r.Context()), Langs: locale.Langs, Path: r.URL.Path, Data: data, Version: s.cfg.Version}
	if p, ok := access.FromContext(r.Context()); ok {
		v.User, v.LoggedIn = p, true
		v.IsAdmin = p.CanAnywhere(access.ManageOrg)
		v.ReadAudit = p.CanAnywhere(access.ReadAudit)
		v.Webhooks = webhook.MayManage(p)
	}
	if sess, ok := sessionFrom(r.Context()); ok {
		v.CSRF = sess.CSRF
	}
	if c, err := r.Cookie("flash"); err == nil {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			v.Flash = msg
		}
	}
	q := r.URL.Query()
	q.Del("lang")
	v.Query = q.Encode()
	for _, n := range navAreas {
		if shows, ok := navShows[n.Href]; ok && !shows(v.User) {
			continue
		}
		n.Active = n.Href == r.URL.Path || (n.Href != "/" && strings.HasPrefix(r.URL.Path, n.Href)) ||
			(n.Href == "/targets" && strings.HasPrefix(r.URL.Path, "/projects"))
		v.Nav = append(v.Nav, n)
	}
	return v
}

// redirect sends the browser on after a successful form, with a one-time message.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flashKey string, args ...any) {
	if flashKey != "" {
		msg := locale.T(locale.FromContext(r.Context()), flashKey, args...)
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: url.QueryEscape(msg), Path: "/", MaxAge: 10, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// clearFlash removes the one-time message once a page has shown it.
func clearFlash(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie("flash"); err == nil {
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
}

func subtleEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// staticHandler serves embedded assets under a content-hashed path, cached for a year: a
// new release changes the hash and so the URL.
func (s *Server) staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("hash") != s.pages.staticHash {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + r.PathValue("file")
		files.ServeHTTP(w, r2)
	})
}
