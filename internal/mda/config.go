package mda

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// DefaultAuthorityURL is the Entra ID login host of the public cloud.
	DefaultAuthorityURL = "https://login.microsoftonline.com"
	// DefaultRequestsPerMinute is MDA's documented budget: 30 requests per minute per tenant.
	DefaultRequestsPerMinute = 30
	// DefaultRequestTimeout bounds one attempt of one request.
	DefaultRequestTimeout = 60 * time.Second
	// DefaultUserAgent is sent when Config.UserAgent is empty.
	DefaultUserAgent = "terraform-provider-mda"

	// maxMaxRetries keeps a typo (1000) from turning one failing request into an hour of waiting.
	maxMaxRetries = 100
)

// Config configures a Client. Exactly one credential kind must be set: APIToken, or the
// Entra application triple TenantID, ClientID and ClientSecret.
type Config struct {
	// PortalURL is the tenant's portal, https://<tenant>.<region>.portal.cloudappsecurity.com.
	// The client appends "/api"; the "API url" the portal shows, which already ends in
	// /api, is accepted too. Plain http:// is accepted only for loopback hosts (the mock).
	PortalURL string

	// APIToken is a legacy API token, sent as "Authorization: Token <key>".
	APIToken string

	// TenantID, ClientID and ClientSecret identify an Entra application that signs in with
	// the client-credentials grant and sends "Authorization: Bearer <jwt>".
	TenantID     string
	ClientID     string
	ClientSecret string

	// AuthorityURL is the Entra login host; "" means DefaultAuthorityURL. The token URL is
	// AuthorityURL + "/" + TenantID + "/oauth2/v2.0/token".
	AuthorityURL string

	// RequestsPerMinute is the limiter's budget; 0 means DefaultRequestsPerMinute.
	RequestsPerMinute int
	// MaxRetries is how many times a failed request is tried again after the first
	// attempt; 0 means never.
	MaxRetries int
	// RequestTimeout bounds each attempt; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration

	// HTTPClient sends the requests; nil means a client with a clone of
	// http.DefaultTransport. The client never follows redirects, whatever this client's
	// CheckRedirect says: a redirected POST arrives as a GET.
	HTTPClient *http.Client
	// Logger receives the client's log entries; nil discards them.
	Logger Logger
	// Clock is the source of time; nil means the real clock.
	Clock Clock
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string

	// WindowStateDir holds a small file per portal in which the limiter records recent
	// requests, so that the next process (Terraform starts one for plan and another for
	// apply) knows how much of the window is already spent. "" keeps the window in memory.
	WindowStateDir string
}

// credentialKinds names the credential kinds that c configures, in words a user knows.
// New credential kinds (certificate, OIDC, managed identity) add a line here.
func (c *Config) credentialKinds() []string {
	var kinds []string
	if c.APIToken != "" {
		kinds = append(kinds, "a legacy API token")
	}
	if c.TenantID != "" || c.ClientID != "" || c.ClientSecret != "" {
		kinds = append(kinds, "an Entra application with a client secret (tenant ID, client ID, client secret)")
	}
	return kinds
}

func (c *Config) validate() error {
	var errs []error
	if err := checkBaseURL("portal URL", c.PortalURL); err != nil {
		errs = append(errs, err)
	}

	switch kinds := c.credentialKinds(); len(kinds) {
	case 0:
		errs = append(errs, errors.New("no credentials are configured: set either a legacy API token, or an Entra application's tenant ID, client ID and client secret"))
	case 1:
		if c.APIToken == "" {
			errs = append(errs, c.validateClientSecret()...)
		}
	default:
		errs = append(errs, fmt.Errorf("%s are both configured: configure exactly one credential kind", strings.Join(kinds, " and ")))
	}

	if c.AuthorityURL != "" {
		if err := checkBaseURL("authority URL", c.AuthorityURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RequestsPerMinute < 0 {
		errs = append(errs, fmt.Errorf("requests per minute must be positive (0 means the default, %d), not %d", DefaultRequestsPerMinute, c.RequestsPerMinute))
	}
	if c.MaxRetries < 0 || c.MaxRetries > maxMaxRetries {
		errs = append(errs, fmt.Errorf("max retries must be between 0 and %d, not %d", maxMaxRetries, c.MaxRetries))
	}
	if c.RequestTimeout < 0 {
		errs = append(errs, fmt.Errorf("the request timeout must be positive (0 means the default, %s), not %s", DefaultRequestTimeout, c.RequestTimeout))
	}
	return errors.Join(errs...)
}

func (c *Config) validateClientSecret() []error {
	var errs []error
	var missing []string
	if c.TenantID == "" {
		missing = append(missing, "tenant ID")
	}
	if c.ClientID == "" {
		missing = append(missing, "client ID")
	}
	if c.ClientSecret == "" {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("the Entra application credentials are incomplete: the %s %s missing", strings.Join(missing, " and "), pluralIs(len(missing))))
	}
	// The tenant ID becomes a path segment of the token URL.
	if c.TenantID != "" && strings.ContainsAny(c.TenantID, "/?#% \t\r\n") {
		errs = append(errs, fmt.Errorf("the tenant ID %q is not a tenant GUID or domain name", c.TenantID))
	}
	return errs
}

func pluralIs(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// checkBaseURL accepts an absolute https URL, or http for a loopback host, with no
// query, fragment or user info. what names the URL in errors.
func checkBaseURL(what, raw string) error {
	if raw == "" {
		return fmt.Errorf("the %s is empty: set it to the https:// address", what)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the %s %q is not a URL: %w", what, raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("the %s %q is not an absolute URL: it must start with https://", what, raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("the %s %q uses plain http: only https is allowed, except for loopback hosts such as 127.0.0.1 or localhost", what, raw)
		}
	default:
		return fmt.Errorf("the %s %q has the scheme %q: it must be https", what, raw, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("the %s must not contain user info; credentials go in their own settings", what)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("the %s %q must not have a query or fragment", what, raw)
	}
	return nil
}

// apiBaseURL is the portal URL with "/api" appended once, without a trailing slash.
func apiBaseURL(portalURL string) string {
	return strings.TrimSuffix(strings.TrimRight(portalURL, "/"), "/api") + "/api"
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
