package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
)

// Me is the caller as the API knows them.
type Me struct {
	UserID   int64          `json:"user_id"`
	PersonID int64          `json:"person_id"`
	Username string         `json:"username"`
	Name     string         `json:"name"`
	Roles    []access.Grant `json:"roles"`
	Language locale.Lang    `json:"language"`
}

// NewToken is a created token with its secret, which is never shown again.
type NewToken struct {
	auth.Token
	Secret string `json:"secret"`
}

// TokenInput is the body that creates a token.
type TokenInput struct {
	Name string `json:"name"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	roles := p.Grants
	if roles == nil {
		roles = []access.Grant{}
	}
	writeJSON(w, http.StatusOK, Me{
		UserID: p.UserID, PersonID: p.PersonID, Username: p.Username, Name: p.Name, Roles: roles,
		Language: locale.FromContext(r.Context()),
	})
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	users, err := auth.UserPage(r.Context(), a.db, p, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(users, pg, auth.UserKey))
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := auth.GetUser(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in auth.UserInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := auth.CreateUser(r.Context(), a.db, p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in auth.UserPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := auth.UpdateUser(r.Context(), a.db, p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// ownTokens refuses principals without an account (the system principal): tokens belong to
// a user.
func ownTokens(p access.Principal) error {
	if p.UserID == 0 {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	return nil
}

// listTokens answers whole: the caller's own tokens, a handful.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if err := ownTokens(p); err != nil {
		return err
	}
	tokens, err := auth.ListTokens(r.Context(), a.db, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(tokens))
	return nil
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := ownTokens(p); err != nil {
		return err
	}
	tokens, err := auth.ListTokens(r.Context(), a.db, p)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.ID == id {
			writeJSON(w, http.StatusOK, t)
			return nil
		}
	}
	return errs.New(errs.NotFound, "err.not_found")
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if err := ownTokens(p); err != nil {
		return err
	}
	var in TokenInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, secret, err := auth.CreateToken(r.Context(), a.db, p, in.Name)
	if err != nil {
		return asField(err, "token_name", "name")
	}
	w.Header().Set("Location", "/api/v1/tokens/"+strconv.FormatInt(t.ID, 10))
	writeJSON(w, http.StatusCreated, NewToken{Token: t, Secret: secret})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := ownTokens(p); err != nil {
		return err
	}
	if err := auth.RevokeToken(r.Context(), a.db, p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
