package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Microsoft Graph beta, Cloud Discovery (graph-discovery.md): the stream list and the
// discovered apps of a stream, served beside the MDA API from the same store, so a stream
// has the same id on both surfaces. Graph is another service: its tokens have another
// audience (an MDA token is refused here and a Graph token on /api), its errors another
// shape, and its requests never spend the tenant's 30-a-minute MDA budget. Faults apply
// to it like to /api (before authentication), and Stats count it by route, the stream id
// and app id written {id} and {appId} and the function by its bare name, whichever form
// the request used:
//
//	GET /beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails/{appId}
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails/{appId}/appInfo
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails/{appId}/users
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails/{appId}/ipAddresses
//	GET .../uploadedStreams/{id}/aggregatedAppsDetails/{appId}/devices
//
// Any other path under /beta or /v1.0 counts under "<METHOD> <path>".

const (
	// graphAudience is the aud of the Graph tokens the mock issues, and the resource a
	// managed identity asks for.
	graphAudience = "https://graph.microsoft.com"
	// graphAppID is Microsoft Graph's application id, the other spelling of its audience.
	graphAppID = "00000003-0000-0000-c000-000000000000"
	// GraphDiscoveryRole is the application permission every Cloud Discovery call needs.
	GraphDiscoveryRole = "CloudApp-Discovery.Read.All"

	graphStreamsPattern = "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams"
	graphAppsPattern    = graphStreamsPattern + "/{id}/aggregatedAppsDetails"
	graphAppPattern     = graphAppsPattern + "/{appId}"

	graphAppsFunction = "aggregatedAppsDetails"
	graphNamespace    = "microsoft.graph.security."
	// graphPageSize is Graph's fixed page for these collections (graph-discovery.md 3.3).
	graphPageSize = 100
)

// isGraphResource reports whether a scope's resource, a managed identity's resource or a
// token's audience is Microsoft Graph (global service: the only cloud with this API).
func isGraphResource(resource string) bool {
	resource = strings.TrimSuffix(resource, "/")
	return strings.EqualFold(resource, graphAudience) || strings.EqualFold(resource, graphAppID)
}

// IssueGraphToken returns a Microsoft Graph access token for clientID with roles, as the
// token endpoint would issue it for the scope https://graph.microsoft.com/.default.
func (s *Server) IssueGraphToken(clientID string, roles ...string) string {
	return s.issueToken(graphAudience, clientID, roles, s.now())
}

type graphRoute int

const (
	graphRouteUnknown graphRoute = iota
	graphRouteStreams
	graphRouteApps
	graphRouteApp
	graphRouteAppInfo
	graphRouteUsers
	graphRouteIPAddresses
	graphRouteDevices
)

// graphChildren are the app's navigation properties, by their wire names.
var graphChildren = map[string]graphRoute{
	"appInfo":     graphRouteAppInfo,
	"users":       graphRouteUsers,
	"ipAddresses": graphRouteIPAddresses,
	"devices":     graphRouteDevices,
}

// graphPath is a parsed request path.
type graphPath struct {
	route    graphRoute
	streamID string
	appID    string
	// period is P7D, P30D or P90D once the function segment parsed; periodErr says why it
	// did not.
	period    string
	periodErr string
	child     string // the wire name of a child route ("users")
	unknown   string // graphRouteUnknown: the first segment Graph would not resolve
}

func (p graphPath) pattern(raw string) string {
	switch p.route {
	case graphRouteStreams:
		return graphStreamsPattern
	case graphRouteApps:
		return graphAppsPattern
	case graphRouteApp:
		return graphAppPattern
	case graphRouteAppInfo, graphRouteUsers, graphRouteIPAddresses, graphRouteDevices:
		return graphAppPattern + "/" + p.child
	}
	return raw
}

