package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"manyi/internal/access"
)

// openapiBase is the hand-written part of the document: info, security schemes and the
// component schemas. buildDocument adds the paths from the route table.
//
//go:embed openapi.json
var openapiBase []byte

// buildDocument returns the OpenAPI document: openapiBase with a path item per route.
func buildDocument(table []route) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openapiBase, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	paths := map[string]map[string]any{}
	for _, rt := range table {
		item := paths[rt.path]
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = operation(rt)
	}
	doc["paths"] = paths
	// Areas that document their own schemas in Go (see quality.go) add them here, so that
	// branches adding schemas do not all edit openapi.json at the same place.
	if comps, ok := doc["components"].(map[string]any); ok {
		if schemas, ok := comps["schemas"].(map[string]any); ok {
			for _, set := range []map[string]any{extraSchemas, areaSchemas} {
				for name, sch := range set {
					schemas[name] = sch
				}
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func operation(rt route) map[string]any {
	op := map[string]any{
		"operationId": rt.id,
		"summary":     rt.summary,
		"tags":        []string{rt.tag},
	}
	var params []any
	for _, seg := range strings.Split(rt.path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			params = append(params, map[string]any{
				"name": strings.TrimSuffix(name, "}"), "in": "path", "required": true,
				"schema": map[string]any{"type": "integer", "format": "int64", "minimum": 1},
			})
		}
	}
	for _, q := range rt.query {
		schema := map[string]any{"type": q.typ}
		if q.format != "" {
			schema["format"] = q.format
		}
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": schema})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.body != "" {
		op["requestBody"] = map[string]any{
			"required": true,
			"content":  map[string]any{"application/json": map[string]any{"schema": ref(rt.body)}},
		}
	}
	if rt.upload {
		file := map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
		op["requestBody"] = map[string]any{
			"required": true,
			"content":  map[string]any{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file, "text/csv": file},
		}
	}
	ok := map[string]any{"description": http.StatusText(rt.status)}
	switch {
	case rt.result != "":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.result)}}
	case rt.status != http.StatusNoContent:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	}
	if rt.status == http.StatusCreated {
		ok["headers"] = map[string]any{"Location": map[string]any{
			"description": "The address of the new record", "schema": map[string]any{"type": "string"},
		}}
	}
	errResp := map[string]any{"$ref": "#/components/responses/Error"}
	op["responses"] = map[string]any{strconv.Itoa(rt.status): ok, "4XX": errResp, "5XX": errResp}
	if rt.public {
		op["security"] = []any{}
	}
	return op
}

func ref(schema string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + schema}
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request, _ access.Principal) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(a.doc)
	return nil
}
