package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/idempotency"
	"manyi/internal/workorder"
)

// idemHeader is the request header of an idempotency key; errors about it name it as their field.
const idemHeader = "Idempotency-Key"

// recorder passes a response through and keeps a copy of its status and body, to record the
// first answer to an idempotency key.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent runs a write under an Idempotency-Key: the first answer (success or refusal) is
// recorded and replayed to a retry of the same request with the same key from the same
// credential; the same key with another request is refused (422 naming the header). An
// answer of ours (5xx) is not recorded, so the retry runs again.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, rt route, p access.Principal, key string) {
	if err := idempotency.CheckKey(idemHeader, key); err != nil {
		a.writeError(w, r, err)
		return
	}
	// Uploads may be larger than a JSON body; read as much as the handler would accept.
	limit := int64(maxBody)
	if rt.upload {
		limit = workorder.MaxImportBytes + 1 // the handler refuses a larger file in its own words
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		a.writeError(w, r, decodeError(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	// The request is its method, path with query, body type and body: a different value
	// anywhere is a different request.
	io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n"+r.Header.Get("Content-Type")+"\n")
	h.Write(body)
	k := idempotency.Key{UserID: p.UserID, TokenID: p.TokenID, Key: key, RequestHash: hex.EncodeToString(h.Sum(nil))}

	ctx := r.Context()
	ans, replay, err := idempotency.Claim(ctx, a.db, idemHeader, k)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if replay {
		hd := w.Header()
		if ans.Location != "" {
			hd.Set("Location", ans.Location)
		}
		hd.Set("Idempotent-Replayed", "true")
		if ans.Status == http.StatusNoContent {
			w.WriteHeader(ans.Status)
			return
		}
		hd.Set("Content-Type", "application/json; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Length", strconv.Itoa(len(ans.Body)))
		w.WriteHeader(ans.Status)
		w.Write(ans.Body)
		return
	}
	rec := &recorder{ResponseWriter: w}
	if err := rt.handler(rec, r, p); err != nil {
		a.writeError(rec, r, err)
	}
	if rec.status == 0 || rec.status >= 500 {
		if err := idempotency.Release(ctx, a.db, k); err != nil {
			a.logger.ErrorContext(ctx, "idempotency release failed", "key", key, "err", err)
		}
		return
	}
	// The answer has been sent: failing to record it leaves the key claimed, so a retry gets
	// a conflict rather than a second write.
	body = rec.body.Bytes()
	if len(rt.once) > 0 && rec.status < 400 {
		body = withoutFields(body, rt.once)
	}
	if err := idempotency.Complete(ctx, a.db, k, idempotency.Answer{Status: rec.status, Location: w.Header().Get("Location"), Body: body}); err != nil {
		a.logger.ErrorContext(ctx, "idempotency record failed", "key", key, "err", err)
	}
}

// withoutFields removes top-level fields from a JSON object: secrets that are stored only
// hashed (a complaint's response code) must not be kept in clear for a replay, which
// therefore answers without them.
func withoutFields(body []byte, fields []string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	for _, f := range fields {
		delete(m, f)
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return append(out, '\n')
}
