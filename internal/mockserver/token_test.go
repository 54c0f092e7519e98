package mockserver

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestTokenEndpoint(t *testing.T) {
	m := authMock(t)
	r := m.mustStatus(m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"scope": {mdaAppID + "/.default"},
	}), 200)
	body := r.object(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != 600.0 || body["ext_expires_in"] != 600.0 ||
		strings.Count(str(body["access_token"]), ".") != 2 {
		t.Errorf("token response = %v", body)
	}
	// The api:// spelling of the scope and an upper-case tenant also work.
	m.mustStatus(m.call("POST", "/"+strings.ToUpper(m.Tenant())+"/oauth2/v2.0/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"scope": {"api://" + mdaAppID + "/.default"},
	}), 200)
}

func TestTokenEndpointErrors(t *testing.T) {
	m := authMock(t)
	good := func() url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}, "scope": {mdaAppID + "/.default"}}
	}
	tests := []struct {
		name   string
		tenant string
		edit   func(url.Values)
		status int
		code   string
		aadsts int
	}{
		{"bad secret", "", func(v url.Values) { v.Set("client_secret", "wrong") }, 401, "invalid_client", 7000215},
		{"unknown client", "", func(v url.Values) { v.Set("client_id", "99999999-9999-9999-9999-999999999999") }, 400, "unauthorized_client", 700016},
		{"unknown tenant", "44444444-4444-4444-4444-444444444444", func(url.Values) {}, 400, "invalid_request", 90002},
		{"bad scope", "", func(v url.Values) { v.Set("scope", "https://management.azure.com/.default") }, 400, "invalid_scope", 70011},
		{"no scope", "", func(v url.Values) { v.Del("scope") }, 400, "invalid_scope", 70011},
		{"unsupported grant", "", func(v url.Values) { v.Set("grant_type", "password") }, 400, "unsupported_grant_type", 70003},
		{"no grant", "", func(v url.Values) { v.Del("grant_type") }, 400, "invalid_request", 900144},
		{"no client id", "", func(v url.Values) { v.Del("client_id") }, 400, "invalid_request", 900144},
		{"no secret", "", func(v url.Values) { v.Del("client_secret") }, 401, "invalid_client", 7000216},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := good()
			tt.edit(form)
			tenant := tt.tenant
			if tenant == "" {
				tenant = m.Tenant()
			}
			r := m.call("POST", "/"+tenant+"/oauth2/v2.0/token", "", form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			body := r.object(t)
			codes, _ := body["error_codes"].([]any)
			if body["error"] != tt.code || len(codes) != 1 || codes[0] != float64(tt.aadsts) ||
				!strings.HasPrefix(str(body["error_description"]), fmt.Sprintf("AADSTS%d: ", tt.aadsts)) {
				t.Errorf("body = %s", r.body)
			}
			for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
				if str(body[k]) == "" {
					t.Errorf("%s missing: %s", k, r.body)
				}
			}
		})
	}
	if r := m.call("GET", "/"+m.Tenant()+"/oauth2/v2.0/token", "", nil); r.status != 400 || !strings.Contains(string(r.body), "AADSTS900561") {
		t.Errorf("GET token: %d %s", r.status, r.body)
	}
}

// Token requests are not MDA API requests: the tenant's budget does not apply to them.
func TestTokenEndpointNotThrottled(t *testing.T) {
	m := newTestMock(t, Options{Rate: 2, Clients: []ClientCredential{{ID: clientID, Secret: clientSecret, Roles: []string{"Settings.read"}}}})
	for range 5 {
		m.token(clientID)
	}
	st := m.Stats()
	if st.Throttled != 0 || st.Routes["POST /{tenant}/oauth2/v2.0/token"] != 5 {
		t.Errorf("stats = %+v", st)
	}
}

func TestOpenIDConfiguration(t *testing.T) {
	m := authMock(t)
	r := m.mustStatus(m.call("GET", "/"+m.Tenant()+"/v2.0/.well-known/openid-configuration", "", nil), 200)
	if ep := str(r.object(t)["token_endpoint"]); !strings.HasSuffix(ep, "/"+m.Tenant()+"/oauth2/v2.0/token") {
		t.Errorf("token_endpoint = %q", ep)
	}
}
