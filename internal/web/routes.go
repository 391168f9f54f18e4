package web

import "net/http"

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.metrics())
	m.Handle("GET /static/{hash}/{file}", s.staticHandler())

	m.HandleFunc("GET /login", s.public(s.loginForm))
	m.HandleFunc("POST /login", s.public(s.login))
	m.HandleFunc("POST /logout", s.public(s.logout))
	m.HandleFunc("GET /lang/{lang}", s.public(s.switchLang))

	m.HandleFunc("GET /{$}", s.page(s.home))
	s.reportRoutes(m)

	m.HandleFunc("GET /account", s.page(s.account))
	m.HandleFunc("POST /account/password", s.page(s.changePassword))
	m.HandleFunc("POST /account/tokens", s.page(s.createToken))
	m.HandleFunc("POST /account/tokens/{id}/revoke", s.page(s.revokeToken))

	m.HandleFunc("GET /org", s.page(s.unitTree))
	m.HandleFunc("GET /org/units/new", s.page(s.unitNew))
	m.HandleFunc("POST /org/units", s.page(s.unitCreate))
	m.HandleFunc("GET /org/units/{id}", s.page(s.unitShow))
	m.HandleFunc("GET /org/units/{id}/edit", s.page(s.unitEdit))
	m.HandleFunc("POST /org/units/{id}", s.page(s.unitUpdate))
	m.HandleFunc("POST /org/units/{id}/delete", s.page(s.unitDelete))

	m.HandleFunc("GET /org/people", s.page(s.peopleList))
	m.HandleFunc("GET /org/people/new", s.page(s.personNew))
	m.HandleFunc("POST /org/people", s.page(s.personCreate))
	m.HandleFunc("GET /org/people/{id}", s.page(s.personEdit))
	m.HandleFunc("POST /org/people/{id}", s.page(s.personUpdate))
	m.HandleFunc("POST /org/people/{id}/roles", s.page(s.personRoles))

	m.HandleFunc("GET /org/users", s.page(s.userList))
	m.HandleFunc("GET /org/users/new", s.page(s.userNew))
	m.HandleFunc("POST /org/users", s.page(s.userCreate))
	m.HandleFunc("GET /org/users/{id}", s.page(s.userEdit))
	m.HandleFunc("POST /org/users/{id}", s.page(s.userUpdate))

	s.assessmentRoutes(m)

	m.HandleFunc("GET /audit", s.page(s.auditList))
	s.complaintRoutes()
	s.workorderRoutes()
	s.inspectionRoutes()
	s.surveyRoutes()
	s.targetRoutes()
	s.bookingRoutes()
	s.webhookRoutes()
	s.improvementRoutes()
	s.meetingRoutes()
	m.HandleFunc("/", s.public(s.notFound))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "error", http.StatusNotFound, map[string]any{"Status": http.StatusNotFound, "Message": tr(r, "err.page_not_found")})
	return nil
}
