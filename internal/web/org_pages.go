package web

import (
	"net/http"
	"strings"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
)

func principal(r *http.Request) access.Principal {
	p, _ := access.FromContext(r.Context())
	return p
}

type unitTreeData struct {
	Units           []org.Unit
	IncludeInactive bool
	CanManage       bool
}

func (s *Server) unitTree(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	inactive := r.URL.Query().Get("inactive") == "1"
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{IncludeInactive: inactive})
	if err != nil {
		return err
	}
	s.render(w, r, "org_tree", http.StatusOK, unitTreeData{Units: units, IncludeInactive: inactive, CanManage: p.CanAnywhere(access.ManageOrg)})
	return nil
}

type unitFormData struct {
	Unit      org.Unit
	Threshold string
	Parents   []org.Unit
	Kinds     []org.Kind
	Error     string
	ErrField  string
	IsNew     bool
}

func (s *Server) unitFormParents(r *http.Request, exclude int64) ([]org.Unit, error) {
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{Action: access.ManageOrg})
	if err != nil || exclude == 0 {
		return units, err
	}
	// A unit cannot move under itself or its descendants: do not offer them.
	tree := org.NewTree(units)
	skip := map[int64]bool{}
	for _, id := range tree.Subtree(exclude) {
		skip[id] = true
	}
	var out []org.Unit
	for _, u := range units {
		if !skip[u.ID] {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, d unitFormData) error {
	parents, err := s.unitFormParents(r, d.Unit.ID)
	if err != nil {
		return err
	}
	d.Parents, d.Kinds = parents, org.Kinds
	if d.Threshold == "" {
		d.Threshold = d.Unit.ThresholdPercent()
	}
	s.render(w, r, "unit_form", status, d)
	return nil
}

func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).CanAnywhere(access.ManageOrg) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	u := org.Unit{Kind: org.Department}
	if id, err := formIDQuery(r, "parent"); err == nil {
		u.ParentID = id
	}
	return s.renderUnitForm(w, r, http.StatusOK, unitFormData{Unit: u, IsNew: true})
}

func formIDQuery(r *http.Request, name string) (int64, error) {
	var id int64
	_, err := fmtSscan(r.URL.Query().Get(name), &id)
	return id, err
}

// unitFromForm reads the unit form; it returns what was typed even when a field is wrong so
// that the form can be shown again as the user left it.
func unitFromForm(r *http.Request) (org.Unit, string, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	u := org.Unit{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: org.Kind(r.PostFormValue("kind")),
		ServesPublic: r.PostFormValue("serves_public") == "1"}
	threshold := r.PostFormValue("threshold")
	var err error
	if u.ParentID, err = formID(r, "parent_id"); err != nil {
		return u, threshold, err
	}
	if u.Households, err = formInt(r, "households"); err != nil {
		return u, threshold, err
	}
	if u.ThresholdBP, err = formPercentBP(r, "threshold"); err != nil {
		return u, threshold, err
	}
	return u, threshold, nil
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	u, threshold, err := unitFromForm(r)
	if err == nil {
		var created org.Unit
		created, err = org.CreateUnit(r.Context(), s.db, principal(r), org.UnitInput{
			ParentID: u.ParentID, Code: u.Code, Name: u.Name, Kind: u.Kind, Households: u.Households, ThresholdBP: u.ThresholdBP, ServesPublic: u.ServesPublic,
		})
		if err == nil {
			s.redirect(w, r, "/org/units/"+itoa(created.ID), "flash.unit_created", created.Name)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderUnitForm(w, r, status, unitFormData{Unit: u, Threshold: threshold, IsNew: true, Error: msg, ErrField: field})
	})
}

type unitShowData struct {
	Unit      org.Unit
	Path      []org.Unit
	Children  []org.Unit
	People    []org.Person
	Pager     pager
	History   []audit.Entry
	CanManage bool
}

// unitShow shows a unit: its sub-units (from the tree the scope check reads anyway: units
// number hundreds or a few thousand) and a page of the people working in the unit itself. The
// people of its whole subtree, the organisation's 100,000 on the root's page, are a link to
// the paged people list.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	p := principal(r)
	u, err := org.GetUnit(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	all, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{IncludeInactive: true})
	if err != nil {
		return err
	}
	tree := org.NewTree(all)
	d := unitShowData{Unit: u, Path: tree.Path(id)}
	for _, c := range all {
		if c.ParentID == id {
			d.Children = append(d.Children, c)
		}
	}
	people, err := org.ListPeople(r.Context(), s.db, p, org.PersonFilter{UnitID: id, Exact: true, IncludeInactive: true, Page: &pg})
	if err != nil {
		return err
	}
	people, next, prev := store.Cut(people, pg, org.PersonKey)
	d.People, d.Pager = people, pageLinks(r, next, prev)
	err = s.db.Read(r.Context(), func(tx *store.Tx) error {
		d.CanManage = org.Authorize(r.Context(), tx, p, access.ManageOrg, id) == nil
		if d.CanManage && p.CanAnywhere(access.ReadAudit) {
			d.History, _, err = audit.List(r.Context(), tx, audit.Filter{Entity: "unit", EntityID: itoa(id), Limit: 50})
		}
		return err
	})
	if err != nil {
		return err
	}
	s.render(w, r, "unit_show", http.StatusOK, d)
	return nil
}

