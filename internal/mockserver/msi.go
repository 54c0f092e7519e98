package mockserver

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Managed identity: the endpoints an Azure resource asks for a token of its own identity.
//
//   - IMDS (VMs, scale sets, AKS nodes): GET http://169.254.169.254/metadata/identity/oauth2/token
//     ?api-version=2018-02-01&resource=<resource>[&client_id=<user-assigned id>] with
//     "Metadata: true". Served at GET /metadata/identity/oauth2/token.
//   - App Service and Functions (2019-08-01): GET $IDENTITY_ENDPOINT?api-version=2019-08-01
//     &resource=<resource>[&client_id=...] with "X-IDENTITY-HEADER: $IDENTITY_HEADER".
//     Served at GET /msi/token.
//
// Both answer numbers as strings, as the real endpoints do. The error bodies follow the
// documented IMDS errors; the App Service ones are [U].

// ManagedIdentity is an identity the managed-identity endpoints can issue tokens for.
type ManagedIdentity struct {
	// ClientID is the identity's application id: the token's appid, and what a request
	// names in client_id to pick a user-assigned identity.
	ClientID string
	// System marks the system-assigned identity, the one used when a request names none.
	System bool
	Roles  []string
	// GraphRoles become the roles of the identity's Microsoft Graph tokens (resource
	// https://graph.microsoft.com), e.g. "CloudApp-Discovery.Read.All" (graph.go).
	GraphRoles []string
}

const (
	imdsPath       = "/metadata/identity/oauth2/token"
	appServicePath = "/msi/token"
)

func (s *Server) serveIMDS(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Metadata") != "true" {
		s.refuseMSI(w, r, http.StatusBadRequest, "invalid_request", "Required metadata header not specified")
		return
	}
	s.serveManagedIdentity(w, r, false)
}

func (s *Server) serveAppServiceIdentity(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("X-IDENTITY-HEADER")
	if s.opts.IdentityHeader == "" || subtle.ConstantTimeCompare([]byte(h), []byte(s.opts.IdentityHeader)) != 1 {
		s.refuseMSI(w, r, http.StatusUnauthorized, "invalid_request", "The X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER.")
		return
	}
	s.serveManagedIdentity(w, r, true)
}

func (s *Server) serveManagedIdentity(w http.ResponseWriter, r *http.Request, appService bool) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.refuseMSI(w, r, http.StatusMethodNotAllowed, "invalid_request", "Only GET is supported.")
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		s.refuseMSI(w, r, http.StatusBadRequest, "invalid_request", "Required query variable 'api-version' is missing")
		return
	}
	resource := strings.TrimSuffix(q.Get("resource"), "/.default")
	graph := isGraphResource(resource)
	switch {
	case graph, resource == mdaAppID, resource == "api://"+mdaAppID:
	case resource == "":
		s.refuseMSI(w, r, http.StatusBadRequest, "invalid_request", "Required query variable 'resource' is missing")
		return
	default:
		s.refuseMSI(w, r, http.StatusBadRequest, "invalid_resource", fmt.Sprintf(
			"AADSTS500011: The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
			resource, s.tenant))
		return
	}
	mi, msg := s.pickIdentity(q.Get("client_id"))
	if msg != "" {
		s.refuseMSI(w, r, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	now := s.now()
	var tok string
	if graph {
		tok = s.issueToken(graphAudience, mi.ClientID, mi.GraphRoles, now)
	} else {
		tok = s.issueAccessToken(ClientCredential{ID: mi.ClientID, Roles: mi.Roles}, now)
	}
	s.recordSignIn(SignIn{Time: now, ClientID: mi.ClientID, Method: SignInManagedIdentity, AccessToken: tok})
	secs := int64(s.opts.TokenLifetime.Seconds())
	body := map[string]any{
		"access_token": tok,
		"client_id":    mi.ClientID,
		"expires_on":   strconv.FormatInt(now.Unix()+secs, 10),
		"resource":     q.Get("resource"),
		"token_type":   "Bearer",
	}
	if !appService {
		body["expires_in"] = strconv.FormatInt(secs, 10)
		body["ext_expires_in"] = strconv.FormatInt(secs, 10)
		body["not_before"] = strconv.FormatInt(now.Unix(), 10)
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, body)
}

// pickIdentity finds the identity a request names, or the one IMDS would pick without a
// name: the system-assigned one, else the only user-assigned one.
func (s *Server) pickIdentity(clientID string) (ManagedIdentity, string) {
	ids := s.opts.ManagedIdentities
	if clientID != "" {
		for _, mi := range ids {
			if strings.EqualFold(mi.ClientID, clientID) {
				return mi, ""
			}
		}
		return ManagedIdentity{}, "Identity not found"
	}
	for _, mi := range ids {
		if mi.System {
			return mi, ""
		}
	}
	switch len(ids) {
	case 0:
		return ManagedIdentity{}, "Identity not found"
	case 1:
		return ids[0], ""
	}
	return ManagedIdentity{}, "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
}

func (s *Server) refuseMSI(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	s.recordSignIn(SignIn{Time: s.now(), ClientID: r.URL.Query().Get("client_id"), Method: SignInManagedIdentity, Error: msg})
	writeJSON(w, status, map[string]any{"error": code, "error_description": msg})
}
