package mockserver

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The Entra-like token endpoint: POST /{tenant}/oauth2/v2.0/token. It is not part of the
// MDA tenant, so it is never throttled with the API; it is counted in stats and faults
// can target it ("POST /{tenant}/oauth2/v2.0/token").
//
// A grant type is a tokenGrant in tokenGrants. Within client_credentials, the client
// proves who it is through clientAuthenticators: a client secret here; a certificate
// assertion or a federated (OIDC) token in token_assertion.go, which appends to that
// slice from an init function.

// tokenRequest is one token request: what the grants and authenticators read, and the
// sign-in record they fill in.
type tokenRequest struct {
	tenant string
	form   url.Values
	// endpoint is the token URL as the client addressed it: the audience a client
	// assertion must name.
	endpoint string
	signIn   *SignIn
	// audience is what the scope asked for: mdaAppID, or graphAudience (graph.go).
	audience string
}

// tokenGrant turns a validated request into the app the token is for, or an Entra error.
type tokenGrant func(s *Server, tr *tokenRequest) (ClientCredential, *entraError)

var tokenGrants = map[string]tokenGrant{
	"client_credentials": clientCredentialsGrant,
}

// clientAuthenticator checks one kind of client credential. It returns handled=false when
// the form does not carry its kind, so the next authenticator can try.
type clientAuthenticator func(s *Server, app ClientCredential, tr *tokenRequest) (handled bool, err *entraError)

var clientAuthenticators = []clientAuthenticator{clientSecretAuthenticator}

// entraError is an AADSTS error in the shape Entra returns, minus the fields clients
// never read.
type entraError struct {
	status int
	code   string // "invalid_client", "invalid_request", ...
	number int    // the AADSTS number
	msg    string // the text after "AADSTSnnn: "
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	now := s.now()
	in := &SignIn{Time: now}
	app, aud, eerr := s.grantToken(r, tenant, in)
	if eerr != nil {
		in.Error = fmt.Sprintf("AADSTS%d", eerr.number)
		s.recordSignIn(*in)
		s.writeEntraError(w, eerr)
		return
	}
	if aud == graphAudience {
		in.AccessToken = s.issueToken(graphAudience, app.ID, app.GraphRoles, now)
	} else {
		in.AccessToken = s.issueAccessToken(app, now)
	}
	s.recordSignIn(*in)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	secs := int(s.opts.TokenLifetime / time.Second)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   in.AccessToken,
	})
}

// grantToken returns the app a token is for and the token's audience.
func (s *Server) grantToken(r *http.Request, tenant string, in *SignIn) (ClientCredential, string, *entraError) {
	if r.Method != http.MethodPost {
		return ClientCredential{}, "", &entraError{http.StatusBadRequest, "invalid_request", 900561,
			fmt.Sprintf("The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method)}
	}
	if !strings.EqualFold(tenant, s.tenant) {
		return ClientCredential{}, "", &entraError{http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)}
	}
	if err := r.ParseForm(); err != nil {
		return ClientCredential{}, "", &entraError{http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'."}
	}
	form := r.PostForm
	gt := form.Get("grant_type")
	if gt == "" {
		return ClientCredential{}, "", missingParam("grant_type")
	}
	grant, ok := tokenGrants[gt]
	if !ok {
		return ClientCredential{}, "", &entraError{http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt)}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	tr := &tokenRequest{
		tenant:   tenant,
		form:     form,
		endpoint: scheme + "://" + r.Host + r.URL.Path,
		signIn:   in,
	}
	app, err := grant(s, tr)
	return app, tr.audience, err
}

func clientCredentialsGrant(s *Server, tr *tokenRequest) (ClientCredential, *entraError) {
	form, tenant := tr.form, tr.tenant
	id := form.Get("client_id")
	tr.signIn.ClientID = id
	if id == "" {
		return ClientCredential{}, missingParam("client_id")
	}
	var app ClientCredential
	found := false
	for _, c := range s.opts.Clients {
		if strings.EqualFold(c.ID, id) {
			app, found = c, true
			break
		}
	}
	if !found {
		return ClientCredential{}, &entraError{http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", id, tenant)}
	}
	handled := false
	for _, auth := range clientAuthenticators {
		h, err := auth(s, app, tr)
		if err != nil {
			return ClientCredential{}, err
		}
		if h {
			handled = true
			break
		}
	}
	if !handled {
		return ClientCredential{}, &entraError{http.StatusUnauthorized, "invalid_client", 7000216,
			"'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type."}
	}
	aud, err := checkScope(form.Get("scope"))
	if err != nil {
		return ClientCredential{}, err
	}
	tr.audience = aud
	return app, nil
}

func clientSecretAuthenticator(_ *Server, app ClientCredential, tr *tokenRequest) (bool, *entraError) {
	secret, ok := tr.form["client_secret"]
	if !ok {
		return false, nil
	}
	tr.signIn.Method = SignInClientSecret
	if len(secret) != 1 || app.Secret == "" || secret[0] != app.Secret {
		return true, &entraError{http.StatusUnauthorized, "invalid_client", 7000215,
			fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ID)}
	}
	return true, nil
}

// checkScope accepts "<MDA app id>/.default" and its api:// spelling, the only scopes a
// client_credentials request may ask of this resource, and Microsoft Graph's (graph.go).
// It returns the audience of the token to issue.
func checkScope(scope string) (string, *entraError) {
	if scope == "" {
		return "", &entraError{http.StatusBadRequest, "invalid_scope", 70011,
			"The provided request must include a 'scope' input parameter."}
	}
	for _, want := range []string{mdaAppID + "/.default", "api://" + mdaAppID + "/.default"} {
		if strings.EqualFold(scope, want) {
			return mdaAppID, nil
		}
	}
	if isGraphResource(strings.TrimSuffix(scope, "/.default")) && strings.HasSuffix(scope, "/.default") {
		return graphAudience, nil
	}
	return "", &entraError{http.StatusBadRequest, "invalid_scope", 70011,
		fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope)}
}

func missingParam(name string) *entraError {
	return &entraError{http.StatusBadRequest, "invalid_request", 900144,
		fmt.Sprintf("The request body must contain the following parameter: '%s'.", name)}
}

func (s *Server) writeEntraError(w http.ResponseWriter, e *entraError) {
	now := s.now().UTC()
	trace, corr := newGUID(), newGUID()
	stamp := now.Format("2006-01-02 15:04:05Z")
	desc := fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.number, e.msg, trace, corr, now.Format("2006-01-02 15:04:05.0000000Z"))
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, e.status, map[string]any{
		"error":             e.code,
		"error_description": desc,
		"error_codes":       []int{e.number},
		"timestamp":         stamp,
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.number),
	})
}

// serveOpenIDConfig answers discovery, which MSAL-style libraries fetch before the
// token request. Only the fields those libraries read are filled in.
func (s *Server) serveOpenIDConfig(w http.ResponseWriter, r *http.Request, tenant string) {
	if !strings.EqualFold(tenant, s.tenant) {
		s.writeEntraError(w, &entraError{http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)})
		return
	}
	base := "http://" + r.Host
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/" + s.tenant + "/oauth2/v2.0/token",
		"authorization_endpoint":                base + "/" + s.tenant + "/oauth2/v2.0/authorize",
		"issuer":                                base + "/" + s.tenant + "/v2.0",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"tenant_region_scope":                   "NA",
	})
}

// newGUID is for trace and correlation ids, which need not be deterministic.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
