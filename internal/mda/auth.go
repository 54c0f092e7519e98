package mda

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	// mdaScope asks Entra ID for a token for the "Microsoft Cloud App Security" API.
	mdaScope = "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default"
	// tokenRefreshEarly renews a token this long before it expires, so that a token
	// never expires between the check and the request.
	tokenRefreshEarly = 5 * time.Minute
)

// authorizer puts credentials on requests.
type authorizer interface {
	// authorization returns the value of the Authorization header.
	authorization(ctx context.Context) (string, error)
	// invalidate is called when MDA answered 401 to a request sent with header. It
	// reports whether asking authorization again can yield a different credential.
	invalidate(header string) bool
	// legacy reports whether this is a legacy API token, whose permissions are its
	// owner's MDA role rather than application permissions.
	legacy() bool
}

// tokenSource fetches a new access token for MDA on every call; bearerAuth caches it.
// Each Entra sign-in mode is one tokenSource in its own file: client secret here,
// certificate (auth_certificate.go), OIDC federation (auth_oidc.go), managed identity
// (auth_msi.go) and the Azure CLI (auth_cli.go).
type tokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
}

// SignInKind is how a client signs in to Entra ID: callers advise on a failed sign-in by
// kind, never by parsing TokenError.Method's words.
type SignInKind int

const (
	SignInUnknown SignInKind = iota
	SignInClientSecret
	SignInCertificate
	// SignInFederatedToken exchanges a federated token given as is or read from a file.
	SignInFederatedToken
	// SignInPipeline exchanges a federated token fetched from a CI system's endpoint
	// (GitHub Actions, Azure DevOps).
	SignInPipeline
	SignInManagedIdentity
	SignInAzureCLI
)

// The sign-in methods, as TokenError.Method names them.
const (
	methodClientSecret = "a client secret"
	methodCertificate  = "a client certificate"
	methodMSI          = "a managed identity"
	methodCLI          = "the Azure CLI"
)

// newAuthorizer picks the authorizer for the one credential kind cfg configures (validate
// has made sure there is exactly one).
func newAuthorizer(cfg *Config, httpClient *http.Client, clock Clock, logger Logger, timeout time.Duration) (authorizer, error) {
	if cfg.APIToken != "" {
		return legacyTokenAuth{header: "Token " + strings.TrimSpace(cfg.APIToken)}, nil
	}
	src, err := newTokenSource(cfg, httpClient, clock, timeout, mdaAudience)
	if err != nil {
		return nil, err
	}
	return newBearerAuth(src, clock, logger), nil
}

// newTokenSource signs in with cfg's credential for aud: MDA's API, or Microsoft Graph.
func newTokenSource(cfg *Config, httpClient *http.Client, clock Clock, timeout time.Duration, aud audience) (tokenSource, error) {
	cloud, _ := LookupCloud(cfg.Environment)
	authority := cfg.AuthorityURL
	if authority == "" {
		authority = cloud.AuthorityURL
	}
	// The client-credentials request is the same for a secret and an assertion, apart
	// from how the client proves who it is.
	cc := clientcredentials.Config{
		ClientID: cfg.ClientID,
		TokenURL: strings.TrimRight(authority, "/") + "/" + url.PathEscape(cfg.TenantID) + "/oauth2/v2.0/token",
		Scopes:   []string{aud.scope},
		// Entra accepts both styles; fixing one avoids the auto-detection's second
		// request after a failure.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	switch {
	case cfg.ClientSecret != "":
		cc.ClientSecret = cfg.ClientSecret
		return &clientSecretSource{cfg: cc, httpClient: httpClient, tenantID: cfg.TenantID, timeout: timeout}, nil
	case len(cfg.ClientCertificate) > 0:
		cert, err := parseClientCertificate(cfg.ClientCertificate, cfg.ClientCertificatePassword)
		if err != nil {
			return nil, err
		}
		return &assertionSource{
			cfg: cc, httpClient: httpClient, tenantID: cfg.TenantID, timeout: timeout, method: methodCertificate, kind: SignInCertificate,
			assertion: func(context.Context) (string, error) { return cert.assertion(cc.TokenURL, cfg.ClientID, clock.Now()) },
		}, nil
	case cfg.federated():
		fed := newFederatedTokenSource(cfg, httpClient, cloud.FederatedAudience)
		return &assertionSource{
			cfg: cc, httpClient: httpClient, tenantID: cfg.TenantID, timeout: timeout, method: fed.method, kind: fed.kind,
			assertion: fed.token,
		}, nil
	case cfg.UseMSI:
		return newMSISource(cfg, httpClient, clock, timeout, aud.resource), nil
	case cfg.UseCLI:
		return newCLISource(cfg, clock, timeout), nil
	}
	return nil, errors.New("no credential kind is configured")
}

