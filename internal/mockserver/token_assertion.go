package mockserver

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Client assertions (RFC 7523): client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
// and client_assertion=<JWT>. Entra accepts two kinds:
//
//   - a certificate assertion: a JWT the app signs itself with the private key of a
//     certificate uploaded to the app registration, named by the x5t header; iss and sub
//     are the client id, aud the token endpoint;
//   - a federated token (workload identity federation): a JWT from an external issuer
//     (GitHub Actions, Azure DevOps, HCP Terraform, Kubernetes) that matches one of the
//     app's federated identity credentials by issuer, subject and audience.
//
// The error codes and wording follow what Entra returns (seen in Azure/login,
// azure-workload-identity and MSAL issue threads); the HTTP statuses of the federated
// errors are [I].

const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// FederatedIdentity is one federated identity credential of an app registration.
type FederatedIdentity struct {
	// Issuer is the token issuer; "" means GitHubIssuer, the mock's GitHub-like issuer.
	Issuer string
	// Subject must equal the token's sub exactly (Entra compares case-sensitively).
	Subject string
	// Audience is the one audience Entra allows; "" means "api://AzureADTokenExchange".
	Audience string
}

// DefaultFederatedAudience is the audience Entra expects of federated tokens in the
// public cloud.
const DefaultFederatedAudience = "api://AzureADTokenExchange"

func (f FederatedIdentity) issuer() string {
	if f.Issuer == "" {
		return GitHubIssuer
	}
	return f.Issuer
}

func (f FederatedIdentity) audience() string {
	if f.Audience == "" {
		return DefaultFederatedAudience
	}
	return f.Audience
}

func init() {
	clientAuthenticators = append(clientAuthenticators, clientAssertionAuthenticator)
}

func clientAssertionAuthenticator(s *Server, app ClientCredential, tr *tokenRequest) (bool, *entraError) {
	assertion, ok := tr.form["client_assertion"]
	if !ok {
		return false, nil
	}
	switch typ := tr.form.Get("client_assertion_type"); typ {
	case jwtBearerAssertionType:
	case "":
		return true, missingParam("client_assertion_type")
	default:
		// [I]: the code of this refusal was not found in any source.
		return true, &entraError{http.StatusBadRequest, "invalid_request", 50027,
			fmt.Sprintf("Invalid client_assertion_type '%s'; expected '%s'.", typ, jwtBearerAssertionType)}
	}
	in := tr.signIn
	if len(assertion) != 1 || assertion[0] == "" {
		return true, missingParam("client_assertion")
	}
	in.Assertion = assertion[0]
	j, err := parseCompactJWT(assertion[0])
	if err != nil {
		return true, &entraError{http.StatusBadRequest, "invalid_request", 50027,
			"JWT token is invalid or malformed."}
	}
	in.Issuer, in.Subject, in.Audience, in.JTI = j.claims.Iss, j.claims.Sub, j.claims.Aud.String(), j.claims.Jti
	// A certificate assertion names its key with x5t and is issued by the app itself;
	// anything else is a token from an external issuer.
	if j.header.X5t != "" || j.header.X5tS256 != "" || strings.EqualFold(j.claims.Iss, app.ID) {
		in.Method = SignInCertificate
		return true, s.checkCertificateAssertion(app, tr, j)
	}
	in.Method = SignInFederated
	return true, s.checkFederatedToken(app, j)
}

func (s *Server) checkCertificateAssertion(app ClientCredential, tr *tokenRequest, j compactJWT) *entraError {
	cert, thumbprint := findCertificate(app.Certificates, j.header)
	tr.signIn.Thumbprint = thumbprint
	if cert == nil {
		if thumbprint == "" {
			return &entraError{http.StatusUnauthorized, "invalid_client", 700027,
				"Client assertion contains an invalid signature. [Reason - The key was not found., The assertion has no x5t or x5t#S256 header naming the certificate.]"}
		}
		return &entraError{http.StatusUnauthorized, "invalid_client", 700027, fmt.Sprintf(
			"The certificate with identifier used to sign the client assertion is not registered on application. "+
				"[Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, "+
				"Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]",
			strings.ToUpper(thumbprint), app.ID)}
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !j.verify(pub) {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation."}
	}
	if !strings.EqualFold(j.claims.Iss, app.ID) || !strings.EqualFold(j.claims.Sub, app.ID) {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700021,
			"Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials ."}
	}
	if len(j.claims.Aud) != 1 || !strings.EqualFold(j.claims.Aud[0], tr.endpoint) {
		return &entraError{http.StatusUnauthorized, "invalid_client", 50012, fmt.Sprintf(
			"Client assertion audience claim does not match Realm issuer. The audience is '%s'; it must be the token endpoint '%s'.",
			j.claims.Aud, tr.endpoint)}
	}
	return s.checkAssertionTime(j)
}

