package assessment

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// SchemeVersion is one stored version of a scoring scheme.
type SchemeVersion struct {
	ID        int64       `json:"id"`
	Code      string      `json:"code"`
	Version   int         `json:"version"`
	Name      scheme.Text `json:"name"`
	YAML      string      `json:"-"`
	Active    bool        `json:"active"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
}

// Parse returns the version's scheme, parsed once for every reader (scheme.ParseShared): it
// must not be changed.
func (v SchemeVersion) Parse() (*scheme.Scheme, error) {
	s, err := scheme.ParseShared([]byte(v.YAML))
	if err != nil {
		return nil, errs.Wrapf(err, "stored scheme %s v%d", v.Code, v.Version)
	}
	return s, nil
}

const schemeColumns = "id, code, version, name_zh, name_en, yaml, active, created_by, created_at"

func scanScheme(row store.Scanner) (SchemeVersion, error) {
	var v SchemeVersion
	err := row.Scan(&v.ID, &v.Code, &v.Version, &v.Name.ZH, &v.Name.EN, &v.YAML, &v.Active, &v.CreatedBy, &v.CreatedAt)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, err
}

// SeedSchemes stores version 1 of every built-in template that is not stored yet, active
// unless it cannot be activated (dept-quarterly-weighted has no weights) or another version
// of its code is active. It is idempotent: serve runs it at every start.
func SeedSchemes(ctx context.Context, db *store.DB) error {
	builtins, err := scheme.Builtins()
	if err != nil {
		return err
	}
	err = seedSchemes(ctx, db, builtins)
	if errs.Is(err, errs.Conflict) {
		// Another instance starting at the same moment stored them first: seen again, they
		// are all there and nothing is left to do.
		err = seedSchemes(ctx, db, builtins)
	}
	return err
}

func seedSchemes(ctx context.Context, db *store.DB, builtins []*scheme.Scheme) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, s := range builtins {
			var n, active int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN active THEN 1 ELSE 0 END), 0) FROM assessment_schemes WHERE code = ?", s.Code).Scan(&n, &active); err != nil {
				return fmt.Errorf("seed schemes: %w", err)
			}
			if n > 0 {
				continue
			}
			text, err := s.YAML()
			if err != nil {
				return err
			}
			v := SchemeVersion{Code: s.Code, Version: s.Version, Name: s.Name, YAML: string(text), Active: active == 0 && s.CanActivate() == nil, CreatedBy: "system", CreatedAt: tx.Now}
			if v.ID, err = insertScheme(ctx, tx, v); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "assessment_scheme", EntityID: v.ID, After: schemeAudit(v)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertScheme(ctx context.Context, tx *store.Tx, v SchemeVersion) (int64, error) {
	id, err := tx.InsertID(ctx, "INSERT INTO assessment_schemes (code, version, name_zh, name_en, yaml, active, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		v.Code, v.Version, v.Name.ZH, v.Name.EN, v.YAML, v.Active, v.CreatedBy, v.CreatedAt)
	if store.IsUniqueViolation(err) {
		return 0, errs.New(errs.Conflict, "assessment.scheme_version_taken", v.Code, v.Version)
	}
	if err != nil {
		return 0, fmt.Errorf("insert scheme: %w", err)
	}
	return id, nil
}

// schemeAudit is what the audit log keeps of a scheme version: everything, the YAML too, so
// the log alone shows what each version said.
func schemeAudit(v SchemeVersion) map[string]any {
	return map[string]any{"code": v.Code, "version": v.Version, "active": v.Active, "yaml": v.YAML}
}

// ListSchemes returns every stored version in SchemePage's order.
func ListSchemes(ctx context.Context, db *store.DB) ([]SchemeVersion, error) {
	return store.ReadList(ctx, db, scanScheme, store.Versions, nil, schemeList, nil)
}

const schemeList = "SELECT " + schemeColumns + " FROM assessment_schemes"

// SchemeKey is a version's place in the list (SchemePage).
func SchemeKey(v SchemeVersion) store.Key { return store.VersionKey(v.Code, v.Version) }

// SchemePage returns a page of the versions, by code, each code's newest version first
// (store.Versions): Fetch() rows in pg's order, for store.Cut with
// SchemeKey. The schemes page and the API read it.
func SchemePage(ctx context.Context, db *store.DB, pg store.Page) ([]SchemeVersion, error) {
	return store.ReadList(ctx, db, scanScheme, store.Versions, &pg, schemeList, nil)
}

// GetScheme returns one stored version.
func GetScheme(ctx context.Context, db *store.DB, id int64) (SchemeVersion, error) {
	var v SchemeVersion
	err := db.Read(ctx, func(tx *store.Tx) (err error) { v, err = getScheme(ctx, tx, id); return err })
	return v, err
}

func getScheme(ctx context.Context, tx *store.Tx, id int64) (SchemeVersion, error) {
	v, err := scanScheme(tx.QueryRow(ctx, "SELECT "+schemeColumns+" FROM assessment_schemes WHERE id = ?", id))
	if store.IsNoRows(err) {
		return v, errs.New(errs.NotFound, "assessment.scheme_not_found", id)
	}
	return v, errs.Wrapf(err, "get scheme %d", id)
}

// activeScheme returns the active version of code.
func activeScheme(ctx context.Context, tx *store.Tx, code string) (SchemeVersion, *scheme.Scheme, error) {
	v, err := scanScheme(tx.QueryRow(ctx, "SELECT "+schemeColumns+" FROM assessment_schemes WHERE code = ? AND active = ?", code, true))
	if store.IsNoRows(err) {
		return v, nil, errs.Field("assessment_scheme", "assessment.no_active_scheme", code)
	}
	if err != nil {
		return v, nil, fmt.Errorf("active scheme %s: %w", code, err)
	}
	s, err := v.Parse()
	return v, s, err
}

// schemeVersion returns the stored version code/version, parsed.
func schemeVersion(ctx context.Context, tx *store.Tx, code string, version int) (*scheme.Scheme, error) {
	v, err := scanScheme(tx.QueryRow(ctx, "SELECT "+schemeColumns+" FROM assessment_schemes WHERE code = ? AND version = ?", code, version))
	if err != nil {
		return nil, fmt.Errorf("scheme %s v%d: %w", code, version, err)
	}
	return v.Parse()
}

// ImportScheme stores a scheme from YAML as a new version of its code (the next number,
// whatever version the YAML says), inactive. It is refused when the YAML does not parse (with
// the scheme package's messages, which name the field and the line and column) or says exactly
// what the newest stored version says. Organisation-wide administrators only.
func ImportScheme(ctx context.Context, db *store.DB, actor access.Principal, data []byte) (SchemeVersion, error) {
	var v SchemeVersion
	if !MayManageSchemes(actor) {
		return v, errs.New(errs.Forbidden, "assessment.admin_only")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return v, errs.Required("scheme_yaml")
	}
	s, err := scheme.Parse(data)
	if err != nil {
		return v, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var latest int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM assessment_schemes WHERE code = ?", s.Code).Scan(&latest); err != nil {
			return err
		}
		if latest > 0 {
			var text string
			if err := tx.QueryRow(ctx, "SELECT yaml FROM assessment_schemes WHERE code = ? AND version = ?", s.Code, latest).Scan(&text); err != nil {
				return err
			}
			if same, err := sameScheme(text, s, latest); err != nil {
				return err
			} else if same {
				return errs.Field("scheme_yaml", "assessment.scheme_unchanged", s.Code, latest)
			}
		}
		s.Version = latest + 1
		text, err := s.YAML()
		if err != nil {
			return err
		}
		v = SchemeVersion{Code: s.Code, Version: s.Version, Name: s.Name, YAML: string(text), CreatedBy: actor.Login(), CreatedAt: tx.Now}
		if v.ID, err = insertScheme(ctx, tx, v); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "assessment_scheme", EntityID: v.ID, After: schemeAudit(v)})
	})
	return v, err
}

// sameScheme reports whether stored (version n) and s say the same apart from the version.
func sameScheme(stored string, s *scheme.Scheme, n int) (bool, error) {
	old, err := scheme.Parse([]byte(stored))
	if err != nil {
		return false, err
	}
	old.Version = n
	a, err := old.YAML()
	if err != nil {
		return false, err
	}
	keep := s.Version
	s.Version = n
	b, err := s.YAML()
	s.Version = keep
	return bytes.Equal(a, b), err
}

// MayManageSchemes reports whether actor may import and activate schemes: an administrator of
// the whole organisation. A scheme scores every unit, so an administrator of one unit who could
// change it would change the others' results.
func MayManageSchemes(actor access.Principal) bool {
	_, all := actor.ScopeRoots(access.ManageOrg)
	return all
}

// ActivateScheme makes a version the one new closes of its code use. It is refused with the
// scheme's own reason when the scheme cannot be activated. Organisation-wide administrators only.
func ActivateScheme(ctx context.Context, db *store.DB, actor access.Principal, id int64) (SchemeVersion, error) {
	var v SchemeVersion
	if !MayManageSchemes(actor) {
		return v, errs.New(errs.Forbidden, "assessment.admin_only")
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if v, err = getScheme(ctx, tx, id); err != nil {
			return err
		}
		s, err := v.Parse()
		if err != nil {
			return err
		}
		if err := s.CanActivate(); err != nil {
			return err
		}
		if v.Active {
			return nil
		}
		var before int
		_ = tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM assessment_schemes WHERE code = ? AND active = ?", v.Code, true).Scan(&before)
		if _, err := tx.Exec(ctx, "UPDATE assessment_schemes SET active = ? WHERE code = ?", false, v.Code); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE assessment_schemes SET active = ? WHERE id = ?", true, id); err != nil {
			return err
		}
		v.Active = true
		return audit.Record(ctx, tx, actor, audit.Change{Action: "activate", Entity: "assessment_scheme", EntityID: v.ID,
			Before: map[string]any{"code": v.Code, "active_version": before}, After: map[string]any{"code": v.Code, "active_version": v.Version}})
	})
	return v, err
}