func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := org.GetUnit(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	if err := s.db.Read(r.Context(), func(tx *store.Tx) error {
		return org.Authorize(r.Context(), tx, principal(r), access.ManageOrg, id)
	}); err != nil {
		return err
	}
	return s.renderUnitForm(w, r, http.StatusOK, unitFormData{Unit: u})
}

func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, threshold, err := unitFromForm(r)
	u.ID = id
	u.Active = r.PostFormValue("active") == "1"
	if err == nil {
		_, err = org.UpdateUnit(r.Context(), s.db, principal(r), id, org.UnitPatch{
			ParentID: &u.ParentID, Code: &u.Code, Name: &u.Name, Kind: &u.Kind,
			Households: u.Households, ThresholdBP: u.ThresholdBP, Active: &u.Active, ServesPublic: &u.ServesPublic,
		})
		if err == nil {
			s.redirect(w, r, "/org/units/"+itoa(id), "flash.saved")
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderUnitForm(w, r, status, unitFormData{Unit: u, Threshold: threshold, Error: msg, ErrField: field})
	})
}

func (s *Server) unitDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := org.DeleteUnit(r.Context(), s.db, principal(r), id); err != nil {
		return err
	}
	s.redirect(w, r, "/org", "flash.unit_deleted")
	return nil
}

type peopleData struct {
	People    []org.Person
	Units     map[int64]string
	Unit      int64 // the unit whose subtree is listed; 0: everyone in scope
	Query     string
	CanManage bool
	Inactive  bool
	Pager     pager
}

func (s *Server) unitNames(r *http.Request) (map[int64]string, error) {
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{IncludeInactive: true})
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return names, err
}

func (s *Server) peopleList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := r.URL.Query()
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := org.PersonFilter{Query: q.Get("q"), IncludeInactive: q.Get("inactive") == "1", Page: &pg}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	people, err := org.ListPeople(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	people, next, prev := store.Cut(people, pg, org.PersonKey)
	names, err := s.unitNames(r)
	if err != nil {
		return err
	}
	s.render(w, r, "people", http.StatusOK, peopleData{People: people, Units: names, Unit: f.UnitID, Query: f.Query, Inactive: f.IncludeInactive,
		CanManage: p.CanAnywhere(access.ManageOrg), Pager: pageLinks(r, next, prev)})
	return nil
}

type personFormData struct {
	Person   org.Person
	Units    []org.Unit
	Roles    []access.Role
	AllUnits []org.Unit
	IsNew    bool
	User     *auth.User
	// MayAccount tells whether the person may get an account from the reader (auth's rule).
	MayAccount bool
	Error      string
	ErrField   string
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, d personFormData) error {
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{Action: access.ManageOrg})
	if err != nil {
		return err
	}
	d.Units, d.AllUnits, d.Roles = units, units, access.Roles
	if d.Person.ID != 0 {
		if d.User, d.MayAccount, err = auth.PersonAccount(r.Context(), s.db, principal(r), d.Person.ID); err != nil {
			return err
		}
	}
	s.render(w, r, "person_form", status, d)
	return nil
}

func (s *Server) personNew(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).CanAnywhere(access.ManageOrg) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	unit, _ := formIDQuery(r, "unit")
	return s.renderPersonForm(w, r, http.StatusOK, personFormData{Person: org.Person{UnitID: unit, Active: true}, IsNew: true})
}

func personFromForm(r *http.Request) (org.Person, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	p := org.Person{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Title: r.PostFormValue("title"), Active: true}
	var err error
	p.UnitID, err = formID(r, "unit_id")
	return p, err
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := personFromForm(r)
	if err == nil {
		var created org.Person
		created, err = org.CreatePerson(r.Context(), s.db, principal(r), org.PersonInput{UnitID: p.UnitID, Name: p.Name, Phone: p.Phone, Title: p.Title})
		if err == nil {
			s.redirect(w, r, "/org/people/"+itoa(created.ID), "flash.person_created", created.Name)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderPersonForm(w, r, status, personFormData{Person: p, IsNew: true, Error: msg, ErrField: field})
	})
}

func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := org.GetPerson(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	if err := s.db.Read(r.Context(), func(tx *store.Tx) error {
		return org.Authorize(r.Context(), tx, principal(r), access.ManageOrg, p.UnitID)
	}); err != nil {
		return err
	}
	return s.renderPersonForm(w, r, http.StatusOK, personFormData{Person: p})
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := personFromForm(r)
	p.ID = id
	p.Active = r.PostFormValue("active") == "1"
	if err == nil {
		_, err = org.UpdatePerson(r.Context(), s.db, principal(r), id, org.PersonPatch{UnitID: &p.UnitID, Name: &p.Name, Phone: &p.Phone, Title: &p.Title, Active: &p.Active})
		if err == nil {
			s.redirect(w, r, "/org/people/"+itoa(id), "flash.saved")
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		cur, gerr := org.GetPerson(r.Context(), s.db, principal(r), id)
		if gerr == nil {
			p.Grants = cur.Grants
		}
		return s.renderPersonForm(w, r, status, personFormData{Person: p, Error: msg, ErrField: field})
	})
}

