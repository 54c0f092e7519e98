package mockserver

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	certAppID = "44444444-4444-4444-4444-444444444444"
	fedAppID  = "55555555-5555-5555-5555-555555555555"
	ghSubject = "repo:contoso/infra:ref:refs/heads/main"
	ghRunTok  = "gh-request-token"
)

// testCert makes an RSA key and a self-signed certificate for it at run time: no private
// key is ever committed.
func testCert(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mda-mock-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func x5t(c *x509.Certificate) string {
	s := sha1.Sum(c.Raw)
	return base64.RawURLEncoding.EncodeToString(s[:])
}

type assertionMock struct {
	*testMock
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func newAssertionMock(t *testing.T) *assertionMock {
	t.Helper()
	key, cert := testCert(t)
	m := newTestMock(t, Options{
		Clients: []ClientCredential{
			{ID: certAppID, Roles: []string{"Settings.manage"}, Certificates: []*x509.Certificate{cert}},
			{ID: fedAppID, Roles: []string{"Settings.read"}, Federated: []FederatedIdentity{
				{Subject: ghSubject},
				{Issuer: AzureDevOpsIssuer, Subject: "sc://contoso/infra/mda"},
			}},
			{ID: clientID, Secret: clientSecret, Roles: []string{"Settings.read"}},
		},
		OIDCRuns: []OIDCRun{
			{RequestToken: ghRunTok, Subject: ghSubject},
			{RequestToken: "ado-system-token", Subject: "sc://contoso/infra/mda", ServiceConnectionID: "c0ffee00-0000-0000-0000-000000000001"},
			{RequestToken: "other-repo-token", Subject: "repo:contoso/other:ref:refs/heads/main"},
		},
		TokenLifetime: 10 * time.Minute,
	})
	return &assertionMock{testMock: m, key: key, cert: cert}
}

func (m *assertionMock) tokenURL() string {
	return m.http.URL + "/" + m.Tenant() + "/oauth2/v2.0/token"
}

// certAssertion signs claims for certAppID; edit changes them before signing.
func (m *assertionMock) certAssertion(key *rsa.PrivateKey, header joseHeader, edit func(*jwtClaims)) string {
	m.t.Helper()
	now := m.clock.Now().Unix()
	exp := now + 600
	c := jwtClaims{Iss: certAppID, Sub: certAppID, Aud: audience{m.tokenURL()}, Nbf: &now, Iat: &now, Exp: &exp, Jti: newGUID()}
	if edit != nil {
		edit(&c)
	}
	tok, err := signRS256(key, header, c)
	if err != nil {
		m.t.Fatal(err)
	}
	return tok
}

func (m *assertionMock) exchange(app, assertion string) response {
	m.t.Helper()
	return m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {app}, "scope": {mdaAppID + "/.default"},
		"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {assertion},
	})
}

// wantEntraError checks the status and AADSTS code of a refused token request.
func wantEntraError(t *testing.T, r response, status, aadsts int, words ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	body := r.object(t)
	desc := str(body["error_description"])
	if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", aadsts)) || str(body["error"]) == "" {
		t.Fatalf("body = %s, want AADSTS%d", r.body, aadsts)
	}
	for _, w := range words {
		if !strings.Contains(desc, w) {
			t.Errorf("error_description %q lacks %q", desc, w)
		}
	}
}

func TestCertificateAssertion(t *testing.T) {
	m := newAssertionMock(t)
	a := m.certAssertion(m.key, joseHeader{Alg: "RS256", Typ: "JWT", X5t: x5t(m.cert)}, nil)
	r := m.mustStatus(m.exchange(certAppID, a), 200)
	tok := str(r.object(t)["access_token"])
	// The token carries the app's roles: it may create ranges.
	m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Bearer "+tok,
		map[string]any{"name": "cert", "category": 1, "subnets": []string{"10.0.0.0/8"}}), 200)

	ins := m.SignIns()
	if len(ins) != 1 {
		t.Fatalf("sign-ins = %+v", ins)
	}
	in := ins[0]
	sum := sha1.Sum(m.cert.Raw)
	if in.Method != SignInCertificate || in.ClientID != certAppID || in.Error != "" || in.Assertion != a ||
		in.AccessToken != tok || in.Thumbprint != fmt.Sprintf("%x", sum) || in.JTI == "" {
		t.Errorf("sign-in = %+v", in)
	}

	// x5t#S256 with PS256 is accepted too.
	s256 := sha256.Sum256(m.cert.Raw)
	now, exp := m.clock.Now().Unix(), m.clock.Now().Unix()+600
	claims := jwtClaims{Iss: certAppID, Sub: certAppID, Aud: audience{m.tokenURL()}, Nbf: &now, Exp: &exp, Jti: newGUID()}
	ps := m.signPS256(joseHeader{Alg: "PS256", Typ: "JWT", X5tS256: base64.RawURLEncoding.EncodeToString(s256[:])}, claims)
	m.mustStatus(m.exchange(certAppID, ps), 200)
}