// legacyTokenAuth sends a legacy API token: "Authorization: Token <key>".
type legacyTokenAuth struct{ header string }

func (a legacyTokenAuth) authorization(context.Context) (string, error) { return a.header, nil }
func (legacyTokenAuth) invalidate(string) bool                          { return false }
func (legacyTokenAuth) legacy() bool                                    { return true }

// bearerAuth caches an access token from a tokenSource and shares it between concurrent
// requests: while one fetch is in flight, every request that needs a token waits for
// that fetch (and shares its success or its failure) instead of starting its own. It
// renews the token tokenRefreshEarly before expiry, and drops it when MDA refuses it
// (invalidate), so the next request fetches a fresh one.
//
// oauth2.ReuseTokenSourceWithExpiry does most of this, but binds the fetch to the
// context it was built with (a fetch could neither outlive one request's context nor
// end with the last one's), reads
// the wall clock (tests could not expire a token), and cannot forget a token that MDA
// refused.
type bearerAuth struct {
	src    tokenSource
	clock  Clock
	logger Logger

	mu        sync.Mutex
	header    string
	refreshAt time.Time   // zero: no known expiry; kept until MDA refuses it
	inflight  *tokenFetch // the fetch under way, if any
}

// tokenFetch is one fetch from the token source; done is closed when it has finished.
// It runs on a shared context that ends when every request waiting for it has left.
type tokenFetch struct {
	shared *sharedCtx
	done   chan struct{}
	header string
	err    error
}

func newBearerAuth(src tokenSource, clock Clock, logger Logger) *bearerAuth {
	return &bearerAuth{src: src, clock: clock, logger: logger}
}

func (a *bearerAuth) legacy() bool { return false }

func (a *bearerAuth) authorization(ctx context.Context) (string, error) {
	a.mu.Lock()
	if a.header != "" && (a.refreshAt.IsZero() || a.clock.Now().Before(a.refreshAt)) {
		h := a.header
		a.mu.Unlock()
		return h, nil
	}
	f := a.inflight
	if f == nil || !f.shared.join() {
		// The fetch serves every waiting request, so no single request's context may
		// end it, but it ends when they have all left; the token source's own timeout
		// bounds it too. A fetch abandoned that way is replaced, not joined.
		f = &tokenFetch{shared: newSharedCtx(ctx), done: make(chan struct{})}
		f.shared.join()
		a.inflight = f
		go a.fetch(f.shared.ctx, f)
	}
	a.mu.Unlock()
	defer f.shared.leave()
	select {
	case <-f.done:
		return f.header, f.err
	case <-ctx.Done():
		select {
		case <-f.done:
			return f.header, f.err
		default:
		}
		return "", newCanceledError(ctx, "waiting for an Entra ID token", nil)
	}
}

func (a *bearerAuth) fetch(ctx context.Context, f *tokenFetch) {
	defer close(f.done)
	tok, err := a.src.Token(ctx)
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inflight == f {
		a.inflight = nil
	}
	if err != nil {
		f.err = err
		return
	}
	var lifetime time.Duration
	switch {
	case tok.ExpiresIn > 0:
		lifetime = time.Duration(tok.ExpiresIn) * time.Second
	case !tok.Expiry.IsZero():
		lifetime = time.Until(tok.Expiry)
	}
	a.header = "Bearer " + tok.AccessToken
	a.refreshAt = time.Time{}
	if lifetime > 0 {
		// Short-lived tokens (a mock's, say) are renewed at half their life rather than
		// on every request.
		a.refreshAt = now.Add(lifetime - min(tokenRefreshEarly, lifetime/2))
	}
	f.header = a.header
	a.logger.Log(ctx, LevelDebug, "fetched an Entra ID access token", map[string]any{"expires_in": lifetime.String()})
}

