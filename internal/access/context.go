package access

import "context"

type ctxKey struct{}

// WithPrincipal returns a context carrying p; the web layer sets it once per request after
// authenticating, and handlers read it with FromContext.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal and whether there is one.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
