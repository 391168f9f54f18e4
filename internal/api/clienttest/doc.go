// Package clienttest holds a client of manyi's API generated from the served OpenAPI document
// by a standard generator (oapi-codegen), for tests only: the end-to-end test in cmd/manyi
// drives a flow with it, which proves the document describes the server well enough for the
// tools integrators use. openapi.json here is the served document as the generator reads it;
// TestGeneratedClientCurrent fails when either has drifted from the route table.
package clienttest

//go:generate go test -count=1 -run TestDocumentCurrent . -args -update
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml openapi.json