func (a *bearerAuth) invalidate(header string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Several requests may fail with the same token; only the first drops it, the
	// others retry with the token that replaced it.
	if a.header == header {
		a.header = ""
	}
	return true
}

// clientSecretSource signs in to Entra ID with the client-credentials grant.
type clientSecretSource struct {
	cfg        clientcredentials.Config
	httpClient *http.Client
	tenantID   string
	timeout    time.Duration
}

func (s *clientSecretSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tok, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.httpClient))
	if err != nil {
		te := newTokenError(s.tenantID, s.cfg.ClientID, err, s.cfg.ClientSecret)
		te.Method, te.Kind = methodClientSecret, SignInClientSecret
		return nil, te
	}
	return tok, nil
}

// TokenError is a failure to get an access token from Entra ID, a managed-identity
// endpoint or the Azure CLI. It never contains the client secret, an assertion or a
// token.
type TokenError struct {
	TenantID string
	ClientID string
	// Method is how the client signed in, in words: "a client secret", "a client
	// certificate", "a federated token from GitHub Actions", "a managed identity", "the
	// Azure CLI".
	Method string
	// StatusCode is the token endpoint's HTTP status; 0 when no response came.
	StatusCode int
	// Code is Entra's "error", e.g. "invalid_client".
	Code string
	// Kind is how the client signed in, for advice on what to check.
	Kind SignInKind
	// Description is Entra's "error_description", which starts with the AADSTS code,
	// e.g. "AADSTS7000215: Invalid client secret provided. ...".
	Description string
	// Err is the underlying failure when the endpoint gave no OAuth error.
	Err error

	// final marks a failure that asking again cannot mend (a missing file, an Azure CLI
	// that is not signed in), whatever its status.
	final bool
}

func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("getting an Entra ID token")
	switch {
	case e.ClientID != "" && e.TenantID != "":
		fmt.Fprintf(&b, " for application %s in tenant %s", e.ClientID, e.TenantID)
	case e.ClientID != "":
		fmt.Fprintf(&b, " for %s", e.ClientID)
	case e.TenantID != "":
		fmt.Fprintf(&b, " in tenant %s", e.TenantID)
	}
	if e.Method != "" {
		b.WriteString(" with " + e.Method)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.Code == "" && e.Description == "" && e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// temporary reports whether asking again later may succeed: the endpoint was unreachable,
// overloaded or failing, rather than refusing the credentials.
func (e *TokenError) temporary() bool {
	if e.final {
		return false
	}
	if e.StatusCode == 0 {
		return e.Err != nil && !errors.Is(e.Err, context.Canceled)
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// newTokenError builds the error for a failed token request, with every one of secrets
// (the client secret, an assertion) blanked out of what the endpoint said.
func newTokenError(tenantID, clientID string, err error, secrets ...string) *TokenError {
	e := &TokenError{TenantID: tenantID, ClientID: clientID}
	redact := func(s string) string { return redactAll(s, secrets) }
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			e.StatusCode = re.Response.StatusCode
		}
		e.Code = redact(re.ErrorCode)
		e.Description = redact(strings.TrimSpace(re.ErrorDescription))
		if e.Code == "" && e.Description == "" {
			var ct string
			if re.Response != nil {
				ct = re.Response.Header.Get("Content-Type")
			}
			msg, _, _ := parseErrorBody(ct, re.Body)
			e.Description = redact(msg)
		}
	}
	e.Err = redactErr(err, secrets...)
	return e
}

// redactErr returns err with every secret blanked out of its text, or err itself when
// none occurs in it, so that errors.As still sees through it.
func redactErr(err error, secrets ...string) error {
	msg := err.Error()
	if redacted := redactAll(msg, secrets); redacted != msg {
		return errors.New(redacted)
	}
	return err
}

func redactAll(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// asTokenError returns err as a *TokenError, filling in who was signing in.
func asTokenError(err error, tenantID, clientID, method string, kind SignInKind) *TokenError {
	var te *TokenError
	if !errors.As(err, &te) {
		te = &TokenError{Err: err, final: true}
	}
	if te.TenantID == "" {
		te.TenantID = tenantID
	}
	if te.ClientID == "" {
		te.ClientID = clientID
	}
	if te.Method == "" {
		te.Method = method
	}
	if te.Kind == SignInUnknown {
		te.Kind = kind
	}
	return te
}