// parseGraphPath reads a path under /beta or /v1.0; ok is false for any other path.
// Segment names compare case-insensitively, as Graph resolves them.
func parseGraphPath(raw string) (graphPath, bool) {
	version, rest, _ := strings.Cut(strings.TrimPrefix(raw, "/"), "/")
	if version != "beta" && version != "v1.0" {
		return graphPath{}, false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if version != "beta" {
		// No v1.0 form exists (graph-discovery.md 1): Graph stops at the first segment.
		return graphPath{unknown: segs[0]}, true
	}
	for i, want := range []string{"security", "dataDiscovery", "cloudAppDiscovery", "uploadedStreams"} {
		if i >= len(segs) || !strings.EqualFold(segs[i], want) {
			seg := ""
			if i < len(segs) {
				seg = segs[i]
			}
			return graphPath{unknown: seg}, true
		}
	}
	p := graphPath{}
	switch {
	case len(segs) == 4:
		p.route = graphRouteStreams
		return p, true
	case len(segs) == 5:
		// The metadata's single-stream GET is not documented (graph-discovery.md 3.5).
		return graphPath{unknown: segs[4]}, true
	}
	p.streamID = segs[4]
	fn, args, ok := splitFunctionCall(segs[5])
	if !ok || (!strings.EqualFold(fn, graphAppsFunction) && !strings.EqualFold(fn, graphNamespace+graphAppsFunction)) {
		return graphPath{unknown: segs[5]}, true
	}
	p.period, p.periodErr = parsePeriodArg(args)
	switch len(segs) {
	case 6:
		p.route = graphRouteApps
	case 7:
		p.route, p.appID = graphRouteApp, segs[6]
	case 8:
		p.appID = segs[6]
		for name, rt := range graphChildren {
			if strings.EqualFold(segs[7], name) {
				p.route, p.child = rt, name
			}
		}
		if p.route == graphRouteUnknown {
			return graphPath{unknown: segs[7]}, true
		}
	default:
		return graphPath{unknown: segs[8]}, true
	}
	return p, true
}

// splitFunctionCall splits "name(args)".
func splitFunctionCall(seg string) (name, args string, ok bool) {
	name, rest, ok := strings.Cut(seg, "(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return seg, "", false
	}
	return name, strings.TrimSuffix(rest, ")"), true
}

// parsePeriodArg reads "period=duration'P30D'". The bare ISO form "period=P30D", which the
// generated SDKs would send, is accepted too ([I]: nothing says the service refuses it).
func parsePeriodArg(args string) (period, problem string) {
	name, value, ok := strings.Cut(args, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(name), "period") {
		return "", fmt.Sprintf("The function %s requires the parameter 'period', written period=duration'P30D'.", graphAppsFunction)
	}
	value = strings.TrimSpace(value)
	if len(value) > len("duration''") && strings.EqualFold(value[:len("duration'")], "duration'") && strings.HasSuffix(value, "'") {
		value = value[len("duration'") : len(value)-1]
	}
	for _, p := range []string{"P7D", "P30D", "P90D"} {
		if strings.EqualFold(value, p) {
			return p, ""
		}
	}
	return "", fmt.Sprintf("Invalid period '%s': the period must be one of duration'P7D', duration'P30D' or duration'P90D'.", value)
}

// periodDays is the number of days a valid period covers.
func periodDays(period string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(period, "P"), "D"))
	return n
}

func dispatchGraph(r *http.Request) (dispatched, bool) {
	p, ok := parseGraphPath(r.URL.Path)
	if !ok {
		return dispatched{}, false
	}
	return dispatched{kind: kindGraph, key: r.Method + " " + p.pattern(r.URL.Path)}, true
}

// graphError is an error in Graph's shape (graph-discovery.md 6).
type graphError struct {
	status        int
	code, message string
}

