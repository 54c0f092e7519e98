package mockserver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	systemMI = "66666666-6666-6666-6666-666666666666"
	userMI   = "77777777-7777-7777-7777-777777777777"
	idHeader = "identity-header-secret"
)

func msiMock(t *testing.T, ids ...ManagedIdentity) *testMock {
	if ids == nil {
		ids = []ManagedIdentity{
			{ClientID: systemMI, System: true, Roles: []string{"Settings.manage"}},
			{ClientID: userMI, Roles: []string{"Settings.read"}},
		}
	}
	return newTestMock(t, Options{ManagedIdentities: ids, IdentityHeader: idHeader, TokenLifetime: time.Hour, Rate: 1})
}

// msiCall sends a GET with one extra header.
func (m *testMock) msiCall(path, header, value string) response {
	m.t.Helper()
	req, err := http.NewRequestWithContext(m.t.Context(), http.MethodGet, m.http.URL+path, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	if header != "" {
		req.Header.Set(header, value)
	}
	return m.do(req)
}

const imdsQuery = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + mdaAppID

func TestIMDS(t *testing.T) {
	m := msiMock(t)
	r := m.mustStatus(m.msiCall(imdsQuery, "Metadata", "true"), 200)
	body := r.object(t)
	// IMDS writes its numbers as strings.
	expiresOn, _ := strconv.ParseInt(str(body["expires_on"]), 10, 64)
	if body["token_type"] != "Bearer" || body["expires_in"] != "3600" || body["client_id"] != systemMI ||
		expiresOn != m.clock.Now().Add(time.Hour).Unix() || body["resource"] != mdaAppID {
		t.Errorf("IMDS body = %s", r.body)
	}
	sys := str(body["access_token"])
	m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Bearer "+sys,
		map[string]any{"name": "mi", "category": 1, "subnets": []string{"10.0.0.0/8"}}), 200)

	// A user-assigned identity, by client_id: its roles, not the system identity's.
	r = m.mustStatus(m.msiCall(imdsQuery+"&client_id="+userMI, "Metadata", "true"), 200)
	user := str(r.object(t)["access_token"])
	m.mustStatus(m.call("POST", "/api/v1/subnet/create_rule/", "Bearer "+user,
		map[string]any{"name": "mi2", "category": 1, "subnets": []string{"10.0.0.0/8"}}), 403)

	ins := m.SignIns()
	if len(ins) != 2 || ins[0].ClientID != systemMI || ins[1].ClientID != userMI || ins[1].Method != SignInManagedIdentity || ins[1].AccessToken != user {
		t.Errorf("sign-ins = %+v", ins)
	}
	// Identity endpoints are not API requests: they spent none of the budget of one API
	// request, which the first create used.
	if st := m.Stats(); st.Routes["GET "+imdsPath] != 2 || st.Throttled != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestIMDSRefusals(t *testing.T) {
	m := msiMock(t)
	tests := []struct {
		name, path, header string
		status             int
		code, desc         string
	}{
		{"no Metadata header", imdsQuery, "", 400, "invalid_request", "Required metadata header not specified"},
		{"no api-version", "/metadata/identity/oauth2/token?resource=" + mdaAppID, "true", 400, "invalid_request", "api-version"},
		{"no resource", "/metadata/identity/oauth2/token?api-version=2018-02-01", "true", 400, "invalid_request", "resource"},
		{"another resource", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/", "true", 400, "invalid_resource", "AADSTS500011"},
		{"unknown identity", imdsQuery + "&client_id=88888888-8888-8888-8888-888888888888", "true", 400, "invalid_request", "Identity not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ""
			if tt.header != "" {
				h = "Metadata"
			}
			r := m.msiCall(tt.path, h, tt.header)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			body := r.object(t)
			if body["error"] != tt.code || !strings.Contains(str(body["error_description"]), tt.desc) {
				t.Errorf("body = %s", r.body)
			}
		})
	}

	// Without a system identity, the only user-assigned one is used; two are ambiguous.
	one := msiMock(t, ManagedIdentity{ClientID: userMI})
	if body := one.mustStatus(one.msiCall(imdsQuery, "Metadata", "true"), 200).object(t); body["client_id"] != userMI {
		t.Errorf("body = %v", body)
	}
	two := msiMock(t, ManagedIdentity{ClientID: userMI}, ManagedIdentity{ClientID: systemMI})
	r := two.mustStatus(two.msiCall(imdsQuery, "Metadata", "true"), 400)
	if !strings.Contains(string(r.body), "Multiple user assigned identities") {
		t.Errorf("body = %s", r.body)
	}
}

func TestAppServiceIdentity(t *testing.T) {
	m := msiMock(t)
	q := "/MSI/token/?api-version=2019-08-01&resource=" + mdaAppID
	r := m.mustStatus(m.msiCall(q, "X-IDENTITY-HEADER", idHeader), 200)
	body := r.object(t)
	if body["client_id"] != systemMI || body["expires_on"] != strconv.FormatInt(m.clock.Now().Add(time.Hour).Unix(), 10) {
		t.Errorf("body = %s", r.body)
	}
	if _, ok := body["expires_in"]; ok {
		t.Errorf("the App Service form has no expires_in: %s", r.body)
	}
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Bearer "+str(body["access_token"]), nil), 200)

	m.mustStatus(m.msiCall(q, "X-IDENTITY-HEADER", "wrong"), 401)
	m.mustStatus(m.msiCall(q, "", ""), 401)
	// IMDS's header does not open the App Service form.
	m.mustStatus(m.msiCall(q, "Metadata", "true"), 401)
	r = m.mustStatus(m.msiCall(q+"&client_id="+userMI, "X-IDENTITY-HEADER", idHeader), 200)
	if r.object(t)["client_id"] != userMI {
		t.Errorf("body = %s", r.body)
	}

	// With no IDENTITY_HEADER configured the form is refused outright.
	off := newTestMock(t, Options{ManagedIdentities: []ManagedIdentity{{ClientID: systemMI, System: true}}})
	off.mustStatus(off.msiCall(q, "X-IDENTITY-HEADER", ""), 401)
}
