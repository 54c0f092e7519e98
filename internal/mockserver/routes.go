package mockserver

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// route is one API endpoint. pattern is canonical: it starts with /api/v1, ends with a
// slash and writes a path parameter as {id}. Stats keys and fault matches use
// "<METHOD> <pattern>".
type route struct {
	method  string
	pattern string
	perm    permission
	handle  func(s *Server, w http.ResponseWriter, req *apiRequest)
}

// apiRequest is what a route handler gets once auth and throttling have passed.
type apiRequest struct {
	r    *http.Request
	body []byte
	id   string // the {id} path parameter, if the pattern has one
}

// fields decodes the body (decodeBody) for the routes that read one; a body that does not
// parse is answered with a 400 detail, and fields reports false.
func (req *apiRequest) fields(w http.ResponseWriter) (map[string]json.RawMessage, bool) {
	fields, err := decodeBody(req.r, req.body)
	if err != nil {
		writeDetail(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	return fields, true
}

// routes lists every API endpoint. New collections (alerts, activities, ...) add theirs here.
var routes = []route{
	{http.MethodGet, "/api/v1/subnet/", permSubnetRead, (*Server).listSubnets},
	{http.MethodPost, "/api/v1/subnet/", permSubnetRead, (*Server).listSubnets},
	{http.MethodPost, "/api/v1/subnet/create_rule/", permSubnetWrite, (*Server).createSubnet},
	{http.MethodPost, "/api/v1/subnet/{id}/update_rule/", permSubnetWrite, (*Server).updateSubnet},
	{http.MethodDelete, "/api/v1/subnet/{id}/", permSubnetWrite, (*Server).deleteSubnet},
	// Undocumented, but SECOPS reads a range back this way (mda-api.md 2, [3P]).
	{http.MethodGet, "/api/v1/subnet/{id}/", permSubnetRead, (*Server).getSubnet},

	{http.MethodGet, "/api/v1/alerts/", permAlertRead, (*Server).listAlerts},
	{http.MethodPost, "/api/v1/alerts/", permAlertRead, (*Server).listAlerts},
	{http.MethodGet, "/api/v1/alerts/{id}/", permAlertRead, (*Server).getAlert},
	{http.MethodPost, "/api/v1/alerts/{id}/read/", permAlertRead, markAlert(1)},
	{http.MethodPost, "/api/v1/alerts/{id}/unread/", permAlertRead, markAlert(0)},
	{http.MethodPost, "/api/v1/alerts/close_benign/", permAlertWrite, closeAlerts(closeBenign)},
	{http.MethodPost, "/api/v1/alerts/close_false_positive/", permAlertWrite, closeAlerts(closeFalsePositive)},
	{http.MethodPost, "/api/v1/alerts/close_true_positive/", permAlertWrite, closeAlerts(closeTruePositive)},
	// Undocumented; MCASPS uses it (mda-api.md 3, [3P]).
	{http.MethodPost, "/api/v1/alerts/reopen/", permAlertWrite, reopenAlerts},

	{http.MethodGet, "/api/v1/activities/", permActivityRead, (*Server).listActivities},
	{http.MethodPost, "/api/v1/activities/", permActivityRead, (*Server).listActivities},
	{http.MethodGet, "/api/v1/activities/{id}/", permActivityRead, (*Server).getActivity},

	// Files answer legacy API tokens only (files.go). Fetch is GET in the docs' HTTP line
	// and POST in their curl example, so both are served (mda-api.md §8.17).
	{http.MethodGet, "/api/v1/files/", permFileRead, (*Server).listFiles},
	{http.MethodPost, "/api/v1/files/", permFileRead, (*Server).listFiles},
	{http.MethodGet, "/api/v1/files/{id}/", permFileRead, (*Server).getFile},
	{http.MethodPost, "/api/v1/files/{id}/", permFileRead, (*Server).getFile},

	// Entities: fetch and tree are GET in the docs' HTTP lines and POST in their curl
	// examples, so both are served (mda-api.md §5).
	{http.MethodGet, "/api/v1/entities/", permEntityRead, (*Server).listEntities},
	{http.MethodPost, "/api/v1/entities/", permEntityRead, (*Server).listEntities},
	{http.MethodGet, "/api/v1/entities/{id}/", permEntityRead, (*Server).getEntity},
	{http.MethodPost, "/api/v1/entities/{id}/", permEntityRead, (*Server).getEntity},
	{http.MethodGet, "/api/v1/entities/{id}/retrieve_tree/", permEntityRead, (*Server).entityTree},
	{http.MethodPost, "/api/v1/entities/{id}/retrieve_tree/", permEntityRead, (*Server).entityTree},

	// Cloud Discovery over REST (discovery.go). Streams and block scripts have no v1 in the
	// docs' paths (mda-api.md §7.1, §7.3) and are served as written, v1 not added.
	{http.MethodGet, "/api/discovery/streams/", permDiscoveryRead, (*Server).listStreams},
	{http.MethodPost, "/api/v1/discovery/discovered_apps/categories/", permDiscoveryRead, (*Server).listCategories},
	{http.MethodGet, "/api/discovery_block_scripts/", permDiscoveryWrite, (*Server).blockScript},

	// Cloud Discovery log upload (discovery_upload.go); the PUT between the two goes to the
	// blob target (blob.go), which is not an API route.
	{http.MethodGet, "/api/v1/discovery/upload_url/", permDiscoveryWrite, (*Server).uploadURL},
	{http.MethodPost, "/api/v1/discovery/done_upload/", permDiscoveryWrite, (*Server).doneUpload},
}

// unversioned lists the collections also served without "v1": the docs' "supported
// actions" table writes /api/subnet/ and early docs used it for create_rule ([I] alias).
var unversioned = []string{"subnet"}

type requestKind int

const (
	kindNotFound requestKind = iota
	kindMethodNotAllowed
	kindAPI
	kindToken
	kindOpenIDConfig
	kindIdentity // managed identity and OIDC issuer endpoints: identity.go
	kindGraph    // Microsoft Graph beta Cloud Discovery: graph.go
	kindBlob     // the storage target of the log upload: blob.go
)

// dispatched is where a request goes, decided before faults and auth so that both the
// stats key and fault matching use the canonical route.
type dispatched struct {
	kind   requestKind
	key    string // stats key, e.g. "DELETE /api/v1/subnet/{id}/"
	route  *route
	id     string
	tenant string   // token endpoint: the tenant in the path
	allow  []string // 405: the methods the path does serve
	// identity serves kindIdentity.
	identity func(s *Server, w http.ResponseWriter, r *http.Request)
}

const (
	tokenPattern  = "/{tenant}/oauth2/v2.0/token"
	openIDPattern = "/{tenant}/v2.0/.well-known/openid-configuration"
)

func (s *Server) dispatch(r *http.Request) dispatched {
	raw := r.URL.Path
	if d, ok := dispatchIdentity(r); ok {
		return d
	}
	if d, ok := dispatchGraph(r); ok {
		return d
	}
	if d, ok := dispatchBlob(r); ok {
		return d
	}
	if tenant, ok := matchTenantPath(raw, "/oauth2/v2.0/token"); ok {
		return dispatched{kind: kindToken, key: r.Method + " " + tokenPattern, tenant: tenant}
	}
	if tenant, ok := matchTenantPath(raw, "/v2.0/.well-known/openid-configuration"); ok {
		return dispatched{kind: kindOpenIDConfig, key: r.Method + " " + openIDPattern, tenant: tenant}
	}
	path := canonicalPath(raw)
	var best []*route
	bestLiterals, id := -1, ""
	for i := range routes {
		rt := &routes[i]
		lit, param, ok := matchPattern(rt.pattern, path)
		if !ok || lit < bestLiterals {
			continue
		}
		if lit > bestLiterals {
			best, bestLiterals = nil, lit
		}
		best = append(best, rt)
		id = param
	}
	if len(best) == 0 {
		return dispatched{kind: kindNotFound, key: r.Method + " " + path}
	}
	// The most literal pattern wins, so GET /subnet/create_rule/ is a 405, not a fetch of a
	// range called "create_rule".
	var allow []string
	for _, rt := range best {
		if rt.method == r.Method {
			return dispatched{kind: kindAPI, key: rt.method + " " + rt.pattern, route: rt, id: id}
		}
		allow = append(allow, rt.method)
	}
	return dispatched{kind: kindMethodNotAllowed, key: r.Method + " " + best[0].pattern, allow: allow}
}

// canonicalPath maps the aliases onto one spelling: /cas/api -> /api, /api/subnet ->
// /api/v1/subnet, and a trailing slash always (mda-api.md 1.1 and 8.10 say clients use
// all of these).
func canonicalPath(p string) string {
	if p == "/cas/api" || strings.HasPrefix(p, "/cas/api/") {
		p = p[len("/cas"):]
	}
	for _, c := range unversioned {
		if p == "/api/"+c || strings.HasPrefix(p, "/api/"+c+"/") {
			p = "/api/v1/" + p[len("/api/"):]
		}
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// matchPattern reports whether path fits pattern, how many literal segments matched (to
// rank patterns) and the {id} value.
func matchPattern(pattern, path string) (literals int, id string, ok bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return 0, "", false
	}
	for i, seg := range ps {
		switch seg {
		case "{id}":
			if xs[i] == "" {
				return 0, "", false
			}
			id = xs[i]
		case xs[i]:
			literals++
		default:
			return 0, "", false
		}
	}
	return literals, id, true
}

// matchTenantPath matches "/<tenant><suffix>" with an optional trailing slash.
func matchTenantPath(path, suffix string) (string, bool) {
	path = strings.TrimSuffix(path, "/")
	if !strings.HasSuffix(path, suffix) {
		return "", false
	}
	tenant := strings.TrimPrefix(strings.TrimSuffix(path, suffix), "/")
	if tenant == "" || strings.Contains(tenant, "/") || slices.Contains([]string{"api", "cas", "_mock"}, tenant) {
		return "", false
	}
	return tenant, true
}
