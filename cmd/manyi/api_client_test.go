package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"manyi/internal/api/clienttest"
	"manyi/internal/store"
)

// generatedClient is the oapi-codegen client of the served document, authenticated with token.
func generatedClient(t *testing.T, base, token string) *clienttest.ClientWithResponses {
	t.Helper()
	c, err := clienttest.NewClientWithResponses(base, clienttest.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGeneratedClientFlow (#17): a client generated from the OpenAPI document by a standard
// generator drives a flow against the real server with API tokens: who am I, register a
// complaint, find it in the list, reply to it, read the callback queue; a refusal comes back
// as the documented error body naming the field, and the queue of another role is refused.
func TestGeneratedClientFlow(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		m := MustRunMain(t, d)
		admin := demoClient(t, m.URL(), "admin")
		yongxin, err := strconv.Atoi(unitID(t, admin, "永馨园"))
		if err != nil {
			t.Fatal(err)
		}
		c := generatedClient(t, m.URL(), newToken(t, admin))

		me, err := c.GetMeWithResponse(ctx)
		if err != nil || me.JSON200 == nil || me.JSON200.Username != "admin" {
			t.Fatalf("me: %v %s", err, me.Body)
		}
		reg, err := c.RegisterComplaintWithResponse(ctx, clienttest.RegisterComplaintJSONRequestBody{
			UnitId: yongxin, Channel: "phone", Category: "delay", Complainant: "李女士", Description: "报修三天无人来"})
		if err != nil || reg.JSON201 == nil || reg.JSON201.Status != "registered" || reg.JSON201.UnitId != yongxin {
			t.Fatalf("register: %v %d %s", err, reg.StatusCode(), reg.Body)
		}
		id := int64(reg.JSON201.Id)
		unit := int64(yongxin)
		list, err := c.ListComplaintsWithResponse(ctx, &clienttest.ListComplaintsParams{UnitId: &unit})
		if err != nil || list.JSON200 == nil {
			t.Fatalf("list: %v %s", err, list.Body)
		}
		found := false
		for _, row := range list.JSON200.Items {
			found = found || int64(row.Id) == id
		}
		if !found {
			t.Fatalf("the new complaint %d is not in its unit's list: %s", id, list.Body)
		}
		text := "已安排维修"
		act, err := c.ActOnComplaintWithResponse(ctx, id, clienttest.ActOnComplaintJSONRequestBody{Verb: "reply", Text: &text})
		if err != nil || act.JSON200 == nil || act.JSON200.Status != "replied" {
			t.Fatalf("reply: %v %d %s", err, act.StatusCode(), act.Body)
		}
		bad, err := c.ActOnComplaintWithResponse(ctx, id, clienttest.ActOnComplaintJSONRequestBody{Verb: "shout"})
		if err != nil || bad.StatusCode() != http.StatusUnprocessableEntity || bad.JSON4XX == nil || bad.JSON4XX.Error.Field == nil || *bad.JSON4XX.Error.Field != "verb" {
			t.Fatalf("an unknown verb: %v %d %s", err, bad.StatusCode(), bad.Body)
		}

		// The callback queue is the dispatchers' and managers' work list: the administrator's
		// token is refused, a dispatcher's reads it.
		if q, err := c.GetCallbackQueueWithResponse(ctx, nil); err != nil || q.StatusCode() != http.StatusForbidden || q.JSON4XX == nil {
			t.Fatalf("the administrator's queue: %v %d %s", err, q.StatusCode(), q.Body)
		}
		dispatcher := generatedClient(t, m.URL(), newToken(t, demoClient(t, m.URL(), "dispatcher1")))
		q, err := dispatcher.GetCallbackQueueWithResponse(ctx, nil)
		if err != nil || q.JSON200 == nil {
			t.Fatalf("the dispatcher's queue: %v %d %s", err, q.StatusCode(), q.Body)
		}
	})
}
