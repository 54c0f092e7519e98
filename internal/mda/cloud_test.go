package mda

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCloud_checkPortalURL(t *testing.T) {
	for _, tc := range []struct {
		env, url string
		want     []string // error substrings; none means accepted
	}{
		{"public", "https://contoso.us2.portal.cloudappsecurity.com", nil},
		{"public", "https://contoso.portal.cloudappsecurity.com/api", nil},
		{"public", "https://CONTOSO.EU2.Portal.CloudAppSecurity.com.", nil},
		{"public", "https://contoso.us1.portal.cloudappsecuritygov.com", nil}, // GCC signs in through the public cloud
		{"public", "http://127.0.0.1:8085", nil},
		{"public", "http://localhost:8085", nil},
		{"public", "https://portal.cloudappsecurity.com", []string{"generic portal host", "<tenant>.<region>.portal.cloudappsecurity.com"}},
		{"public", "https://contoso.us1.portal.cloudappsecurity.us", []string{"belongs to the usgovernment cloud", `set the environment to "usgovernment"`}},
		{"public", "https://mda.contoso.com", []string{"not an MDA portal of the public cloud", "<tenant>.<region>.portal.cloudappsecurity.com", "GCC"}},
		{"usgovernment", "https://contoso.us1.portal.cloudappsecurity.us", nil},
		{"usgovernment", "http://[::1]:8085", nil},
		{"usgovernment", "https://contoso.us2.portal.cloudappsecurity.com", []string{"belongs to the public cloud", `environment is "usgovernment"`}},
		{"usgovernment", "https://contoso.example.us", []string{"<tenant>.us1.portal.cloudappsecurity.us (GCC High)"}},
		{"china", "https://contoso.portal.example.cn", nil}, // no documented domain: not checked
		{"china", "https://contoso.us2.portal.cloudappsecurity.com", []string{"belongs to the public cloud"}},
	} {
		t.Run(tc.env+" "+tc.url, func(t *testing.T) {
			c, ok := LookupCloud(tc.env)
			if !ok {
				t.Fatalf("no cloud %q", tc.env)
			}
			err := c.CheckPortalURL(tc.url)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCloud_loginHostAndAudience(t *testing.T) {
	for env, want := range map[string][2]string{
		"":             {"https://login.microsoftonline.com", "api://AzureADTokenExchange"},
		"public":       {"https://login.microsoftonline.com", "api://AzureADTokenExchange"},
		"usgovernment": {"https://login.microsoftonline.us", "api://AzureADTokenExchangeUSGov"},
		"China":        {"https://login.chinacloudapi.cn", "api://AzureADTokenExchangeChina"},
	} {
		c, ok := LookupCloud(env)
		if !ok || c.AuthorityURL != want[0] || c.FederatedAudience != want[1] {
			t.Errorf("LookupCloud(%q) = %+v, %v", env, c, ok)
		}
		src, err := newTokenSource(&Config{Environment: env, TenantID: "t", ClientID: "a", ClientSecret: "s"}, http.DefaultClient, realClock{}, time.Second, mdaAudience)
		if err != nil {
			t.Fatal(err)
		}
		secret, ok := src.(*clientSecretSource)
		if !ok {
			t.Fatalf("source is %T", src)
		}
		mustEqual(t, "token URL for "+env, secret.cfg.TokenURL, want[0]+"/t/oauth2/v2.0/token")
	}
	// authority_url still wins over the environment.
	src, _ := newTokenSource(&Config{Environment: "usgovernment", AuthorityURL: "http://127.0.0.1:8085", TenantID: "t", ClientID: "a", ClientSecret: "s"},
		http.DefaultClient, realClock{}, time.Second, mdaAudience)
	if secret, ok := src.(*clientSecretSource); !ok || secret.cfg.TokenURL != "http://127.0.0.1:8085/t/oauth2/v2.0/token" {
		t.Errorf("with authority_url the source is %#v", src)
	}
	if _, ok := LookupCloud("german"); ok {
		t.Error("german is not a cloud any more")
	}
}

func TestNew_credentialKinds(t *testing.T) {
	key, cert := testCertificate(t, 2048)
	pemCert := bytes.Join([][]byte{certPEM(cert), pkcs8PEM(t, key)}, nil)
	base := func() Config {
		return Config{PortalURL: "https://contoso.us2.portal.cloudappsecurity.com", TenantID: "t", ClientID: "a"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"certificate", func(c *Config) { c.ClientCertificate = pemCert }, nil},
		{"OIDC token", func(c *Config) { c.OIDCToken = "eyJ.x.y" }, nil},
		{"OIDC file", func(c *Config) { c.OIDCTokenFilePath = "/var/run/token" }, nil},
		{"GitHub", func(c *Config) {
			c.OIDCRequestURL, c.OIDCRequestToken = "https://pipelines.actions.githubusercontent.com/x?api-version=2.0", "r"
		}, nil},
		{"managed identity", func(c *Config) { c.TenantID, c.UseMSI = "", true }, nil},
		{"user-assigned identity on IMDS", func(c *Config) {
			c.TenantID, c.UseMSI, c.MSIEndpoint = "", true, "http://169.254.169.254/metadata/identity/oauth2/token"
		}, nil},
		{"Azure CLI", func(c *Config) { c.ClientID, c.UseCLI = "", true }, nil},
		{"GCC High", func(c *Config) {
			c.Environment, c.PortalURL, c.ClientSecret = "usgovernment", "https://contoso.us1.portal.cloudappsecurity.us", "s"
		}, nil},

		{"secret and certificate", func(c *Config) { c.ClientSecret, c.ClientCertificate = "s", pemCert },
			[]string{"client secret", "client certificate", "exactly one"}},
		{"managed identity and CLI", func(c *Config) { c.TenantID, c.ClientID, c.UseMSI, c.UseCLI = "", "", true, true },
			[]string{"a managed identity and the Azure CLI are both configured"}},
		{"token and OIDC", func(c *Config) { c.APIToken, c.OIDCToken = "tok", "eyJ" }, []string{"legacy API token", "federated"}},
		{"two OIDC sources", func(c *Config) { c.OIDCToken, c.OIDCTokenFilePath = "eyJ", "/f" }, []string{"more than one federated token source"}},
		{"request URL without token", func(c *Config) { c.OIDCRequestURL = "https://ci.example.com/token" }, []string{"request token is not"}},
		{"plain http request URL", func(c *Config) { c.OIDCRequestURL, c.OIDCRequestToken = "http://ci.example.com/token", "r" }, []string{"OIDC request URL", "plain http"}},
		{"certificate without tenant", func(c *Config) { c.TenantID, c.ClientCertificate = "", pemCert }, []string{"tenant ID is missing"}},
		{"broken certificate", func(c *Config) { c.ClientCertificate = []byte("nope") }, []string{"neither PEM nor"}},
		{"managed identity with a tenant", func(c *Config) { c.UseMSI = true }, []string{"leave the tenant ID unset"}},
		{"remote http MSI endpoint", func(c *Config) { c.TenantID, c.UseMSI, c.MSIEndpoint = "", true, "http://metadata.example.com/token" },
			[]string{"neither loopback nor link-local"}},
		{"CLI with a client ID", func(c *Config) { c.UseCLI = true }, []string{"leave the client ID unset"}},
		{"unknown environment", func(c *Config) { c.Environment, c.ClientSecret = "mars", "s" }, []string{`environment "mars"`, "china, public, usgovernment"}},
		{"portal of another cloud", func(c *Config) { c.Environment, c.ClientSecret = "usgovernment", "s" }, []string{"belongs to the public cloud"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.mutate(&cfg)
			_, err := New(cfg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestTokenError_messages(t *testing.T) {
	for _, tc := range []struct {
		err  *TokenError
		want string
	}{
		{&TokenError{TenantID: "t", ClientID: "a", Method: "a client certificate", StatusCode: 401, Code: "invalid_client", Description: "AADSTS700027: x"},
			"getting an Entra ID token for application a in tenant t with a client certificate: HTTP 401: invalid_client: AADSTS700027: x"},
		{&TokenError{ClientID: "mi", Method: "a managed identity (IMDS endpoint http://x)", StatusCode: 400, Code: "invalid_request", Description: "Identity not found"},
			"getting an Entra ID token for mi with a managed identity (IMDS endpoint http://x): HTTP 400: invalid_request: Identity not found"},
		{&TokenError{TenantID: "t", Method: "the Azure CLI", Err: errEx("az failed")},
			"getting an Entra ID token in tenant t with the Azure CLI: az failed"},
	} {
		mustEqual(t, "message", tc.err.Error(), tc.want)
	}
}

type errEx string

func (e errEx) Error() string { return string(e) }