// personRoles replaces a person's roles from the form's checkbox rows: each row is a role and
// a scope unit ("0" for the whole organisation).
func (s *Server) personRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// A form cut short by its size limit must not be read as a shorter list of roles.
	if err := parseForm(r); err != nil {
		return err
	}
	var grants []access.Grant
	for _, v := range r.PostForm["grant"] {
		role, unit, _ := strings.Cut(v, "@")
		var unitID int64
		if _, err := fmtSscan(unit, &unitID); err != nil {
			return errs.Field("role_unit", "err.invalid_choice", unit)
		}
		grants = append(grants, access.Grant{Role: access.Role(role), UnitID: unitID})
	}
	if role := r.PostFormValue("new_role"); role != "" {
		unitID, err := formID(r, "new_role_unit")
		if err != nil {
			return err
		}
		grants = append(grants, access.Grant{Role: access.Role(role), UnitID: unitID})
	}
	if _, err := org.SetGrants(r.Context(), s.db, principal(r), id, grants); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			cur, gerr := org.GetPerson(r.Context(), s.db, principal(r), id)
			if gerr != nil {
				return gerr
			}
			return s.renderPersonForm(w, r, status, personFormData{Person: cur, Error: msg, ErrField: field})
		})
	}
	s.redirect(w, r, "/org/people/"+itoa(id), "flash.roles_saved")
	return nil
}

type userListData struct {
	Users []auth.User
	Units map[int64]string
	Pager pager
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	users, err := auth.UserPage(r.Context(), s.db, principal(r), pg)
	if err != nil {
		return err
	}
	users, next, prev := store.Cut(users, pg, auth.UserKey)
	names, err := s.unitNames(r)
	if err != nil {
		return err
	}
	s.render(w, r, "users", http.StatusOK, userListData{Users: users, Units: names, Pager: pageLinks(r, next, prev)})
	return nil
}

type userFormData struct {
	User auth.User
	// Choice is a new account's person, chosen in two steps: a unit, then one of its people
	// who may get an account.
	Choice   auth.AccountChoice
	UnitID   int64
	IsNew    bool
	Error    string
	ErrField string
	Langs    []locale.Lang
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	if d.IsNew {
		var err error
		if d.Choice, err = auth.ChooseAccountPerson(r.Context(), s.db, principal(r), d.UnitID, d.User.PersonID); err != nil {
			return err
		}
	}
	d.Langs = locale.Langs
	s.render(w, r, "user_form", status, d)
	return nil
}

// userNew is the account form, for the unit of ?unit= (its list button, without scripts) or
// of ?person= (a link from the person's page, which chooses the person too).
func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	person, _ := formIDQuery(r, "person")
	unit, _ := formIDQuery(r, "unit")
	return s.renderUserForm(w, r, http.StatusOK, userFormData{User: auth.User{PersonID: person, Locale: string(locale.Default)}, UnitID: unit, IsNew: true})
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	personID, err := formID(r, "person_id")
	u := auth.User{PersonID: personID, Username: r.PostFormValue("username"), Locale: r.PostFormValue("locale")}
	if err == nil {
		var created auth.User
		created, err = auth.CreateUser(r.Context(), s.db, principal(r), auth.UserInput{PersonID: personID, Username: u.Username, Password: r.PostFormValue("password"), Locale: u.Locale})
		if err == nil {
			s.redirect(w, r, "/org/users", "flash.user_created", created.Username)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderUserForm(w, r, status, userFormData{User: u, IsNew: true, Error: msg, ErrField: field})
	})
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := auth.GetUser(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	if u.ID == principal(r).UserID && !principal(r).CanAnywhere(access.ManageOrg) {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return nil
	}
	return s.renderUserForm(w, r, http.StatusOK, userFormData{User: u})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	username, loc := r.PostFormValue("username"), r.PostFormValue("locale")
	active := r.PostFormValue("active") == "1"
	patch := auth.UserPatch{Username: &username, Locale: &loc, Active: &active}
	if pw := r.PostFormValue("password"); pw != "" {
		patch.Password = &pw
	}
	u, err := auth.UpdateUser(r.Context(), s.db, principal(r), id, patch)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			cur, gerr := auth.GetUser(r.Context(), s.db, principal(r), id)
			if gerr != nil {
				return gerr
			}
			cur.Username, cur.Locale, cur.Active = username, loc, active
			return s.renderUserForm(w, r, status, userFormData{User: cur, Error: msg, ErrField: field})
		})
	}
	s.redirect(w, r, "/org/users", "flash.user_saved", u.Username)
	return nil
}
