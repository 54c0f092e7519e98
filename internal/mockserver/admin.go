package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The admin API under /_mock/: no auth, never counted, never throttled, never faulted.
// It is for people and scripts driving a standalone mock (cmd/mda-mock); Go tests use the
// methods directly.

const adminHelp = `mda-mock admin API (no auth, never counted or throttled)

GET    /_mock/stats                  request counts by route
POST   /_mock/reset                  zero the counters
POST   /_mock/reset?data=1           also restore seeded data, clear faults, empty the throttle window
GET    /_mock/faults                 queued faults
POST   /_mock/faults                 queue a fault: {"match":"POST /api/v1/subnet/create_rule/","status":503,"count":1,
                                     "delay_ms":0,"drop":false,"body":"","after":false,"fraction":0,"headers":{}}
DELETE /_mock/faults                 clear faults
GET    /_mock/subnets                every IP range, with builtIn
POST   /_mock/subnets/seed?n=N&prefix=P  add N custom ranges
GET    /_mock/alerts                 every alert, newest first (reopen or mark unread through the API itself)
DELETE /_mock/alerts/{id}            delete an alert, as MDA does when it expires one

Identity endpoints (counted like the token endpoint, never throttled):

GET    /_mock/oidc/token?audience=A  GitHub-like OIDC token for the run whose request token is the bearer
POST   /_mock/oidc/ado?api-version=7.1&serviceConnectionId=C  Azure DevOps-like OIDC token (bearer: SYSTEM_ACCESSTOKEN)
GET    /metadata/identity/oauth2/token?api-version=...&resource=...  managed identity, IMDS form (Metadata: true)
GET    /msi/token?api-version=2019-08-01&resource=...  managed identity, App Service form (X-IDENTITY-HEADER)
`

// The OIDC issuer under /_mock/oidc/ is not admin: it stands in for GitHub and Azure DevOps,
// so it is counted and can be faulted like the token endpoint.
func isAdminPath(p string) bool {
	return (p == "/_mock" || strings.HasPrefix(p, "/_mock/")) && !isIdentityPath(p)
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/_mock" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(adminHelp))
	case path == "/_mock/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Stats())
	case path == "/_mock/reset" && r.Method == http.MethodPost:
		reseed := r.URL.Query().Get("data")
		s.Reset(reseed != "" && reseed != "0" && reseed != "false")
		writeJSON(w, http.StatusOK, s.Stats())
	case path == "/_mock/faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Faults())
	case path == "/_mock/faults" && r.Method == http.MethodPost:
		var f Fault
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeDetail(w, http.StatusBadRequest, "invalid fault: "+err.Error())
			return
		}
		if msg := validateFault(f); msg != "" {
			writeDetail(w, http.StatusBadRequest, msg)
			return
		}
		s.AddFault(f)
		writeJSON(w, http.StatusOK, s.Faults())
	case path == "/_mock/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		writeJSON(w, http.StatusOK, []Fault{})
	case path == "/_mock/subnets" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Subnets())
	case path == "/_mock/subnets/seed" && r.Method == http.MethodPost:
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 || n > 100000 {
			writeDetail(w, http.StatusBadRequest, "n must be a number from 0 to 100000")
			return
		}
		writeJSON(w, http.StatusOK, s.SeedSubnets(n, r.URL.Query().Get("prefix")))
	case path == "/_mock/alerts" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Alerts())
	case strings.HasPrefix(path, "/_mock/alerts/") && r.Method == http.MethodDelete:
		if !s.DeleteAlert(strings.TrimPrefix(path, "/_mock/alerts/")) {
			writeDetail(w, http.StatusNotFound, "no such alert")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeDetail(w, http.StatusNotFound, "unknown admin route; GET /_mock/ lists them")
	}
}

// validateFault refuses a fault that could never do anything, which is always a typo.
func validateFault(f Fault) string {
	switch {
	case strings.TrimSpace(f.Match) == "":
		return `fault needs "match", e.g. "POST /api/v1/subnet/create_rule/"`
	case f.Status == 0 && !f.Drop && f.DelayMS <= 0:
		return `fault needs "status", "drop" or "delay_ms"`
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Sprintf("status %d is not an HTTP status", f.Status)
	case f.Fraction < 0 || f.Fraction > 1:
		return "fraction must be between 0 and 1"
	}
	return ""
}
