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
	// DefaultRequestTimeout bounds one attempt of a write (and a token fetch) when no
	// request timeout is configured: a slow answer to a write is better waited for than
	// turned into an ambiguous outcome.
	DefaultRequestTimeout = 60 * time.Second
	// DefaultReadTimeout bounds one attempt of a read or a listing when no request
	// timeout is configured. MDA answers reads in about a second; a portal silent for
	// this long is down or black-holed, and three such attempts (see maxNoAnswerRetries)
	// fail a plan in about a minute.
	DefaultReadTimeout = 20 * time.Second
	// DefaultUserAgent is sent when Config.UserAgent is empty.
	DefaultUserAgent = "terraform-provider-mda"

	// maxMaxRetries keeps a typo (1000) from turning one failing request into an hour of waiting.
	maxMaxRetries = 100
)

// Config configures a Client. Exactly one credential kind must be set: APIToken; an Entra
// application (TenantID and ClientID) with ClientSecret, ClientCertificate or a federated
// token (OIDCToken, OIDCTokenFilePath or OIDCRequestURL); UseMSI; or UseCLI.
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

	// ClientCertificate is a PKCS#12 archive (binary or base64) or PEM text with the
	// application's certificate and RSA private key; the key signs a client assertion
	// (a JWT naming the certificate by its x5t thumbprint) instead of sending a secret.
	// ClientCertificatePassword opens a password-protected PKCS#12 archive.
	ClientCertificate         []byte
	ClientCertificatePassword string

	// A federated token (workload identity federation) proves the application's identity
	// as a client assertion; see auth_oidc.go. One source: OIDCToken as is;
	// OIDCTokenFilePath, read again on every token fetch; or OIDCRequestURL with
	// OIDCRequestToken, the GitHub Actions ID-token endpoint, or the Azure DevOps one when
	// ADOServiceConnectionID is set.
	OIDCToken              string
	OIDCTokenFilePath      string
	OIDCRequestURL         string
	OIDCRequestToken       string
	ADOServiceConnectionID string

	// UseMSI signs in as the managed identity of the Azure resource the client runs on;
	// ClientID, when set, picks a user-assigned identity. MSIEndpoint is the token
	// endpoint ("" means DefaultMSIEndpoint, the instance metadata service); with
	// MSIIdentityHeader set, it is App Service's IDENTITY_ENDPOINT and the header is sent
	// as X-IDENTITY-HEADER.
	UseMSI            bool
	MSIEndpoint       string
	MSIIdentityHeader string

	// UseCLI takes tokens from the Azure CLI's signed-in account (az account
	// get-access-token); TenantID, when set, is passed as --tenant.
	UseCLI bool

	// Environment is the Microsoft cloud: "public" (the default), "usgovernment" or
	// "china". It picks the login host and the federated token audience, and the portal
	// URL must belong to it.
	Environment string

	// AuthorityURL is the Entra login host; "" means the Environment's. The token URL is
	// AuthorityURL + "/" + TenantID + "/oauth2/v2.0/token".
	AuthorityURL string

	// GraphURL is the Microsoft Graph host that serves discovered apps (graph.go); ""
	// means DefaultGraphURL. Plain http:// is accepted only for loopback hosts (the mock).
	GraphURL string

	// RequestsPerMinute is the limiter's budget; 0 means DefaultRequestsPerMinute.
	RequestsPerMinute int
	// MaxRetries is how many times a failed request is tried again after the first
	// attempt; 0 means never.
	MaxRetries int
	// RequestTimeout bounds each attempt of every request; 0 means DefaultReadTimeout for
	// reads and listings and DefaultRequestTimeout for writes and token fetches.
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
// A kind counts when its own setting is present; a tenant or client ID alone counts as an
// incomplete client secret, since it has no use without a credential.
func (c *Config) credentialKinds() []string {
	var kinds []string
	if c.APIToken != "" {
		kinds = append(kinds, "a legacy API token")
	}
	entra := len(kinds)
	if c.ClientSecret != "" {
		kinds = append(kinds, "an Entra application with a client secret (tenant ID, client ID, client secret)")
	}
	if len(c.ClientCertificate) > 0 {
		kinds = append(kinds, "an Entra application with a client certificate")
	}
	if c.federated() {
		kinds = append(kinds, "an Entra application with a federated (OIDC) token")
	}
	if c.UseMSI {
		kinds = append(kinds, "a managed identity")
	}
	if c.UseCLI {
		kinds = append(kinds, "the Azure CLI")
	}
	if len(kinds) == entra && (c.TenantID != "" || c.ClientID != "") {
		kinds = append(kinds, "an Entra application with a client secret (tenant ID, client ID, client secret)")
	}
	return kinds
}