func (m *assertionMock) signPS256(h joseHeader, c jwtClaims) string {
	m.t.Helper()
	tok, err := signRS256(m.key, h, c)
	if err != nil {
		m.t.Fatal(err)
	}
	// Re-sign the same bytes with PSS.
	parts := strings.Split(tok, ".")
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	sig, err := rsa.SignPSS(rand.Reader, m.key, crypto.SHA256, sum[:], nil)
	if err != nil {
		m.t.Fatal(err)
	}
	return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestCertificateAssertionRefusals(t *testing.T) {
	m := newAssertionMock(t)
	otherKey, otherCert := testCert(t)
	good := joseHeader{Alg: "RS256", Typ: "JWT", X5t: x5t(m.cert)}
	tests := []struct {
		name      string
		assertion func() string
		status    int
		aadsts    int
		words     []string
	}{
		{"unregistered certificate", func() string {
			return m.certAssertion(otherKey, joseHeader{Alg: "RS256", X5t: x5t(otherCert)}, nil)
		}, 401, 700027, []string{"not registered on application", fmt.Sprintf("%X", sha1.Sum(otherCert.Raw)), certAppID}},
		{"signed by another key", func() string { return m.certAssertion(otherKey, good, nil) }, 401, 700027, []string{"failed signature validation"}},
		{"no x5t", func() string {
			return m.certAssertion(m.key, joseHeader{Alg: "RS256"}, nil)
		}, 401, 700027, []string{"no x5t"}},
		{"HS256", func() string { return m.certAssertion(m.key, joseHeader{Alg: "HS256", X5t: x5t(m.cert)}, nil) }, 401, 700027, nil},
		{"expired", func() string {
			return m.certAssertion(m.key, good, func(c *jwtClaims) { e := m.clock.Now().Add(-time.Minute).Unix(); c.Exp = &e })
		}, 401, 700024, []string{"not within its valid time range"}},
		{"not yet valid", func() string {
			return m.certAssertion(m.key, good, func(c *jwtClaims) { n := m.clock.Now().Add(time.Minute).Unix(); c.Nbf = &n })
		}, 401, 700024, nil},
		{"no exp", func() string { return m.certAssertion(m.key, good, func(c *jwtClaims) { c.Exp = nil }) }, 401, 700024, nil},
		{"audience of another tenant", func() string {
			return m.certAssertion(m.key, good, func(c *jwtClaims) {
				c.Aud = audience{"https://login.microsoftonline.com/other/oauth2/v2.0/token"}
			})
		}, 401, 50012, []string{"audience", m.tokenURL()}},
		{"two audiences", func() string {
			return m.certAssertion(m.key, good, func(c *jwtClaims) { c.Aud = audience{m.tokenURL(), "x"} })
		}, 401, 50012, nil},
		{"issuer is another app", func() string {
			return m.certAssertion(m.key, good, func(c *jwtClaims) { c.Sub = clientID })
		}, 401, 700021, nil},
		{"malformed", func() string { return "not-a-jwt" }, 400, 50027, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantEntraError(t, m.exchange(certAppID, tt.assertion()), tt.status, tt.aadsts, tt.words...)
		})
	}
	// The form itself: a missing or unknown assertion type.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {certAppID}, "scope": {mdaAppID + "/.default"},
		"client_assertion": {m.certAssertion(m.key, good, nil)}}
	wantEntraError(t, m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", form), 400, 900144, "client_assertion_type")
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
	wantEntraError(t, m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", form), 400, 50027, "client_assertion_type")
	// An app with a secret only cannot use a certificate.
	wantEntraError(t, m.exchange(clientID, m.certAssertion(m.key, good, func(c *jwtClaims) { c.Iss, c.Sub = clientID, clientID })), 401, 700027)

	for _, in := range m.SignIns() {
		if in.Error == "" || in.AccessToken != "" {
			t.Errorf("a refused sign-in is recorded as %+v", in)
		}
	}
}

// githubToken asks the mock's GitHub-like issuer for a token, as the provider does.
func (m *assertionMock) githubToken(runToken, aud string) string {
	m.t.Helper()
	path := "/_mock/oidc/token?api-version=2.0"
	if aud != "" {
		path += "&audience=" + url.QueryEscape(aud)
	}
	r := m.mustStatus(m.call("GET", path, "Bearer "+runToken, nil), 200)
	return str(r.object(m.t)["value"])
}

func TestFederatedToken(t *testing.T) {
	m := newAssertionMock(t)
	fed := m.githubToken(ghRunTok, DefaultFederatedAudience)
	r := m.mustStatus(m.exchange(fedAppID, fed), 200)
	tok := str(r.object(t)["access_token"])
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+tok, nil), 200)
	// Settings.read only: creating a range is refused, naming the permission.
	r = m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Bearer "+tok,
		map[string]any{"name": "x", "category": 1, "subnets": []string{"10.0.0.0/8"}}), 403)
	if !strings.Contains(string(r.body), "Settings.manage") {
		t.Errorf("403 body %s does not name Settings.manage", r.body)
	}
	in := m.SignIns()[0]
	if in.Method != SignInFederated || in.Subject != ghSubject || in.Issuer != GitHubIssuer ||
		in.Audience != DefaultFederatedAudience || in.Assertion != fed || in.AccessToken != tok {
		t.Errorf("sign-in = %+v", in)
	}

	// Azure DevOps: POST with the service connection.
	r = m.mustStatus(m.call("POST", "/_mock/oidc/ado?api-version=7.1&serviceConnectionId=C0FFEE00-0000-0000-0000-000000000001", "Bearer ado-system-token", nil), 200)
	ado := str(r.object(t)["oidcToken"])
	m.mustStatus(m.exchange(fedAppID, ado), 200)
	if in := m.SignIns()[1]; in.Issuer != AzureDevOpsIssuer || in.Subject != "sc://contoso/infra/mda" {
		t.Errorf("ADO sign-in = %+v", in)
	}
}

