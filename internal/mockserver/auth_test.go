package mockserver

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	clientID     = "11111111-1111-1111-1111-111111111111"
	clientSecret = "s3cret~value"
	readerID     = "22222222-2222-2222-2222-222222222222"
	norolesID    = "33333333-3333-3333-3333-333333333333"
)

func authMock(t *testing.T) *testMock {
	return newTestMock(t, Options{
		Tokens: []string{testToken},
		Clients: []ClientCredential{
			{ID: clientID, Secret: clientSecret, Roles: []string{"settings.MANAGE"}},
			{ID: readerID, Secret: clientSecret, Roles: []string{"Investigation.read"}},
			{ID: norolesID, Secret: clientSecret},
		},
		TokenLifetime: 10 * time.Minute,
	})
}

// token gets an access token for one of the clients, which all share clientSecret.
func (m *testMock) token(id string) string {
	m.t.Helper()
	r := m.mustStatus(m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {clientSecret},
		"scope": {mdaAppID + "/.default"},
	}), 200)
	return str(r.object(m.t)["access_token"])
}

func TestLegacyTokenAuth(t *testing.T) {
	m := authMock(t)
	for _, h := range []string{"Token " + testToken, "token " + testToken, "TOKEN " + testToken, "  Token   " + testToken + "  "} {
		m.mustStatus(m.call("POST", "/api/v1/subnet/", h, nil), 200)
	}
	// Legacy tokens carry the user's privileges, modelled as all of them.
	m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Token "+testToken,
		map[string]any{"name": "x", "category": 1, "subnets": []string{"1.1.1.1"}}), 200)

	tests := []struct{ header, detail string }{
		{"", "Authentication credentials were not provided."},
		{"Basic dXNlcjpwYXNz", "Authentication credentials were not provided."},
		{"Token", "Invalid token header. No credentials provided."},
		{"Token nope", "Invalid token"},
		{"Token " + strings.ToUpper(testToken), "Invalid token"}, // keys are case-sensitive (MCAS#45)
		{"Bearer nope", "Invalid token"},
		{"Bearer a.b.c", "Invalid token"},
		// Well formed, signed by another mock (another key), as a token of another tenant's would be.
		{"Bearer " + New(Options{}).issueToken(mdaAppID, "app", nil, time.Now()), "Invalid token signature"},
	}
	for _, tt := range tests {
		r := m.mustStatus(m.call("POST", "/api/v1/subnet/", tt.header, nil), 401)
		if got := r.object(t)["detail"]; got != tt.detail {
			t.Errorf("%q: detail %q, want %q", tt.header, got, tt.detail)
		}
	}
}

func TestBearerAuth(t *testing.T) {
	m := authMock(t)
	manager := m.token(clientID)
	reader := m.token(readerID)
	noroles := m.token(norolesID)
	create := map[string]any{"name": "x", "category": 1, "subnets": []string{"1.1.1.1"}}

	// Roles compare case-insensitively ("settings.MANAGE" grants Settings.manage).
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+manager, nil), 200)
	m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "bearer "+manager, create), 200)
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+reader, nil), 200)

	r := m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Bearer "+reader, create), 403)
	body := r.object(t)
	if body["detail"] != "Insufficient role based permissions" {
		t.Errorf("403 detail = %v", body["detail"])
	}
	if roles, _ := body["requiredRoles"].([]any); len(roles) == 0 || roles[0] != "Settings.manage" {
		t.Errorf("requiredRoles = %v", body["requiredRoles"])
	}
	r = m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+noroles, nil), 403)
	if roles, _ := r.object(t)["requiredRoles"].([]any); len(roles) == 0 || roles[0] != "Settings.read" {
		t.Errorf("list requiredRoles = %s", r.body)
	}
	m.mustStatus(m.call("DELETE", "/api/v1/subnet/0123456789abcdef01234567/", "Bearer "+reader, nil), 403)

	// Tampered claims fail the signature; another server's token does too.
	parts := strings.Split(manager, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"`+mdaAppID+`","roles":["Settings.manage"],"exp":9999999999}`)) + "." + parts[2]
	if d := m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+forged, nil), 401).object(t)["detail"]; d != "Invalid token signature" {
		t.Errorf("forged: %v", d)
	}
	other := authMock(t)
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+other.token(clientID), nil), 401)

	// Expiry follows the injected clock.
	m.clock.Advance(10*time.Minute - time.Second)
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+manager, nil), 200)
	m.clock.Advance(time.Second)
	if d := m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+manager, nil), 401).object(t)["detail"]; d != "Token has expired" {
		t.Errorf("expired: %v", d)
	}
}

func TestTokenClaims(t *testing.T) {
	m := authMock(t)
	c, detail := m.verifyAccessToken(m.token(clientID))
	if detail != "" {
		t.Fatal(detail)
	}
	if c.Aud != mdaAppID || c.Tid != m.Tenant() || c.AppID != clientID || len(c.Roles) != 1 ||
		c.Exp-c.Iat != int64((10*time.Minute).Seconds()) || c.Iat != m.clock.Now().Unix() {
		t.Errorf("claims = %+v", c)
	}
}