func (c *Config) validate() error {
	var errs []error
	if err := checkBaseURL("portal URL", c.PortalURL); err != nil {
		errs = append(errs, err)
	}

	cloud, ok := LookupCloud(c.Environment)
	if !ok {
		errs = append(errs, fmt.Errorf("the environment %q is not a Microsoft cloud: use one of %s", c.Environment, strings.Join(CloudNames(), ", ")))
	} else if err := cloud.CheckPortalURL(c.PortalURL); err != nil {
		errs = append(errs, err)
	}

	switch kinds := c.credentialKinds(); len(kinds) {
	case 0:
		errs = append(errs, errors.New("no credentials are configured: set a legacy API token; an Entra application's tenant ID and client ID "+
			"with a client secret, a client certificate or a federated token; a managed identity; or the Azure CLI"))
	case 1:
		errs = append(errs, c.validateCredential()...)
	default:
		errs = append(errs, fmt.Errorf("%s are both configured: configure exactly one credential kind", strings.Join(kinds, " and ")))
	}

	if c.AuthorityURL != "" {
		if err := checkBaseURL("authority URL", c.AuthorityURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.GraphURL != "" {
		if err := checkBaseURL("Graph URL", c.GraphURL); err != nil {
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
		errs = append(errs, fmt.Errorf("the request timeout must be positive (0 means the defaults, %s for reads and %s for writes), not %s", DefaultReadTimeout, DefaultRequestTimeout, c.RequestTimeout))
	}
	return errors.Join(errs...)
}

// validateCredential checks the one credential kind configured.
func (c *Config) validateCredential() []error {
	var errs []error
	// The tenant ID becomes a path segment of the token URL, or an az argument.
	if c.TenantID != "" && strings.ContainsAny(c.TenantID, "/?#% \t\r\n") {
		errs = append(errs, fmt.Errorf("the tenant ID %q is not a tenant GUID or domain name", c.TenantID))
	}
	switch {
	case c.APIToken != "":
	case c.UseMSI:
		if c.TenantID != "" {
			errs = append(errs, errors.New("a managed identity belongs to the tenant of the resource it runs on: leave the tenant ID unset"))
		}
		if c.MSIEndpoint != "" {
			if err := checkMSIEndpoint(c.MSIEndpoint); err != nil {
				errs = append(errs, err)
			}
		}
	case c.UseCLI:
		if c.ClientID != "" {
			errs = append(errs, errors.New("the Azure CLI signs in as its own logged-in account: leave the client ID unset"))
		}
	default:
		errs = append(errs, c.validateApplication()...)
	}
	return errs
}

// validateApplication checks an Entra application's IDs and its one way of proving them.
func (c *Config) validateApplication() []error {
	var errs []error
	var missing []string
	if c.TenantID == "" {
		missing = append(missing, "tenant ID")
	}
	if c.ClientID == "" {
		missing = append(missing, "client ID")
	}
	if c.ClientSecret == "" && len(c.ClientCertificate) == 0 && !c.federated() {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("the Entra application credentials are incomplete: the %s %s missing", strings.Join(missing, " and "), pluralIs(len(missing))))
	}
	switch {
	case len(c.ClientCertificate) > 0:
		if err := CheckClientCertificate(c.ClientCertificate, c.ClientCertificatePassword); err != nil {
			errs = append(errs, err)
		}
	case c.federated():
		errs = append(errs, c.validateFederated()...)
	}
	return errs
}

func (c *Config) validateFederated() []error {
	var errs []error
	sources := 0
	for _, set := range []bool{c.OIDCToken != "", c.OIDCTokenFilePath != "", c.OIDCRequestURL != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		errs = append(errs, errors.New("more than one federated token source is set (token, token file, request URL): set exactly one"))
	}
	if c.OIDCRequestURL != "" && c.OIDCToken == "" && c.OIDCTokenFilePath == "" {
		if err := checkBaseURL("OIDC request URL", strings.SplitN(c.OIDCRequestURL, "?", 2)[0]); err != nil {
			errs = append(errs, err)
		}
		if c.OIDCRequestToken == "" {
			errs = append(errs, errors.New("the OIDC request URL is set but its request token is not (ACTIONS_ID_TOKEN_REQUEST_TOKEN on GitHub, SYSTEM_ACCESSTOKEN on Azure DevOps)"))
		}
	}
	return errs
}

// checkMSIEndpoint accepts https, or http to a loopback host (App Service, Arc, the mock)
// or to a link-local one (the instance metadata service).
func checkMSIEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("the managed identity endpoint %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		ip := net.ParseIP(u.Hostname())
		if !IsLoopback(u.Hostname()) && (ip == nil || !ip.IsLinkLocalUnicast()) {
			return fmt.Errorf("the managed identity endpoint %q uses plain http to a host that is neither loopback nor link-local (169.254.169.254): use https", raw)
		}
	default:
		return fmt.Errorf("the managed identity endpoint %q has the scheme %q: it must be http or https", raw, u.Scheme)
	}
	if u.User != nil || u.Fragment != "" {
		return fmt.Errorf("the managed identity endpoint %q must not contain user info or a fragment", raw)
	}
	return nil
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
		if !IsLoopback(u.Hostname()) {
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

// IsLoopback reports whether host is a loopback name or address, the only hosts that plain
// http:// may reach (the mock, a local endpoint): the one rule for the client and the
// provider's plan-time checks.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
