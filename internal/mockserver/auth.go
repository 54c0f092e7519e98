package mockserver

import (
	"net/http"
	"slices"
	"strings"
)

// permission is what a route needs: any one of anyOf (lower case), and the names the 403
// body reports, in the docs' spelling.
type permission struct {
	anyOf    []string
	required []string
}

// Scopes from the docs' "Supported permission scopes" table (mda-api.md 1.2).
var (
	permSubnetRead = permission{
		anyOf:    []string{"investigation.read", "investigation.manage", "settings.read", "settings.manage"},
		required: []string{"Settings.read", "Investigation.read"},
	}
	permSubnetWrite = permission{
		anyOf:    []string{"investigation.manage", "settings.manage"},
		required: []string{"Settings.manage", "Investigation.manage"},
	}
	// Cloud Discovery: listing reports and categories needs Discovery.read, block scripts
	// and log uploads Discovery.manage (mda-api.md §7).
	permDiscoveryRead = permission{
		anyOf:    []string{"discovery.read", "discovery.manage"},
		required: []string{"Discovery.read"},
	}
	permDiscoveryWrite = permission{
		anyOf:    []string{"discovery.manage"},
		required: []string{"Discovery.manage"},
	}
)

// principal is who made a request.
type principal struct {
	legacy bool     // a legacy API token: the issuing user's privileges, modelled as all
	appID  string   // Bearer: the Entra application
	roles  []string // Bearer: the roles claim, lower-cased
}

// allowed compares roles case-insensitively: the docs write Investigation.read, GUID maps
// write investigation.read, and which the roles claim carries is unknown ([I]).
func (p principal) allowed(perm permission) bool {
	if p.legacy {
		return true
	}
	return slices.ContainsFunc(p.roles, func(r string) bool { return slices.Contains(perm.anyOf, r) })
}

// authFailure is a 401 with a DRF-style detail.
type authFailure struct {
	detail    string
	challenge string
}

func (f *authFailure) write(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", f.challenge)
	writeDetail(w, http.StatusUnauthorized, f.detail)
}

// authenticate reads the Authorization header. The scheme is case-insensitive and
// surrounding whitespace is ignored: third parties send "token <k>" and "Token <k> " in
// production (mda-api.md 1.2, [3P]); the key itself is case-sensitive (MCAS#45).
func (s *Server) authenticate(r *http.Request) (principal, *authFailure) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "token":
		if cred == "" {
			return principal{}, &authFailure{"Invalid token header. No credentials provided.", "Token"}
		}
		if slices.Contains(s.opts.Tokens, cred) {
			return principal{legacy: true}, nil
		}
		return principal{}, &authFailure{"Invalid token", "Token"}
	case "bearer":
		if cred == "" {
			return principal{}, &authFailure{"Invalid token header. No credentials provided.", "Bearer"}
		}
		c, detail := s.verifyAccessToken(cred)
		if detail != "" {
			return principal{}, &authFailure{detail, "Bearer"}
		}
		roles := make([]string, len(c.Roles))
		for i, r := range c.Roles {
			roles[i] = strings.ToLower(r)
		}
		return principal{appID: c.AppID, roles: roles}, nil
	default:
		// DRF ignores a scheme it does not know, so an unknown scheme reads as no credentials.
		return principal{}, &authFailure{"Authentication credentials were not provided.", "Token"}
	}
}
