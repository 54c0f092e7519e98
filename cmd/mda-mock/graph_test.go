package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// The demo's Entra app reads Cloud Discovery through Graph with the role -graph-role
// grants, and gets 403 without it.
func TestGrantGraphRole(t *testing.T) {
	for _, grant := range []bool{true, false} {
		opts := mockserver.Options{
			Clients:           []mockserver.ClientCredential{{ID: "app", Secret: "s", Roles: []string{"Discovery.read"}}},
			ManagedIdentities: []mockserver.ManagedIdentity{{ClientID: "mi", System: true}},
		}
		if grant {
			grantGraphRole(&opts)
			if opts.ManagedIdentities[0].GraphRoles[0] != mockserver.GraphDiscoveryRole {
				t.Errorf("managed identity = %+v", opts.ManagedIdentities[0])
			}
		}
		srv := mockserver.New(opts)
		hs := httptest.NewServer(srv)
		form := url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s"},
			"scope": {"https://graph.microsoft.com/.default"},
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, hs.URL+"/"+srv.Tenant()+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&tok)
		_ = resp.Body.Close()
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("token: %v %+v", err, tok)
		}
		req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, hs.URL+"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		want := http.StatusOK
		if !grant {
			want = http.StatusForbidden
		}
		if resp.StatusCode != want {
			t.Errorf("grant %v: status %d, want %d", grant, resp.StatusCode, want)
		}
		hs.Close()
	}
}
