package mockserver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The mock's own OIDC issuer, standing in for the two CI systems whose runs ask for a
// federated token over HTTP:
//
//   - GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud> with
//     "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" answers {"count":n,"value":"<jwt>"}.
//     Served at GET /_mock/oidc/token.
//   - Azure DevOps: POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=<id>
//     with "Authorization: Bearer $SYSTEM_ACCESSTOKEN" answers {"oidcToken":"<jwt>"}.
//     Served at POST /_mock/oidc/ado.
//
// Both sign RS256 with one key per server, which the token endpoint trusts for these two
// issuers only. A run is an OIDCRun: its request token decides the subject, as a real run's
// repository, branch or service connection does.

// The issuers of the mock's federated tokens: the "iss" a FederatedIdentity names. The
// .invalid domain (RFC 2606) keeps them from ever being mistaken for, or resolved as, a
// real issuer.
const (
	GitHubIssuer      = "https://token.actions.mda-mock.invalid"
	AzureDevOpsIssuer = "https://vstoken.mda-mock.invalid/00000000-0000-0000-0000-0000000000ad"
)

// federatedTokenLifetime is about what GitHub gives its ID tokens.
const federatedTokenLifetime = 10 * time.Minute

// OIDCRun is a pipeline run allowed to ask the mock's OIDC issuer for federated tokens.
type OIDCRun struct {
	// RequestToken is the run's bearer for the issuer: ACTIONS_ID_TOKEN_REQUEST_TOKEN on
	// GitHub, SYSTEM_ACCESSTOKEN on Azure DevOps.
	RequestToken string
	// Subject is the "sub" of the run's tokens, e.g. "repo:contoso/infra:ref:refs/heads/main"
	// or "sc://contoso/infra/mda-production".
	Subject string
	// ServiceConnectionID is the Azure DevOps service connection the run may ask tokens
	// for; the GitHub-like endpoint ignores it.
	ServiceConnectionID string
}

// FederatedClaims describes a federated token for IssueFederatedToken.
type FederatedClaims struct {
	Issuer   string    // "" means GitHubIssuer; only the mock's issuers verify
	Subject  string    // the "sub" claim
	Audience string    // "" means DefaultFederatedAudience
	IssuedAt time.Time // zero means the server's now
	Expiry   time.Time // zero means IssuedAt + 10 minutes
}

// IssueFederatedToken signs a federated token as the mock's issuer would, for tests that
// hand the provider a token directly (oidc_token) or through a file: expired tokens and
// tokens for the wrong audience or subject are made the same way.
func (s *Server) IssueFederatedToken(c FederatedClaims) string {
	if c.Issuer == "" {
		c.Issuer = GitHubIssuer
	}
	if c.Audience == "" {
		c.Audience = DefaultFederatedAudience
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = s.now()
	}
	if c.Expiry.IsZero() {
		c.Expiry = c.IssuedAt.Add(federatedTokenLifetime)
	}
	iat, exp := c.IssuedAt.Unix(), c.Expiry.Unix()
	tok, err := signRS256(s.federationKey(),
		joseHeader{Alg: "RS256", Typ: "JWT", Kid: s.issuerKeyID()},
		jwtClaims{Iss: c.Issuer, Sub: c.Subject, Aud: audience{c.Audience}, Iat: &iat, Nbf: &iat, Exp: &exp, Jti: newGUID()})
	if err != nil {
		// Signing with a freshly made RSA key cannot fail short of a broken crypto/rand.
		panic(fmt.Sprintf("mockserver: signing a federated token: %v", err))
	}
	return tok
}

func (s *Server) federationKey() *rsa.PrivateKey {
	// Made on first use: most mocks never issue a federated token, and a 2048-bit key
	// takes a noticeable moment to generate.
	s.issuerKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("mockserver: generating the OIDC issuer key: %v", err))
		}
		s.issuerKey = k
	})
	return s.issuerKey
}

func (s *Server) issuerKeyID() string {
	sum := sha256.Sum256(s.federationKey().N.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

func isMockIssuer(iss string) bool { return iss == GitHubIssuer || iss == AzureDevOpsIssuer }

// findRun returns the run whose request token the Authorization header carries.
func (s *Server) findRun(r *http.Request) (OIDCRun, bool) {
	tok, ok := strings.CutPrefix(strings.TrimSpace(r.Header.Get("Authorization")), "Bearer ")
	if !ok || tok == "" {
		return OIDCRun{}, false
	}
	for _, run := range s.opts.OIDCRuns {
		if subtle.ConstantTimeCompare([]byte(run.RequestToken), []byte(tok)) == 1 {
			return run, true
		}
	}
	return OIDCRun{}, false
}

// serveGitHubOIDC answers like GitHub's ID-token endpoint. Without an audience parameter
// GitHub issues a token for the repository owner's URL, which Entra then refuses; the
// mock does the same, so a client that forgets the audience fails here as it would there.
func (s *Server) serveGitHubOIDC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "Method not allowed."})
		return
	}
	run, ok := s.findRun(r)
	if !ok {
		// [U]: GitHub's body for a bad request token is not documented.
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized: the bearer is not a valid ACTIONS_ID_TOKEN_REQUEST_TOKEN."})
		return
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		aud = "https://github.com/mda-mock"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"count": 1,
		"value": s.IssueFederatedToken(FederatedClaims{Issuer: GitHubIssuer, Subject: run.Subject, Audience: aud}),
	})
}

// serveAzureDevOpsOIDC answers like Azure DevOps' oidctoken endpoint. Its tokens always
// have the audience Entra expects.
func (s *Server) serveAzureDevOpsOIDC(w http.ResponseWriter, r *http.Request) {
	adoError := func(status int, msg string) {
		writeJSON(w, status, map[string]any{
			"$id": "1", "innerException": nil, "message": msg,
			"typeName": "Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanSecurityException", "errorCode": 0, "eventId": 3000,
		})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		adoError(http.StatusMethodNotAllowed, "The requested resource does not support http method '"+r.Method+"'.")
		return
	}
	run, ok := s.findRun(r)
	if !ok {
		adoError(http.StatusUnauthorized, "TF400813: The user is not authorized to access this resource.")
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		adoError(http.StatusBadRequest, "No api-version was supplied for the POST request.")
		return
	}
	id := q.Get("serviceConnectionId")
	if id == "" || !strings.EqualFold(id, run.ServiceConnectionID) {
		adoError(http.StatusBadRequest, fmt.Sprintf("No service connection found with identifier %s.", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"oidcToken": s.IssueFederatedToken(FederatedClaims{Issuer: AzureDevOpsIssuer, Subject: run.Subject}),
	})
}
