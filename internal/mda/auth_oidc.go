package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Workload identity federation: the application proves who it is with a short-lived
// token from a trusted external issuer (GitHub Actions, Azure DevOps, HCP Terraform,
// Kubernetes), sent as a client assertion. The token comes, in order of precedence:
//
//   - given as is (Config.OIDCToken);
//   - from a file (Config.OIDCTokenFilePath), read again on every fetch because
//     Kubernetes and HCP Terraform rotate it in place;
//   - from the CI system's token endpoint (Config.OIDCRequestURL and OIDCRequestToken):
//     GitHub Actions' ID-token endpoint, or Azure DevOps' oidctoken endpoint when
//     Config.ADOServiceConnectionID is set. A fresh one is asked for on every fetch, as
//     those tokens live for minutes.

// maxFederatedToken caps what is read from a token file or endpoint: real tokens are a
// few kilobytes.
const maxFederatedToken = 64 << 10

// federatedSource gets the federated token to exchange.
type federatedSource struct {
	method string // for errors: "a federated token from GitHub Actions"
	kind   SignInKind
	token  func(ctx context.Context) (string, error)
}

func (c *Config) federated() bool {
	return c.OIDCToken != "" || c.OIDCTokenFilePath != "" || c.OIDCRequestURL != ""
}

func newFederatedTokenSource(cfg *Config, hc *http.Client, audience string) federatedSource {
	switch {
	case cfg.OIDCToken != "":
		tok := strings.TrimSpace(cfg.OIDCToken)
		return federatedSource{method: "a federated token", kind: SignInFederatedToken, token: func(context.Context) (string, error) { return tok, nil }}
	case cfg.OIDCTokenFilePath != "":
		path := cfg.OIDCTokenFilePath
		return federatedSource{
			method: "a federated token read from " + path,
			kind:   SignInFederatedToken,
			token:  func(context.Context) (string, error) { return readTokenFile(path) },
		}
	case cfg.ADOServiceConnectionID != "":
		r := &oidcRequest{
			hc: hc, method: http.MethodPost, url: cfg.OIDCRequestURL, bearer: cfg.OIDCRequestToken,
			query: url.Values{"api-version": {"7.1"}, "serviceConnectionId": {cfg.ADOServiceConnectionID}},
			field: "oidcToken", endpoint: "the Azure DevOps OIDC token endpoint (SYSTEM_OIDCREQUESTURI)",
		}
		return federatedSource{method: "a federated token from Azure DevOps (service connection " + cfg.ADOServiceConnectionID + ")", kind: SignInPipeline, token: r.fetch}
	default:
		r := &oidcRequest{
			hc: hc, method: http.MethodGet, url: cfg.OIDCRequestURL, bearer: cfg.OIDCRequestToken,
			query: url.Values{"audience": {audience}},
			field: "value", endpoint: "the GitHub Actions ID-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)",
		}
		return federatedSource{method: "a federated token from GitHub Actions", kind: SignInPipeline, token: r.fetch}
	}
}

func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &TokenError{Err: fmt.Errorf("reading the federated token file: %w", err), final: true}
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxFederatedToken))
	if err != nil {
		return "", &TokenError{Err: fmt.Errorf("reading the federated token file %s: %w", path, err), final: true}
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", &TokenError{Err: fmt.Errorf("the federated token file %s is empty", path), final: true}
	}
	return tok, nil
}

// oidcRequest asks a CI system's token endpoint for a federated token.
type oidcRequest struct {
	hc       *http.Client
	method   string
	url      string // as the CI system gives it; GitHub's already has a query
	bearer   string // the CI system's request token
	query    url.Values
	field    string // the response's field holding the token
	endpoint string // for errors
}

func (r *oidcRequest) fetch(ctx context.Context) (string, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return "", &TokenError{Err: fmt.Errorf("%s is not a URL: %w", r.endpoint, err), final: true}
	}
	q := u.Query()
	for k, v := range r.query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
	if err != nil {
		return "", &TokenError{Err: err, final: true}
	}
	req.Header.Set("Authorization", "Bearer "+r.bearer)
	req.Header.Set("Accept", "application/json")
	if r.method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		// Without it Azure DevOps answers a bad token with a redirect to its sign-in page.
		req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		// A *url.Error never holds the bearer, but a proxy's error might echo headers.
		return "", &TokenError{Err: fmt.Errorf("asking %s for a federated token: %w", r.endpoint, redactErr(err, r.bearer))}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFederatedToken))
	if err != nil {
		return "", &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("reading the answer of %s: %w", r.endpoint, err)}
	}
	if resp.StatusCode != http.StatusOK {
		msg, _, _ := parseErrorBody(resp.Header.Get("Content-Type"), body)
		return "", &TokenError{
			StatusCode:  resp.StatusCode,
			Description: fmt.Sprintf("%s refused to issue a federated token: %s", r.endpoint, redactAll(msg, []string{r.bearer})),
		}
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		return "", &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("%s answered with a body that is not JSON", r.endpoint), final: true}
	}
	tok, _ := out[r.field].(string)
	if tok == "" {
		return "", &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("%s answered without a %q token", r.endpoint, r.field), final: true}
	}
	return tok, nil
}
