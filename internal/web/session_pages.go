package web

import (
	"net/http"
	"net/url"
	"strings"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
)

func tr(r *http.Request, key string, args ...any) string {
	return locale.T(locale.FromContext(r.Context()), key, args...)
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
	// "/\t/evil.example" would become "//evil.example", another site: any control character,
	// space or backslash makes the target unsafe, as does anything that parses with a host.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

type loginData struct {
	Username, Next, Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := access.FromContext(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "login", http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	sess, err := auth.Login(r.Context(), s.db, username, password, s.clientIP(r), r.UserAgent())
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		s.render(w, r, "login", errs.HTTPStatus(e.Code), loginData{Username: username, Next: next, Error: e.Message(locale.FromContext(r.Context()))})
		return nil
	}
	p, _, err := auth.Authenticate(r.Context(), s.db, sess.Token)
	if err != nil {
		return err
	}
	if err := auth.RecordLogin(r.Context(), s.db, p, s.clientIP(r)); err != nil {
		return err
	}
	s.setSession(w, r, sess)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if sess, ok := sessionFrom(r.Context()); ok {
		if err := auth.Logout(r.Context(), s.db, sess.Token); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	s.redirect(w, r, "/login", "flash.logged_out")
	return nil
}

// switchLang remembers the chosen language in a cookie and returns to the page.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) error {
	l, ok := locale.Parse(r.PathValue("lang"))
	if !ok {
		return errs.Field("locale", "err.invalid_choice", r.PathValue("lang"))
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

type accountData struct {
	Tokens    []auth.Token
	NewSecret string
	Error     string
	ErrField  string
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, accountData{})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d accountData) error {
	p, _ := access.FromContext(r.Context())
	tokens, err := auth.ListTokens(r.Context(), s.db, p)
	if err != nil {
		return err
	}
	d.Tokens = tokens
	s.render(w, r, "account", status, d)
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	p, _ := access.FromContext(r.Context())
	sess, _ := sessionFrom(r.Context())
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		return s.formError(w, r, errs.Field("new_password", "auth.password_mismatch"), func(status int, msg, field string) error {
			return s.renderAccount(w, r, status, accountData{Error: msg, ErrField: field})
		})
	}
	err := auth.ChangePassword(r.Context(), s.db, p, sess.Token, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderAccount(w, r, status, accountData{Error: msg, ErrField: field})
		})
	}
	s.redirect(w, r, "/account", "flash.password_changed")
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	p, _ := access.FromContext(r.Context())
	_, secret, err := auth.CreateToken(r.Context(), s.db, p, r.PostFormValue("name"))
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderAccount(w, r, status, accountData{Error: msg, ErrField: field})
		})
	}
	// The secret is shown in this response only; it is never stored or shown again.
	return s.renderAccount(w, r, http.StatusOK, accountData{NewSecret: secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p, _ := access.FromContext(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := auth.RevokeToken(r.Context(), s.db, p, id); err != nil {
		return err
	}
	s.redirect(w, r, "/account", "flash.token_revoked")
	return nil
}

// formError re-renders a form with the message of a user error, or passes internal and
// access errors on to the error page.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, rerender func(status int, msg, field string) error) error {
	e := errs.As(err)
	switch e.Code {
	case errs.Unavailable:
		// The user keeps what they typed and can send it again once space returns.
		s.log.Error("storage full", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "60")
		fallthrough
	case errs.Invalid, errs.Conflict, errs.Malformed:
		return rerender(errs.HTTPStatus(e.Code), e.Message(locale.FromContext(r.Context())), e.Field)
	}
	return err
}
