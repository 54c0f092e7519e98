package mda

import (
	"strings"
	"testing"
	"time"
)

func TestNew_validation(t *testing.T) {
	valid := func() Config {
		return Config{PortalURL: "https://contoso.us2.portal.cloudappsecurity.com", APIToken: "abc"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"legacy token", func(*Config) {}, nil},
		{"client secret", func(c *Config) { c.APIToken, c.TenantID, c.ClientID, c.ClientSecret = "", "t", "a", "s" }, nil},
		{"loopback http", func(c *Config) { c.PortalURL = "http://127.0.0.1:8080" }, nil},
		{"localhost http", func(c *Config) { c.PortalURL = "http://localhost:8080/" }, nil},
		{"ipv6 loopback http", func(c *Config) { c.PortalURL = "http://[::1]:8080" }, nil},
		{"portal API url with /api", func(c *Config) { c.PortalURL += "/api/" }, nil},
		{"two credential kinds", func(c *Config) { c.TenantID, c.ClientID, c.ClientSecret = "t", "a", "s" },
			[]string{"legacy API token", "Entra application", "exactly one"}},
		{"token plus a stray client id", func(c *Config) { c.ClientID = "a" }, []string{"legacy API token", "Entra application"}},
		{"no credentials", func(c *Config) { c.APIToken = "" }, []string{"no credentials"}},
		{"incomplete client secret", func(c *Config) { c.APIToken, c.ClientID = "", "a" }, []string{"tenant ID and client secret are missing"}},
		{"tenant with a slash", func(c *Config) { c.APIToken, c.TenantID, c.ClientID, c.ClientSecret = "", "a/b", "a", "s" }, []string{"tenant ID"}},
		{"http to a remote host", func(c *Config) { c.PortalURL = "http://contoso.portal.cloudappsecurity.com" }, []string{"plain http", "loopback"}},
		{"relative URL", func(c *Config) { c.PortalURL = "contoso.portal.cloudappsecurity.com" }, []string{"not an absolute URL"}},
		{"empty URL", func(c *Config) { c.PortalURL = "" }, []string{"portal URL is empty"}},
		{"ftp", func(c *Config) { c.PortalURL = "ftp://x" }, []string{"scheme"}},
		{"query", func(c *Config) { c.PortalURL += "?tenant=1" }, []string{"query or fragment"}},
		{"fragment", func(c *Config) { c.PortalURL += "#x" }, []string{"query or fragment"}},
		{"user info", func(c *Config) { c.PortalURL = "https://user:pw@x.portal.cloudappsecurity.com" }, []string{"user info"}},
		{"http authority", func(c *Config) { c.AuthorityURL = "http://login.example.com" }, []string{"authority URL", "plain http"}},
		{"negative rpm", func(c *Config) { c.RequestsPerMinute = -1 }, []string{"requests per minute"}},
		{"negative retries", func(c *Config) { c.MaxRetries = -1 }, []string{"max retries"}},
		{"absurd retries", func(c *Config) { c.MaxRetries = 1000 }, []string{"max retries"}},
		{"negative timeout", func(c *Config) { c.RequestTimeout = -time.Second }, []string{"timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.mutate(&cfg)
			_, err := New(cfg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("the error repeats the URL's password: %q", err)
			}
		})
	}
}

func TestNew_defaults(t *testing.T) {
	c, err := New(Config{PortalURL: "https://contoso.portal.cloudappsecurity.com/api", APIToken: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "apiURL", c.apiURL, "https://contoso.portal.cloudappsecurity.com/api")
	mustEqual(t, "requests per minute", c.limiter.n, DefaultRequestsPerMinute)
	mustEqual(t, "read timeout", c.attemptTimeout(operation{class: classList}), DefaultReadTimeout)
	mustEqual(t, "write timeout", c.attemptTimeout(operation{class: classIdempotentWrite}), DefaultRequestTimeout)
	mustEqual(t, "max retries", c.maxRetries, 0)
	mustEqual(t, "user agent", c.userAgent, DefaultUserAgent)
	if c.limiter.file != nil {
		t.Error("a window file without WindowStateDir")
	}
	if c.http.CheckRedirect == nil {
		t.Error("redirects are followed")
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "localhost": true, "LocalHost": true, "mock.localhost": true,
		"10.0.0.1": false, "169.254.169.254": false, "localhost.example.com": false, "contoso.us2.portal.cloudappsecurity.com": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
