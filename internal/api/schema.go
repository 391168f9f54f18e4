package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// Component schemas of the area routes are derived from the Go types they answer with, so a
// field added to a type is documented by the same change, and the document test (which
// refuses an undocumented response field) holds the two together.

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	marshaler    = reflect.TypeFor[json.Marshaler]()
)

// typeSchema is the JSON Schema of the JSON encoding of t.
func typeSchema(t reflect.Type) schema {
	if t.Kind() == reflect.Pointer {
		s := typeSchema(t.Elem())
		if typ, ok := s["type"].(string); ok {
			s["type"] = []string{typ, "null"}
		}
		return s
	}
	switch {
	case t == timeType:
		return schema{"type": "string", "format": "date-time"}
	case t == durationType:
		return schema{"type": "integer", "description": "nanoseconds"}
	case t.Implements(marshaler):
		return schema{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.Slice, reflect.Array:
		// A nil slice encodes as null.
		return schema{"type": []string{"array", "null"}, "items": typeSchema(t.Elem())}
	case reflect.Map:
		return schema{"type": []string{"object", "null"}}
	case reflect.Struct:
		props, required := schema{}, []string{}
		structFields(t, props, &required)
		return schema{"type": "object", "required": required, "properties": props}
	}
	return schema{}
}

func structFields(t reflect.Type, props schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structFields(ft, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = typeSchema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}

// areaSchemas are the component schemas of the area routes (areas.go).
var areaSchemas = map[string]any{}

// doc registers the schema of v's type under name, and "<name>Page" for a page of them.
func doc(name string, v any) {
	areaSchemas[name] = typeSchema(reflect.TypeOf(v))
	areaSchemas[name+"Page"] = pageSchema(name)
}

// pageSchema is the schema of a page of the component item (page).
func pageSchema(item string) schema {
	return obj([]string{"items", "next_cursor"}, schema{
		"items": schema{"type": "array", "items": ref(item)}, "next_cursor": schema{"type": []string{"string", "null"}, "description": "The cursor of the next page; null on the last"},
	})
}

// docInput registers the schema of a request body type, whose required fields are named:
// absent fields of a body are zero, so the type alone cannot say which are required.
func docInput(name string, v any, required ...string) {
	s := typeSchema(reflect.TypeOf(v))
	if required == nil {
		required = []string{}
	}
	s["required"] = required
	areaSchemas[name] = s
}
