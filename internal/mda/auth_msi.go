package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Managed identity: an Azure resource asks a local endpoint for a token of its own
// identity, with no secret at all.
//
//   - IMDS (virtual machines, scale sets, AKS nodes, self-hosted agents on Azure): GET
//     http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01
//     &resource=<MDA app id> with "Metadata: true".
//   - App Service, Functions and Container Apps set IDENTITY_ENDPOINT and IDENTITY_HEADER:
//     GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=... with
//     "X-IDENTITY-HEADER: $IDENTITY_HEADER".
//
// Both take client_id to choose a user-assigned identity.

// DefaultMSIEndpoint is the Azure Instance Metadata Service's token endpoint.
const DefaultMSIEndpoint = "http://169.254.169.254/metadata/identity/oauth2/token"

// mdaResource is the MDA application, as the resource (v1) parameter names it.
const mdaResource = "05a65629-4c1b-48c1-a78b-804c4abdd4af"

type msiSource struct {
	hc         *http.Client
	endpoint   string
	header     string // the App Service identity header; "" for IMDS
	clientID   string
	resource   string // the v1 resource the token is for
	clock      Clock
	timeout    time.Duration
	appService bool
}

func newMSISource(cfg *Config, hc *http.Client, clock Clock, timeout time.Duration, resource string) *msiSource {
	endpoint := cfg.MSIEndpoint
	if endpoint == "" {
		endpoint = DefaultMSIEndpoint
	}
	if u, err := url.Parse(endpoint); err == nil && (u.Path == "" || u.Path == "/") {
		// A bare host (http://169.254.169.254) means the standard path.
		u.Path = "/metadata/identity/oauth2/token"
		endpoint = u.String()
	}
	// The metadata endpoint is link-local and App Service's is loopback: neither can be
	// reached through a proxy, and HTTPS_PROXY would otherwise send the request there.
	direct := *hc
	if t, ok := hc.Transport.(*http.Transport); ok {
		t = t.Clone()
		t.Proxy = nil
		direct.Transport = t
	}
	return &msiSource{
		hc:         &direct,
		endpoint:   endpoint,
		header:     cfg.MSIIdentityHeader,
		clientID:   cfg.ClientID,
		resource:   resource,
		clock:      clock,
		timeout:    timeout,
		appService: cfg.MSIIdentityHeader != "",
	}
}

func (s *msiSource) describe() string {
	if s.appService {
		return "a managed identity (App Service endpoint " + s.endpoint + ")"
	}
	return "a managed identity (IMDS endpoint " + s.endpoint + ")"
}

// msiResponse holds both forms' answers. IMDS writes its numbers as strings; App Service
// writes expires_on as Unix seconds in a string. flexInt reads either.
type msiResponse struct {
	AccessToken      string  `json:"access_token"`
	ExpiresIn        flexInt `json:"expires_in"`
	ExpiresOn        flexInt `json:"expires_on"`
	Error            string  `json:"error"`
	ErrorDescription string  `json:"error_description"`
	Message          string  `json:"message"`
}

type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	// An old App Service API wrote expires_on as a date: such a token is treated as having
	// no known expiry, and is renewed when MDA refuses it.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
	}
	return nil
}

func (s *msiSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	fail := func(te *TokenError) (*oauth2.Token, error) {
		te.ClientID, te.Method, te.Kind = s.clientID, s.describe(), SignInManagedIdentity
		return nil, te
	}
	u, err := url.Parse(s.endpoint)
	if err != nil {
		return fail(&TokenError{Err: fmt.Errorf("the managed identity endpoint is not a URL: %w", err), final: true})
	}
	q := u.Query()
	q.Set("resource", s.resource)
	if s.appService {
		q.Set("api-version", "2019-08-01")
	} else {
		q.Set("api-version", "2018-02-01")
	}
	if s.clientID != "" {
		q.Set("client_id", s.clientID)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(&TokenError{Err: err, final: true})
	}
	if s.appService {
		req.Header.Set("X-IDENTITY-HEADER", s.header)
	} else {
		req.Header.Set("Metadata", "true")
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return fail(&TokenError{Err: fmt.Errorf("no answer from the managed identity endpoint (is this running on Azure with a managed identity?): %w", err)})
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFederatedToken))
	if err != nil {
		return fail(&TokenError{StatusCode: resp.StatusCode, Err: err})
	}
	var r msiResponse
	jsonErr := json.Unmarshal(body, &r)
	if resp.StatusCode != http.StatusOK || r.AccessToken == "" {
		te := &TokenError{StatusCode: resp.StatusCode, Code: r.Error, Description: r.ErrorDescription}
		if te.Description == "" {
			te.Description = r.Message
		}
		if te.Code == "" && te.Description == "" {
			msg, _, _ := parseErrorBody(resp.Header.Get("Content-Type"), body)
			te.Description = msg
		}
		if jsonErr != nil && resp.StatusCode == http.StatusOK {
			te.Err, te.final = fmt.Errorf("the managed identity endpoint answered with a body that is not JSON"), true
		}
		return fail(te)
	}
	tok := &oauth2.Token{AccessToken: r.AccessToken, TokenType: "Bearer"}
	switch now := s.clock.Now(); {
	case r.ExpiresIn > 0:
		tok.ExpiresIn = int64(r.ExpiresIn)
	case r.ExpiresOn > 0:
		tok.ExpiresIn = max(1, int64(r.ExpiresOn)-now.Unix())
	}
	return tok, nil
}
