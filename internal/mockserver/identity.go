package mockserver

import (
	"net/http"
	"strings"
)

// identityRoutes are the endpoints that hand out identities rather than serve the MDA
// API: the managed-identity endpoints (msi.go) and the OIDC issuer (oidc_issuer.go). They
// are counted in stats and can be faulted ("GET /metadata/identity/oauth2/token"), and
// are never throttled with the tenant's API budget.
var identityRoutes = []struct {
	path  string // lower case, no trailing slash
	serve func(s *Server, w http.ResponseWriter, r *http.Request)
}{
	{imdsPath, (*Server).serveIMDS},
	{appServicePath, (*Server).serveAppServiceIdentity},
	{"/_mock/oidc/token", (*Server).serveGitHubOIDC},
	{"/_mock/oidc/ado", (*Server).serveAzureDevOpsOIDC},
}

// identityRoute matches a path case-insensitively (App Service writes /MSI/token/) with
// an optional trailing slash.
func identityRoute(p string) (int, bool) {
	p = strings.ToLower(strings.TrimSuffix(p, "/"))
	for i, rt := range identityRoutes {
		if p == rt.path {
			return i, true
		}
	}
	return 0, false
}

func isIdentityPath(p string) bool {
	_, ok := identityRoute(p)
	return ok
}

func dispatchIdentity(r *http.Request) (dispatched, bool) {
	i, ok := identityRoute(r.URL.Path)
	if !ok {
		return dispatched{}, false
	}
	rt := identityRoutes[i]
	return dispatched{kind: kindIdentity, key: r.Method + " " + rt.path, identity: rt.serve}, true
}

// IssueAccessToken returns an access token for clientID with roles, as the token endpoint
// would issue it, for tests that stand in for a sign-in the mock cannot perform itself (a
// stub Azure CLI).
func (s *Server) IssueAccessToken(clientID string, roles ...string) string {
	return s.issueAccessToken(ClientCredential{ID: clientID, Roles: roles}, s.now())
}
