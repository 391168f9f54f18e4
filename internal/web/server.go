// Package web serves manyi's HTML pages and wires the HTTP server: routing, authentication
// by session cookie or API token, CSRF protection, language, security headers, metrics,
// health checks, and the JSON API of package api under /api/.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"manyi/internal/access"
	"manyi/internal/api"
	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
)

// Config is what the server needs from the command line.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// SecureCookies forces the Secure flag on cookies; it is also set whenever the request
	// arrived over TLS or through a proxy that says so.
	SecureCookies bool
	// Ready reports whether the program is ready beyond the database (e.g. jobs started);
	// nil means always.
	Ready func(context.Context) error
	// Version is shown on /healthz and in the page footer.
	Version string
	// Sources are the areas' fact sources for period close, beside the assessment ledger.
	Sources []assessment.Source
	// TrustedProxies are the load balancers whose X-Forwarded-For / X-Real-IP name the
	// client; from any other peer these headers are ignored.
	TrustedProxies []netip.Prefix
	// Limits are the public pages' rate limits; the zero value means DefaultLimits.
	Limits Limits
	// Chromium is the headless Chromium that prints reports to PDF ("" when there is none:
	// the PDF link then answers 503 with a message).
	Chromium string
}

// Server is the HTTP handler of manyi.
type Server struct {
	cfg   Config
	db    *store.DB
	log   *slog.Logger
	pages *pages
	mux   *http.ServeMux
	// assess closes periods over cfg.Sources.
	assess *assessment.Engine
	// Per-client request limits of the public pages, per instance.
	surveyLimiter, trackLimiter, complaintLimiter, bookingLimiter *rateLimiter
	// blankForms keeps the questions of unfilled public survey forms (questionsHTML).
	blankForms sync.Map
	// pdfSlots bounds the Chromium processes printing reports at once.
	pdfSlots chan struct{}
}

// New builds the server and parses its templates, failing fast on a broken template.
func New(cfg Config) (*Server, error) {
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	cfg.Limits = cfg.Limits.orDefaults()
	s := &Server{cfg: cfg, db: cfg.DB, log: cfg.Logger, pages: p, mux: http.NewServeMux(), assess: assessment.NewEngine(cfg.DB, cfg.Sources...),
		surveyLimiter:    newRateLimiter(cfg.Limits.SurveyPerMinute, time.Minute),
		trackLimiter:     newRateLimiter(cfg.Limits.TrackPerMinute, time.Minute),
		complaintLimiter: newRateLimiter(cfg.Limits.ComplaintsPerMinute, time.Minute),
		bookingLimiter:   newRateLimiter(cfg.Limits.ComplaintsPerMinute, time.Minute),
		pdfSlots:         make(chan struct{}, 2),
	}
	s.routes()
	api.New(cfg.DB, cfg.Logger, cfg.Sources...).Register(s.mux)
	return s, nil
}

// Handler returns the server's handler with its middleware: outermost first, recovery and
// logging see everything; cross-origin protection refuses forged form posts before any
// handler runs.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	var h http.Handler = s.mux
	h = s.checkText(h)
	h = s.authenticate(h)
	h = cop.Handler(h)
	h = securityHeaders(h)
	h = s.observe(h)
	return h
}

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "manyi_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "manyi_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
)

func init() { prometheus.MustRegister(httpRequests, httpDuration) }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request, counts it by route pattern (not raw path, which would explode
// the metric's cardinality) and turns a panic into a 500.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			httpRequests.WithLabelValues(route, r.Method, http.StatusText(sw.status)).Inc()
			httpDuration.WithLabelValues(route).Observe(d.Seconds())
			if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
				s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration_ms", d.Milliseconds())
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

const sessionCookie = "manyi_session"

// authenticate resolves the session cookie or the API bearer token into a principal and
// puts it and the language into the request context. It refuses nothing itself: pages and
// API handlers decide whether a principal is required. Cookie-authenticated requests that
// change state must carry the session's CSRF token; bearer-token requests cannot be forged
// by a browser and need none.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang := locale.FromRequest(r)
		_, explicitLang := locale.Parse(r.URL.Query().Get("lang"))
		if c, err := r.Cookie("lang"); err == nil && c.Value != "" {
			explicitLang = true
		}
		isAPI := strings.HasPrefix(r.URL.Path, "/api/")
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && isAPI {
			p, err := auth.AuthenticateToken(ctx, s.db, strings.TrimSpace(bearer))
			if err != nil {
				s.fail(w, r.WithContext(locale.WithLang(ctx, lang)), err)
				return
			}
			ctx = access.WithPrincipal(ctx, p)
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			p, sess, err := auth.Authenticate(ctx, s.db, c.Value)
			switch {
			case err == nil:
				if !explicitLang {
					if l, ok := locale.Parse(sess.Locale); ok {
						lang = l
					}
				}
				ctx = access.WithPrincipal(ctx, p)
				ctx = withSession(ctx, sess)
				if isUnsafe(r.Method) {
					if err := checkCSRF(r, sess.CSRF); err != nil {
						s.fail(w, r.WithContext(locale.WithLang(ctx, lang)), err)
						return
					}
				}
			case errs.Is(err, errs.Unauthorized):
				s.clearSession(w, r)
			default:
				s.fail(w, r.WithContext(locale.WithLang(ctx, lang)), err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(locale.WithLang(ctx, lang)))
	})
}

func isUnsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// checkCSRF checks the synchroniser token from the form field or the X-CSRF-Token header.
// The login form has no session yet; it is protected by cross-origin checks alone.
func checkCSRF(r *http.Request, want string) error {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && !strings.HasPrefix(r.URL.Path, "/api/") {
		if err := parseForm(r); err != nil {
			return err
		}
		got = r.PostFormValue("csrf")
	}
	if got == "" || !subtleEqual(got, want) {
		return errs.New(errs.Forbidden, "err.csrf")
	}
	return nil
}

func tooLargeOr(err error, other error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errs.New(errs.Malformed, "err.body_too_large")
	}
	return other
}

type sessionKey struct{}

func withSession(ctx context.Context, s auth.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionFrom(ctx context.Context) (auth.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(auth.Session)
	return s, ok
}

func (s *Server) secure(r *http.Request) bool {
	return s.cfg.SecureCookies || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, sess auth.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt,
	})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// handler is an HTTP handler that returns its error for one place to render.
type handler func(w http.ResponseWriter, r *http.Request) error

// page wraps a handler that needs a logged-in user.
func (s *Server) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := access.FromContext(r.Context()); !ok {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// public wraps a handler that anyone may call.
func (s *Server) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail renders err as an error page, or as JSON under /api/. Internal errors are logged and
// shown without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.Unavailable {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	lang := locale.FromContext(r.Context())
	status := errs.HTTPStatus(e.Code)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteError(w, lang, e)
		return
	}
	s.render(w, r, "error", status, map[string]any{"Status": status, "Message": e.Message(lang)})
}

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database is reachable and its schema is current.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		http.Error(w, "database unreachable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	pending, err := s.db.Pending(ctx)
	if err != nil || len(pending) > 0 {
		http.Error(w, "migrations pending: "+strings.Join(pending, ", "), http.StatusServiceUnavailable)
		return
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ready\n"))
}

func (s *Server) metrics() http.Handler { return promhttp.Handler() }