func (s *Server) writeGraphError(w http.ResponseWriter, r *http.Request, e graphError) {
	id := newGUID()
	client := r.Header.Get("client-request-id")
	if client == "" {
		client = id
	}
	w.Header().Set("request-id", id)
	w.Header().Set("client-request-id", client)
	writeJSON(w, e.status, map[string]any{"error": map[string]any{
		"code":    e.code,
		"message": e.message,
		"innerError": map[string]string{
			"date":              s.now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        id,
			"client-request-id": client,
		},
	}})
}

// graphAuthenticate accepts a Bearer token for Graph that carries GraphDiscoveryRole.
// Every route here needs that one role, so authorisation is checked with authentication.
func (s *Server) graphAuthenticate(w http.ResponseWriter, r *http.Request) bool {
	unauthorized := func(msg string) bool {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="`+graphAppID+`"`)
		s.writeGraphError(w, r, graphError{http.StatusUnauthorized, "InvalidAuthenticationToken", msg})
		return false
	}
	scheme, cred, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case scheme == "":
		return unauthorized("Access token is empty.")
	case !strings.EqualFold(scheme, "bearer"):
		return unauthorized(fmt.Sprintf("The authorization scheme '%s' is not supported; send a Bearer access token for %s.", scheme, graphAudience))
	case cred == "":
		return unauthorized("Access token is empty.")
	}
	c, detail := s.verifyToken(cred, isGraphResource)
	if detail != "" {
		return unauthorized("Access token validation failure: " + detail + ".")
	}
	if !slices.ContainsFunc(c.Roles, func(role string) bool { return strings.EqualFold(role, GraphDiscoveryRole) }) {
		s.writeGraphError(w, r, graphError{http.StatusForbidden, "Forbidden", fmt.Sprintf(
			"Missing role permissions on the request. API requires one of '%s'. Roles on the request '%s'.",
			GraphDiscoveryRole, strings.Join(c.Roles, ","))})
		return false
	}
	return true
}

// serveGraph answers a Graph request no fault has answered. Nothing here touches the MDA
// throttle window.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, _ dispatched) {
	if !s.graphAuthenticate(w, r) {
		return
	}
	p, _ := parseGraphPath(r.URL.Path)
	if p.route == graphRouteUnknown {
		s.writeGraphError(w, r, graphError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", p.unknown)})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.writeGraphError(w, r, graphError{http.StatusMethodNotAllowed, "BadRequest", fmt.Sprintf("The HTTP method '%s' is not allowed on this resource; it serves GET only.", r.Method)})
		return
	}
	if p.route == graphRouteStreams {
		s.serveGraphStreams(w, r)
		return
	}
	if p.periodErr != "" {
		s.writeGraphError(w, r, graphError{http.StatusBadRequest, "BadRequest", p.periodErr})
		return
	}
	s.mu.Lock()
	stream := s.store.streamByID(p.streamID)
	var ds discoveryStream
	if stream != nil {
		ds = *stream
	}
	s.mu.Unlock()
	if stream == nil {
		s.writeGraphError(w, r, graphError{http.StatusNotFound, "itemNotFound", fmt.Sprintf("No uploaded stream has the id '%s'.", p.streamID)})
		return
	}
	apps := s.discoveredApps(&ds, p.period)
	if p.route == graphRouteApps {
		s.serveGraphApps(w, r, apps)
		return
	}
	i := slices.IndexFunc(apps, func(a *graphApp) bool { return a.id == p.appID })
	if i < 0 {
		s.writeGraphError(w, r, graphError{http.StatusNotFound, "itemNotFound", fmt.Sprintf(
			"No discovered app has the id '%s' in stream '%s' for the period %s.", p.appID, p.streamID, p.period)})
		return
	}
	app := apps[i]
	switch p.route {
	case graphRouteApp:
		s.serveGraphApp(w, r, app)
	case graphRouteAppInfo:
		s.serveGraphAppInfo(w, r, app)
	case graphRouteUsers:
		s.serveGraphChildren(w, r, "discoveredCloudAppUser", "userIdentifier", s.appUsers(app))
	case graphRouteIPAddresses:
		s.serveGraphChildren(w, r, "discoveredCloudAppIPAddress", "ipAddress", s.appIPAddresses(app))
	case graphRouteDevices:
		if !ds.endpoint {
			s.writeGraphError(w, r, graphError{http.StatusNotFound, "itemNotFound",
				"Devices are only recorded for apps of a Microsoft Defender for Endpoint stream (endpointDiscoveredCloudAppDetail)."})
			return
		}
		s.serveGraphChildren(w, r, "discoveredCloudAppDevice", "name", s.appDevices(app))
	}
}

// graphBaseURL is the scheme and host the request came to: the host of every nextLink
// and @odata.context, as Graph writes absolute URLs.
func graphBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// preferEvolvable reports whether the client asked for the enum members added after
// unknownFutureValue (graph-discovery.md 4.5, 4.7).
func preferEvolvable(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "include-unknown-enum-members") {
				return true
			}
		}
	}
	return false
}

// serveGraphStreams lists the streams. The API takes no query options
// (graph-discovery.md 3), so any are ignored ([I]: whether Graph refuses them is unknown).
func (s *Server) serveGraphStreams(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	value := make([]map[string]any, 0, len(s.store.streams))
	for _, ds := range s.store.streams {
		value = append(value, graphStreamJSON(ds))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": graphBaseURL(r) + "/beta/$metadata#security/dataDiscovery/cloudAppDiscovery/uploadedStreams",
		"value":          value,
	})
}

// graphEntityTypes and graphTrafficTypes map the REST codes to Graph's words. REST's
// TOTAL (1) has no Graph word and is left out.
var (
	graphEntityTypes  = map[int]string{1: "userName", 2: "ipAddress", 3: "machineName"}
	graphTrafficTypes = map[int]string{2: "downloadedBytes", 3: "uploadedBytes"}
)

// graphStreamJSON is a stream as Graph shows it (graph-discovery.md 4.1). As in live
// data, optional fields a stream lacks are absent rather than null: the Global View has
// no provider, protocol or privacy switches.
func graphStreamJSON(ds *discoveryStream) map[string]any {
	m := map[string]any{
		"id":                    ds.id,
		"displayName":           ds.name,
		"isSnapshotReport":      ds.snapshot,
		"logFileCount":          ds.filesHistory,
		"supportedEntityTypes":  graphWords(ds.entityTypes, graphEntityTypes, "other"),
		"supportedTrafficTypes": graphWords(ds.trafficTypes, graphTrafficTypes, ""),
	}
	for _, t := range []struct {
		key string
		at  time.Time
	}{{"createdDateTime", ds.created}, {"lastModifiedDateTime", ds.lastModified}, {"lastDataReceivedDateTime", ds.lastDataReceived}} {
		if !t.at.IsZero() {
			m[t.key] = t.at.UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	if ds.logDataProvider != "" {
		m["logDataProvider"] = ds.logDataProvider
	}
	if p := graphReceiverProtocol(ds); p != "" {
		m["receiverProtocol"] = p
	}
	if ds.streamType != 3 {
		m["anonymizeUserData"] = false
		m["anonymizeMachineData"] = false
	}
	return m
}

// graphReceiverProtocol maps the REST receiver type and protocol to Graph's
// receiverProtocol enum; "" when the stream receives nothing.
func graphReceiverProtocol(ds *discoveryStream) string {
	switch ds.receiverType {
	case "syslog":
		switch ds.protocol {
		case "udp":
			return "syslogUdp"
		case "tcp":
			return "syslogTcp"
		case "tls":
			return "syslogTls"
		}
	case "ftp":
		if ds.protocol == "ftps" {
			return "ftps"
		}
		return "ftp"
	}
	return ""
}

func graphWords(codes []int, words map[int]string, other string) []string {
	out := []string{}
	for _, c := range codes {
		w, ok := words[c]
		if !ok {
			w = other
		}
		if w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