// findCertificate returns the certificate the header's x5t (SHA-1) or x5t#S256 names,
// and the thumbprint in hex.
func findCertificate(certs []*x509.Certificate, h joseHeader) (*x509.Certificate, string) {
	want, sha256Thumb := h.X5t, false
	if want == "" {
		want, sha256Thumb = h.X5tS256, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(want, "="))
	if want == "" || err != nil {
		return nil, ""
	}
	for _, c := range certs {
		var sum []byte
		if sha256Thumb {
			s := sha256.Sum256(c.Raw)
			sum = s[:]
		} else {
			// x5t is defined as the SHA-1 thumbprint; it names a key and secures nothing.
			s := sha1.Sum(c.Raw)
			sum = s[:]
		}
		if subtle.ConstantTimeCompare(sum, raw) == 1 {
			return c, hex.EncodeToString(raw)
		}
	}
	return nil, hex.EncodeToString(raw)
}

func (s *Server) checkFederatedToken(app ClientCredential, j compactJWT) *entraError {
	c := j.claims
	if len(app.Federated) == 0 {
		return &entraError{http.StatusUnauthorized, "invalid_client", 70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. "+
				"https://learn.microsoft.com/entra/workload-id/workload-identity-federation", c.Iss, c.Sub, c.Aud)}
	}
	var byIssuer []FederatedIdentity
	for _, f := range app.Federated {
		if f.issuer() == c.Iss {
			byIssuer = append(byIssuer, f)
		}
	}
	if len(byIssuer) == 0 {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700211, fmt.Sprintf(
			"No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. "+
				"https://learn.microsoft.com/entra/workload-id/workload-identity-federation", c.Iss)}
	}
	// Only the mock's own issuers can be verified: a real Entra would fetch the issuer's
	// keys from its discovery document, which the mock has no network for.
	if !isMockIssuer(c.Iss) || j.header.Kid != s.issuerKeyID() || !j.verify(&s.federationKey().PublicKey) {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation."}
	}
	if err := s.checkAssertionTime(j); err != nil {
		return err
	}
	var byAudience []FederatedIdentity
	for _, f := range byIssuer {
		if len(c.Aud) == 1 && c.Aud[0] == f.audience() {
			byAudience = append(byAudience, f)
		}
	}
	if len(byAudience) == 0 {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700212, fmt.Sprintf(
			"No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. "+
				"https://learn.microsoft.com/entra/workload-id/workload-identity-federation", c.Aud)}
	}
	for _, f := range byAudience {
		if f.Subject == c.Sub {
			return nil
		}
	}
	return &entraError{http.StatusUnauthorized, "invalid_client", 700213, fmt.Sprintf(
		"No matching federated identity record found for presented assertion subject '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. "+
			"https://learn.microsoft.com/entra/workload-id/workload-identity-federation", c.Sub)}
}

// checkAssertionTime refuses an assertion outside its nbf..exp window, or without exp.
// The mock allows no clock skew: tests share one injected clock between client and mock.
func (s *Server) checkAssertionTime(j compactJWT) *entraError {
	now := s.now()
	c := j.claims
	stamp := func(p *int64) string {
		if p == nil {
			return "(none)"
		}
		return time.Unix(*p, 0).UTC().Format(time.RFC3339)
	}
	if c.Exp == nil || now.Unix() >= *c.Exp || (c.Nbf != nil && now.Unix() < *c.Nbf) {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700024, fmt.Sprintf(
			"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. "+
				"Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
			now.UTC().Format(time.RFC3339), stamp(c.Nbf), stamp(c.Exp))}
	}
	return nil
}