func TestFederatedTokenRefusals(t *testing.T) {
	m := newAssertionMock(t)
	otherKey, _ := testCert(t)
	now := m.clock.Now()
	tests := []struct {
		name   string
		app    string
		token  func() string
		aadsts int
		words  []string
	}{
		{"wrong audience", fedAppID, func() string { return m.githubToken(ghRunTok, "api://something-else") }, 700212,
			[]string{"audience 'api://something-else'"}},
		{"no audience asked", fedAppID, func() string { return m.githubToken(ghRunTok, "") }, 700212, []string{"https://github.com/mda-mock"}},
		{"other repository", fedAppID, func() string { return m.githubToken("other-repo-token", DefaultFederatedAudience) }, 700213,
			[]string{"subject 'repo:contoso/other:ref:refs/heads/main'"}},
		{"unknown issuer", fedAppID, func() string {
			return m.IssueFederatedToken(FederatedClaims{Issuer: "https://app.terraform.io", Subject: ghSubject})
		}, 700211, []string{"issuer 'https://app.terraform.io'"}},
		{"expired", fedAppID, func() string {
			return m.IssueFederatedToken(FederatedClaims{Subject: ghSubject, IssuedAt: now.Add(-time.Hour), Expiry: now.Add(-50 * time.Minute)})
		}, 700024, []string{"not within its valid time range"}},
		{"foreign signature", fedAppID, func() string {
			iat, exp := now.Unix(), now.Add(time.Minute).Unix()
			tok, _ := signRS256(otherKey, joseHeader{Alg: "RS256", Kid: m.issuerKeyID()},
				jwtClaims{Iss: GitHubIssuer, Sub: ghSubject, Aud: audience{DefaultFederatedAudience}, Iat: &iat, Exp: &exp})
			return tok
		}, 700027, []string{"signature"}},
		{"app without federated credentials", clientID, func() string { return m.githubToken(ghRunTok, DefaultFederatedAudience) }, 70021,
			[]string{"Assertion Subject: '" + ghSubject + "'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantEntraError(t, m.exchange(tt.app, tt.token()), 401, tt.aadsts, tt.words...)
		})
	}
}

func TestOIDCIssuerEndpoints(t *testing.T) {
	m := newAssertionMock(t)
	m.mustStatus(m.call("GET", "/_mock/oidc/token?audience=x", "", nil), 401)
	m.mustStatus(m.call("GET", "/_mock/oidc/token?audience=x", "Bearer nope", nil), 401)
	m.mustStatus(m.call("POST", "/_mock/oidc/token", "Bearer "+ghRunTok, nil), 405)
	tok := m.githubToken(ghRunTok, "api://custom")
	j, err := parseCompactJWT(tok)
	if err != nil || j.claims.Aud.String() != "api://custom" || j.claims.Sub != ghSubject || j.claims.Iss != GitHubIssuer ||
		!j.verify(&m.federationKey().PublicKey) || *j.claims.Exp-*j.claims.Iat != 600 {
		t.Errorf("GitHub-like token %+v (%v)", j.claims, err)
	}

	ado := "/_mock/oidc/ado?api-version=7.1&serviceConnectionId="
	m.mustStatus(m.call("POST", ado+"c0ffee00-0000-0000-0000-000000000001", "Bearer wrong", nil), 401)
	r := m.mustStatus(m.call("POST", ado+"11111111-0000-0000-0000-000000000000", "Bearer ado-system-token", nil), 400)
	if !strings.Contains(string(r.body), "No service connection found with identifier 11111111") {
		t.Errorf("body %s", r.body)
	}
	m.mustStatus(m.call("POST", "/_mock/oidc/ado?serviceConnectionId=c0ffee00-0000-0000-0000-000000000001", "Bearer ado-system-token", nil), 400)
	m.mustStatus(m.call("GET", ado+"c0ffee00-0000-0000-0000-000000000001", "Bearer ado-system-token", nil), 405)

	// The issuer endpoints are counted like the token endpoint, not served as admin.
	st := m.Stats()
	if st.Routes["GET /_mock/oidc/token"] != 3 || st.Routes["POST /_mock/oidc/token"] != 1 ||
		st.Routes["POST /_mock/oidc/ado"] != 3 || st.Routes["GET /_mock/oidc/ado"] != 1 {
		t.Errorf("stats = %+v", st.Routes)
	}
}
