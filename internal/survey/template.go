package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Template is one version of a questionnaire template.
type Template struct {
	ID        int64      `json:"id"`
	Code      string     `json:"code"`
	Version   int        `json:"version"`
	Name      string     `json:"name"`
	Def       Definition `json:"definition"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// fiveBands is seed 000's scale: 很满意 20 … 很不满意 4, 基本满意 or better satisfied.
func fiveBands() []Level {
	return []Level{
		{Label: "很满意", Points: 20, Band: 20, Satisfied: true},
		{Label: "基本满意", Points: 16, Band: 16, Satisfied: true},
		{Label: "一般", Points: 12, Band: 12},
		{Label: "不太满意", Points: 8, Band: 8, Dissatisfied: true},
		{Label: "很不满意", Points: 4, Band: 4, Dissatisfied: true},
	}
}

var propertyLocations = []string{"楼道/电梯", "小区道路", "地下车库", "绿地", "门岗", "物业服务中心", "户内", "其他"}
var propertyTypes = []string{"保洁卫生", "设施维修", "安全秩序", "绿化养护", "服务态度", "收费", "其他"}

// Builtin are the templates every installation starts with: seed 001's questionnaire on
// seed 000's five bands, and a general one on the five-level 非常满意…非常不满意 scale.
var Builtin = []Template{
	{Code: "property-quarterly", Name: "客户服务满意度调查问卷", Def: Definition{
		Intro: "尊敬的业主：为了解您对我们服务的意见和建议，请填写本问卷，投入门岗处的满意度箱，或扫描二维码在线填写。感谢您的支持！",
		Questions: []Question{
			{Key: "overall", Kind: Rating, Text: "您对本季度物业服务的总体评价", Required: true, Overall: true, Levels: fiveBands()},
			{Key: "cleaning", Kind: Rating, Text: "公共区域保洁", Levels: fiveBands()},
			{Key: "repair", Kind: Rating, Text: "报修响应与维修质量", Levels: fiveBands()},
			{Key: "security", Kind: Rating, Text: "秩序维护与门岗服务", Levels: fiveBands()},
			{Key: "greening", Kind: Rating, Text: "绿化养护", Levels: fiveBands()},
			{Key: "attitude", Kind: Rating, Text: "服务人员态度", Levels: fiveBands()},
			{Key: "channel", Kind: Single, Text: "您通常通过哪种方式反映问题", Options: []string{"电话", "物业服务中心", "微信", "意见箱"}},
			{Key: "concerns", Kind: Multiple, Text: "您最关注哪些服务（可多选）", Options: []string{"保洁", "维修", "安保", "绿化", "停车"}},
		},
		Locations: propertyLocations, Types: propertyTypes,
	}},
	{Code: "general-five-level", Name: "客户满意度调查问卷（五级）", Def: Definition{
		Intro: "请根据您的真实感受填写，感谢您的支持。",
		Questions: []Question{
			{Key: "overall", Kind: Rating, Text: "总体满意程度", Required: true, Overall: true, Levels: []Level{
				{Label: "非常满意", Points: 100, Band: 20, Satisfied: true},
				{Label: "满意", Points: 80, Band: 16, Satisfied: true},
				{Label: "一般", Points: 60, Band: 12},
				{Label: "不满意", Points: 40, Band: 8, Dissatisfied: true},
				{Label: "非常不满意", Points: 20, Band: 4, Dissatisfied: true},
			}},
			{Key: "best", Kind: Text, Text: "您最满意的一点", Max: 200},
		},
		Locations: []string{"服务现场", "电话", "网站", "其他"}, Types: []string{"服务流程", "服务态度", "响应时效", "其他"},
	}},
}

// SeedTemplates stores the built-in templates that are not stored yet, as version 1. It is
// safe to run at every start and on several instances.
func SeedTemplates(ctx context.Context, db *store.DB) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, t := range Builtin {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_templates WHERE code = ?", t.Code).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			def := t.Def
			if err := def.Validate(); err != nil {
				return fmt.Errorf("built-in template %s: %w", t.Code, err)
			}
			b, _ := json.Marshal(def)
			if _, err := tx.Exec(ctx, `INSERT INTO survey_templates (code, version, name, definition, created_by, created_at) VALUES (?, 1, ?, ?, 'system', ?)
				ON CONFLICT DO NOTHING`, t.Code, t.Name, string(b), tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
}

const templateColumns = "id, code, version, name, definition, created_by, created_at"

func scanTemplate(row store.Scanner) (Template, error) {
	var t Template
	var def string
	if err := row.Scan(&t.ID, &t.Code, &t.Version, &t.Name, &def, &t.CreatedBy, &t.CreatedAt); err != nil {
		return t, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	var err error
	t.Def, err = decodeDefinition(def)
	return t, err
}

// definitions holds decoded template definitions by their JSON text, so that the public
// page does not decode the same questionnaire for every resident (it was a sixth of a
// submit). Keyed by content, an entry can never be stale, whatever database it came from.
// Each caller gets its own copy (clone), so one that edits its definition (as a new version
// is made from an old one) cannot change another's. The number of entries is bounded; past
// the bound, definitions are decoded each time, as before.
var (
	definitions     sync.Map // string → Definition
	definitionCount atomic.Int32
)

const maxCachedDefinitions = 256

func decodeDefinition(raw string) (Definition, error) {
	if d, ok := definitions.Load(raw); ok {
		return d.(Definition).clone(), nil
	}
	var d Definition
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return d, err
	}
	if definitionCount.Add(1) <= maxCachedDefinitions {
		definitions.Store(raw, d.clone())
	}
	return d, nil
}

// clone copies d deeply: its slices are its own.
func (d Definition) clone() Definition {
	d.Questions = slices.Clone(d.Questions)
	for i := range d.Questions {
		d.Questions[i].Levels = slices.Clone(d.Questions[i].Levels)
		d.Questions[i].Options = slices.Clone(d.Questions[i].Options)
	}
	d.Locations, d.Types = slices.Clone(d.Locations), slices.Clone(d.Types)
	return d
}

func getTemplate(ctx context.Context, tx *store.Tx, id int64) (Template, error) {
	t, err := scanTemplate(tx.QueryRow(ctx, "SELECT "+templateColumns+" FROM survey_templates WHERE id = ?", id))
	if store.IsNoRows(err) {
		return t, errs.Field("survey_template", "survey.template_unknown", id)
	}
	return t, err
}

// GetTemplate returns one template version; every staff member may read templates.
func GetTemplate(ctx context.Context, db *store.DB, id int64) (Template, error) {
	var t Template
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		t, err = getTemplate(ctx, tx, id)
		if errs.Is(err, errs.Invalid) {
			return errs.New(errs.NotFound, "survey.template_not_found", id)
		}
		return err
	})
	return t, err
}

// ListTemplates returns every template version in TemplatePage's order: what a campaign form
// chooses from.
func ListTemplates(ctx context.Context, db *store.DB) ([]Template, error) {
	return store.ReadList(ctx, db, scanTemplate, store.Versions, nil, templateList, nil)
}

const templateList = "SELECT " + templateColumns + " FROM survey_templates"

// TemplateKey is a template version's place in the list (TemplatePage).
func TemplateKey(t Template) store.Key { return store.VersionKey(t.Code, t.Version) }

// TemplatePage returns a page of the template versions, by code, each code's newest version
// first (store.Versions): Fetch() rows in pg's order, for
// store.Cut with TemplateKey. The templates page and the API read it.
func TemplatePage(ctx context.Context, db *store.DB, pg store.Page) ([]Template, error) {
	return store.ReadList(ctx, db, scanTemplate, store.Versions, &pg, templateList, nil)
}

// NewVersion stores a new version of the template with code from a definition in JSON;
// campaigns already running keep the version they started with. Clerks and administrators
// may do it.
func NewVersion(ctx context.Context, db *store.DB, actor access.Principal, code, name, definition string) (Template, error) {
	var t Template
	if !MayManage(actor) {
		return t, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	code, name = strings.TrimSpace(code), strings.TrimSpace(name)
	switch {
	case !keyRE.MatchString(strings.ReplaceAll(code, "-", "_")):
		return t, errs.Field("survey_template_code", "survey.bad_template_code", code)
	case name == "":
		return t, errs.Required("survey_template_name")
	case utf8.RuneCountInString(name) > 100:
		return t, errs.Field("survey_template_name", "err.too_long", 100)
	}
	def, err := ParseDefinition(definition)
	if err != nil {
		return t, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var v int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM survey_templates WHERE code = ?", code).Scan(&v); err != nil {
			return err
		}
		b, _ := json.Marshal(def)
		t = Template{Code: code, Version: v + 1, Name: name, Def: def, CreatedBy: actor.Login(), CreatedAt: tx.Now}
		t.ID, err = tx.InsertID(ctx, "INSERT INTO survey_templates (code, version, name, definition, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			t.Code, t.Version, t.Name, string(b), t.CreatedBy, t.CreatedAt)
		if store.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "survey.template_version_taken", code)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "survey_template", EntityID: t.ID, After: t})
	})
	return t, err
}
