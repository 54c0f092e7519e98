package mda

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// jwtBearer is the client_assertion_type of RFC 7523: the client proves who it is with a
// JWT instead of a secret. Entra takes two kinds of JWT here: one the application signs
// with its certificate's key, and a federated token from a trusted external issuer.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionSource signs in with the client-credentials grant and a client assertion that
// it asks for anew on every fetch: a certificate assertion expires within minutes, and
// a federated token file may have been rotated since the last fetch.
type assertionSource struct {
	cfg        clientcredentials.Config // TokenURL, ClientID, Scopes, AuthStyle; no secret
	httpClient *http.Client
	tenantID   string
	timeout    time.Duration
	method     string // for errors: "a client certificate", "a federated token"
	kind       SignInKind
	// assertion returns the JWT to send. Its errors are returned as they are when they
	// are already *TokenError, and wrapped otherwise.
	assertion func(ctx context.Context) (string, error)
}

func (s *assertionSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	a, err := s.assertion(ctx)
	if err != nil {
		return nil, asTokenError(err, s.tenantID, s.cfg.ClientID, s.method, s.kind)
	}
	cfg := s.cfg
	cfg.EndpointParams = url.Values{"client_assertion_type": {jwtBearer}, "client_assertion": {a}}
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.httpClient))
	if err != nil {
		te := newTokenError(s.tenantID, s.cfg.ClientID, err, a)
		te.Method, te.Kind = s.method, s.kind
		return nil, te
	}
	return tok, nil
}

// newJTI returns a random UUID: a fresh "jti" for every assertion, so that Entra can tell
// a replayed assertion from a new one.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
