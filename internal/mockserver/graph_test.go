package mockserver

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	graphClient  = "88888888-8888-8888-8888-888888888888"
	graphNoRole  = "99999999-9999-9999-9999-999999999999"
	graphScope   = "https://graph.microsoft.com/.default"
	streamsPath  = "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams"
	globalViewID = "57869acdb4b3d5154f095af7"
)

func graphMock(t *testing.T, opts Options) *testMock {
	t.Helper()
	opts.Clients = append(opts.Clients,
		ClientCredential{ID: graphClient, Secret: clientSecret, Roles: []string{"Discovery.read"}, GraphRoles: []string{"cloudapp-discovery.read.ALL"}},
		ClientCredential{ID: graphNoRole, Secret: clientSecret, Roles: []string{"Settings.read"}, GraphRoles: []string{"User.Read.All"}},
	)
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = 10 * time.Minute
	}
	return newTestMock(t, opts)
}

// tokenFor asks the token endpoint for a token with a client secret.
func (m *testMock) tokenFor(id, scope string) string {
	m.t.Helper()
	r := m.mustStatus(m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {clientSecret}, "scope": {scope},
	}), 200)
	return str(r.object(m.t)["access_token"])
}

// graph sends a GET with a Graph token for graphClient (made once per mock).
func (m *testMock) graph(path string) response {
	m.t.Helper()
	return m.graphWith(path, "Bearer "+m.IssueGraphToken(graphClient, GraphDiscoveryRole), nil)
}

func (m *testMock) graphWith(path, auth string, header http.Header) response {
	m.t.Helper()
	req, err := http.NewRequestWithContext(m.t.Context(), http.MethodGet, m.http.URL+path, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return m.do(req)
}

// do sends req and reads the whole answer.
func (m *testMock) do(req *http.Request) response {
	m.t.Helper()
	resp, err := m.http.Client().Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

func claimsOf(t *testing.T, tok string) accessClaims {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c accessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// graphErr decodes a Graph error body and checks its status, code and envelope.
func graphErr(t *testing.T, r response, status int, code string) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var body struct {
		Error struct {
			Code       string            `json:"code"`
			Message    string            `json:"message"`
			InnerError map[string]string `json:"innerError"`
		} `json:"error"`
	}
	r.json(t, &body)
	if body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("error = %+v, want code %s; body %s", body.Error, code, r.body)
	}
	if body.Error.InnerError["request-id"] == "" || body.Error.InnerError["date"] == "" {
		t.Errorf("innerError lacks request-id or date: %s", r.body)
	}
	return body.Error.Message
}

type graphPage struct {
	Context  string           `json:"@odata.context"`
	NextLink string           `json:"@odata.nextLink"`
	Value    []map[string]any `json:"value"`
}

func (m *testMock) graphPage(path string) graphPage {
	m.t.Helper()
	var p graphPage
	m.mustStatus(m.graph(path), 200).json(m.t, &p)
	return p
}

// graphAll follows nextLinks verbatim and returns every item and the links followed.
func (m *testMock) graphAll(path string) ([]map[string]any, []string) {
	m.t.Helper()
	p := m.graphPage(path)
	items, links := p.Value, []string(nil)
	for p.NextLink != "" {
		if !strings.HasPrefix(p.NextLink, m.http.URL+"/beta/") {
			m.t.Fatalf("nextLink %q is not absolute on %s", p.NextLink, m.http.URL)
		}
		links = append(links, p.NextLink)
		if len(links) > 20 {
			m.t.Fatal("too many pages")
		}
		p = m.graphPage(strings.TrimPrefix(p.NextLink, m.http.URL))
		items = append(items, p.Value...)
	}
	return items, links
}

func appsPath(stream, period string) string {
	return streamsPath + "/" + stream + "/aggregatedAppsDetails(period=duration'" + period + "')"
}

func (m *testMock) streamID(name string) string {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	ds := m.store.streamByName(name)
	if ds == nil {
		m.t.Fatalf("no stream %q", name)
	}
	return ds.id
}

func TestGraphTokenAudiences(t *testing.T) {
	m := graphMock(t, Options{})
	graphTok := m.tokenFor(graphClient, graphScope)
	c := claimsOf(t, graphTok)
	if c.Aud != "https://graph.microsoft.com" || !slices.Equal(c.Roles, []string{"cloudapp-discovery.read.ALL"}) || c.AppID != graphClient {
		t.Errorf("Graph token claims = %+v", c)
	}
	mdaTok := m.tokenFor(graphClient, mdaAppID+"/.default")
	if c := claimsOf(t, mdaTok); c.Aud != mdaAppID || !slices.Equal(c.Roles, []string{"Discovery.read"}) {
		t.Errorf("MDA token claims = %+v", c)
	}
	// The scope is matched case-insensitively, like Entra does.
	if c := claimsOf(t, m.tokenFor(graphClient, "HTTPS://graph.microsoft.com/.default")); c.Aud != graphAudience {
		t.Errorf("upper-case scope: aud %q", c.Aud)
	}

	// Each token works on its own surface only.
	m.mustStatus(m.graphWith(streamsPath, "Bearer "+graphTok, nil), 200)
	msg := graphErr(t, m.graphWith(streamsPath, "Bearer "+mdaTok, nil), 401, "InvalidAuthenticationToken")
	if !strings.Contains(msg, "audience") {
		t.Errorf("401 for an MDA token says %q", msg)
	}
	m.mustStatus(m.call("GET", "/api/v1/subnet/", "Bearer "+mdaTok, nil), 403) // Discovery.read cannot read ranges
	r := m.mustStatus(m.call("GET", "/api/v1/subnet/", "Bearer "+graphTok, nil), 401)
	if d := str(r.object(t)["detail"]); d != "Invalid token audience" {
		t.Errorf("MDA API 401 for a Graph token: %q", d)
	}
}

func TestGraphTokenAssertionGrants(t *testing.T) {
	key, cert := testCert(t)
	tm := newTestMock(t, Options{
		Clients: []ClientCredential{
			{ID: certAppID, Certificates: []*x509.Certificate{cert}, GraphRoles: []string{GraphDiscoveryRole}},
			{ID: fedAppID, Federated: []FederatedIdentity{{Subject: ghSubject}}, GraphRoles: []string{GraphDiscoveryRole}},
		},
		OIDCRuns:      []OIDCRun{{RequestToken: ghRunTok, Subject: ghSubject}},
		TokenLifetime: 10 * time.Minute,
	})
	m := &assertionMock{testMock: tm, key: key, cert: cert}
	exchange := func(app, assertion string) string {
		r := m.mustStatus(m.call("POST", "/"+m.Tenant()+"/oauth2/v2.0/token", "", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {app}, "scope": {graphScope},
			"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {assertion},
		}), 200)
		return str(r.object(t)["access_token"])
	}
	certTok := exchange(certAppID, m.certAssertion(m.key, joseHeader{Alg: "RS256", Typ: "JWT", X5t: x5t(m.cert)}, nil))
	fedTok := exchange(fedAppID, m.githubToken(ghRunTok, DefaultFederatedAudience))
	for name, tok := range map[string]string{"certificate": certTok, "federated": fedTok} {
		if c := claimsOf(t, tok); c.Aud != graphAudience || !slices.Equal(c.Roles, []string{GraphDiscoveryRole}) {
			t.Errorf("%s: claims %+v", name, c)
		}
		m.mustStatus(m.graphWith(streamsPath, "Bearer "+tok, nil), 200)
	}
}

func TestGraphManagedIdentity(t *testing.T) {
	m := newTestMock(t, Options{
		ManagedIdentities: []ManagedIdentity{{ClientID: systemMI, System: true, Roles: []string{"Settings.read"}, GraphRoles: []string{GraphDiscoveryRole}}},
		IdentityHeader:    idHeader,
	})
	for _, tc := range []struct{ path, header, value string }{
		{"/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com", "Metadata", "true"},
		{"/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com/", "X-IDENTITY-HEADER", idHeader},
	} {
		body := m.mustStatus(m.msiCall(tc.path, tc.header, tc.value), 200).object(t)
		tok := str(body["access_token"])
		if c := claimsOf(t, tok); c.Aud != graphAudience || !slices.Equal(c.Roles, []string{GraphDiscoveryRole}) || c.AppID != systemMI {
			t.Errorf("%s: claims %+v", tc.path, c)
		}
		m.mustStatus(m.graphWith(streamsPath, "Bearer "+tok, nil), 200)
		m.mustStatus(m.call("GET", "/api/v1/subnet/", "Bearer "+tok, nil), 401)
	}
	mdaTok := str(m.mustStatus(m.msiCall(imdsQuery, "Metadata", "true"), 200).object(t)["access_token"])
	if c := claimsOf(t, mdaTok); c.Aud != mdaAppID || !slices.Equal(c.Roles, []string{"Settings.read"}) {
		t.Errorf("MDA managed identity token claims %+v", c)
	}
	graphErr(t, m.graphWith(streamsPath, "Bearer "+mdaTok, nil), 401, "InvalidAuthenticationToken")
}

func TestGraphAuthErrors(t *testing.T) {
	m := graphMock(t, Options{})
	r := m.graphWith(streamsPath, "", nil)
	graphErr(t, r, 401, "InvalidAuthenticationToken")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
	}
	graphErr(t, m.graphWith(streamsPath, "Token "+testToken, nil), 401, "InvalidAuthenticationToken")
	graphErr(t, m.graphWith(streamsPath, "Bearer not.a.token", nil), 401, "InvalidAuthenticationToken")
	graphErr(t, m.graphWith(streamsPath, "Bearer ", nil), 401, "InvalidAuthenticationToken")

	// An expired Graph token.
	old := m.IssueGraphToken(graphClient, GraphDiscoveryRole)
	m.clock.Advance(11 * time.Minute)
	if msg := graphErr(t, m.graphWith(streamsPath, "Bearer "+old, nil), 401, "InvalidAuthenticationToken"); !strings.Contains(msg, "expired") {
		t.Errorf("expired token message %q", msg)
	}

	// A Graph token without the role: 403 naming it, on every route.
	noRole := m.tokenFor(graphNoRole, graphScope)
	for _, p := range []string{streamsPath, appsPath(globalViewID, "P30D"), appsPath(globalViewID, "P30D") + "/11760/appInfo"} {
		msg := graphErr(t, m.graphWith(p, "Bearer "+noRole, nil), 403, "Forbidden")
		if !strings.Contains(msg, GraphDiscoveryRole) {
			t.Errorf("403 message %q does not name %s", msg, GraphDiscoveryRole)
		}
	}
	// client-request-id is echoed, as Graph does.
	r = m.graphWith(streamsPath, "", http.Header{"Client-Request-Id": {"abc-123"}})
	if r.header.Get("client-request-id") != "abc-123" || !strings.Contains(string(r.body), `"client-request-id":"abc-123"`) {
		t.Errorf("client-request-id not echoed: %v %s", r.header, r.body)
	}
}

func TestGraphStreams(t *testing.T) {
	m := graphMock(t, Options{})
	p := m.graphPage(streamsPath)
	if p.Context != m.http.URL+"/beta/$metadata#security/dataDiscovery/cloudAppDiscovery/uploadedStreams" || p.NextLink != "" {
		t.Errorf("context %q nextLink %q", p.Context, p.NextLink)
	}
	byName := map[string]map[string]any{}
	for _, s := range p.Value {
		byName[str(s["displayName"])] = s
	}
	if len(byName) != 5 {
		t.Fatalf("streams = %v", p.Value)
	}
	gv := byName["Global View"]
	if gv["id"] != globalViewID || gv["isSnapshotReport"] != false || gv["logFileCount"] != 0.0 {
		t.Errorf("Global View = %v", gv)
	}
	for _, absent := range []string{"logDataProvider", "receiverProtocol", "anonymizeUserData", "description"} {
		if _, ok := gv[absent]; ok {
			t.Errorf("Global View has %s: %v", absent, gv)
		}
	}
	if _, err := time.Parse(time.RFC3339, str(gv["lastDataReceivedDateTime"])); err != nil {
		t.Errorf("lastDataReceivedDateTime: %v", err)
	}
	if z := byName["Zscaler proxy"]; z["receiverProtocol"] != "syslogTcp" || z["logDataProvider"] != "zscaler" ||
		fmt.Sprint(z["supportedTrafficTypes"]) != "[downloadedBytes uploadedBytes]" || z["anonymizeUserData"] != false {
		t.Errorf("Zscaler = %v", z)
	}
	if pa := byName["Palo Alto firewall"]; pa["receiverProtocol"] != "ftp" || fmt.Sprint(pa["supportedEntityTypes"]) != "[ipAddress]" {
		t.Errorf("Palo Alto = %v", pa)
	}
	if ep := byName["Defender-managed endpoints"]; ep["logDataProvider"] != "microsoftDefenderForEndpoint" ||
		fmt.Sprint(ep["supportedEntityTypes"]) != "[userName ipAddress machineName]" {
		t.Errorf("endpoints = %v", ep)
	}
	if cp := byName["Checkpoint report"]; cp["isSnapshotReport"] != true {
		t.Errorf("Checkpoint = %v", cp)
	}
	if _, ok := byName["Checkpoint report"]["lastDataReceivedDateTime"]; ok {
		t.Error("a stream that never received data has lastDataReceivedDateTime")
	}
}

func TestGraphAppsPaging(t *testing.T) {
	m := graphMock(t, Options{})
	for _, form := range []string{"aggregatedAppsDetails", "microsoft.graph.security.aggregatedAppsDetails"} {
		path := streamsPath + "/" + globalViewID + "/" + form + "(period=duration'P90D')"
		items, links := m.graphAll(path)
		if len(items) != 250 || len(links) != 2 {
			t.Fatalf("%s: %d items over %d links, want 250 over 2", form, len(items), len(links))
		}
		for i, l := range links {
			want := fmt.Sprintf("%s%s?$skip=%d", m.http.URL, path, 100*(i+1))
			if l != want {
				t.Errorf("nextLink %d = %q, want %q", i, l, want)
			}
		}
		ids := map[string]bool{}
		for _, it := range items {
			ids[str(it["id"])] = true
		}
		if len(ids) != 250 {
			t.Errorf("%s: %d distinct ids", form, len(ids))
		}
	}

	// $top sets the page; $filter and $top ride along in the nextLink; $top above 100 clamps.
	path := appsPath(globalViewID, "P90D") + "?$filter=" + url.QueryEscape("riskScore ge 2") + "&$top=60"
	items, links := m.graphAll(path)
	if len(links) == 0 || !strings.Contains(links[0], "$filter=riskScore%20ge%202") || !strings.Contains(links[0], "$top=60") ||
		!strings.HasSuffix(links[0], "$skip=60") {
		t.Errorf("links = %v", links)
	}
	for _, it := range items {
		if num(it["riskScore"]) < 2 {
			t.Errorf("filtered item %v", it)
		}
	}
	if p := m.graphPage(appsPath(globalViewID, "P90D") + "?$top=500"); len(p.Value) != 100 || !strings.HasSuffix(p.NextLink, "$top=500&$skip=100") {
		t.Errorf("$top=500: %d items, nextLink %q", len(p.Value), p.NextLink)
	}
	if p := m.graphPage(appsPath(globalViewID, "P90D") + "?$skip=240"); len(p.Value) != 10 || p.NextLink != "" {
		t.Errorf("$skip=240: %d items, nextLink %q", len(p.Value), p.NextLink)
	}
	if p := m.graphPage(appsPath(globalViewID, "P90D") + "?$skip=999"); len(p.Value) != 0 || p.NextLink != "" {
		t.Errorf("$skip past the end: %v", p)
	}
	for _, q := range []string{"$top=0", "$top=x", "$skip=-1", "$orderby=displayName", "$top=5&$top=6", "$count=true"} {
		graphErr(t, m.graph(appsPath(globalViewID, "P90D")+"?"+q), 400, "BadRequest")
	}
	// The client's escaping of the function segment is echoed.
	escaped := streamsPath + "/" + globalViewID + "/aggregatedAppsDetails%28period%3Dduration%27P90D%27%29"
	if p := m.graphPage(escaped); !strings.HasSuffix(p.NextLink, escaped+"?$skip=100") {
		t.Errorf("escaped form: nextLink %q", p.NextLink)
	}
}

func TestGraphPeriods(t *testing.T) {
	m := graphMock(t, Options{})
	sets := map[string][]string{}
	for _, period := range []string{"P7D", "P30D", "P90D"} {
		items, _ := m.graphAll(appsPath(globalViewID, period))
		for _, it := range items {
			sets[period] = append(sets[period], str(it["id"]))
		}
	}
	if len(sets["P7D"]) >= len(sets["P30D"]) || len(sets["P30D"]) >= len(sets["P90D"]) {
		t.Errorf("apps per period: %d %d %d", len(sets["P7D"]), len(sets["P30D"]), len(sets["P90D"]))
	}
	for _, id := range sets["P7D"] {
		if !slices.Contains(sets["P30D"], id) {
			t.Errorf("app %s seen in 7 days but not in 30", id)
		}
	}
	// The bare ISO form is accepted too.
	if p := m.graphPage(streamsPath + "/" + globalViewID + "/aggregatedAppsDetails(period=P7D)?$top=100"); len(p.Value) != min(100, len(sets["P7D"])) {
		t.Errorf("bare period: %d items", len(p.Value))
	}
	for _, bad := range []string{
		"aggregatedAppsDetails(period=duration'P1D')", "aggregatedAppsDetails(period=duration'P1Y')",
		"aggregatedAppsDetails(period='30')", "aggregatedAppsDetails()", "aggregatedAppsDetails(when=duration'P30D')",
	} {
		msg := graphErr(t, m.graph(streamsPath+"/"+globalViewID+"/"+bad), 400, "BadRequest")
		if !strings.Contains(msg, "period") {
			t.Errorf("%s: message %q", bad, msg)
		}
	}
	// A bad period is reported before an unknown stream.
	graphErr(t, m.graph(appsPath("000000000000000000000000", "P2D")), 400, "BadRequest")
}

func TestGraphFilter(t *testing.T) {
	m := graphMock(t, Options{})
	all, _ := m.graphAll(appsPath(globalViewID, "P90D"))
	accepts := []struct {
		filter string
		keep   func(map[string]any) bool
	}{
		{"riskScore le 4", func(a map[string]any) bool { return num(a["riskScore"]) <= 4 }},
		{"riskScore ge 3 and riskScore lt 6 and category eq 'generativeAi'", func(a map[string]any) bool {
			r := num(a["riskScore"])
			return r >= 3 && r < 6 && a["category"] == "generativeAi"
		}},
		{"userCount gt 100", func(a map[string]any) bool { return num(a["userCount"]) > 100 }},
		{"ipAddressCount ne 1", func(a map[string]any) bool { return num(a["ipAddressCount"]) != 1 }},
		{"transactionCount ge 1000000", func(a map[string]any) bool { return num(a["transactionCount"]) >= 1000000 }},
		{"displayName eq 'GitHub'", func(a map[string]any) bool { return a["displayName"] == "GitHub" }},
		{"displayName eq 'X (formerly Twitter)'", func(a map[string]any) bool { return a["displayName"] == "X (formerly Twitter)" }},
		{"category ne 'socialNetwork' AND riskScore eq 10", func(a map[string]any) bool {
			return a["category"] != "socialNetwork" && num(a["riskScore"]) == 10
		}},
		{"", func(map[string]any) bool { return true }},
	}
	for _, tc := range accepts {
		t.Run(tc.filter, func(t *testing.T) {
			var want []string
			for _, a := range all {
				if tc.keep(a) {
					want = append(want, str(a["id"]))
				}
			}
			items, _ := m.graphAll(appsPath(globalViewID, "P90D") + "?$filter=" + url.QueryEscape(tc.filter))
			var got []string
			for _, a := range items {
				got = append(got, str(a["id"]))
			}
			if !slices.Equal(got, want) || (tc.filter != "" && len(got) == len(all)) {
				t.Errorf("got %d apps, want %d", len(got), len(want))
			}
		})
	}
	if items, _ := m.graphAll(appsPath(globalViewID, "P90D") + "?$filter=" + url.QueryEscape("displayName eq 'GitHub'")); len(items) != 1 {
		t.Errorf("GitHub filter: %v", items)
	}
	for _, bad := range []string{
		"riskRating le 4", "contains(displayName,'git')", "riskScore le 4 or userCount gt 5", "riskScore le", "riskScore",
		"riskScore le '4'", "category eq generativeAi", "riskScore le 4 and", "and riskScore le 4", "riskScore like 4",
		"tags/any(t: t eq 'Sanctioned')", "displayName eq 'unterminated", "appInfo/isHipaaCompliant eq 'false'",
		"(riskScore le 4)", "riskScore le 4.5", "riskScore le 4 riskScore ge 2",
	} {
		msg := graphErr(t, m.graph(appsPath(globalViewID, "P90D")+"?$filter="+url.QueryEscape(bad)), 400, "BadRequest")
		if !strings.HasPrefix(msg, "Invalid filter clause: ") {
			t.Errorf("%q: message %q", bad, msg)
		}
	}
}

func TestGraphAppsSeed(t *testing.T) {
	m := graphMock(t, Options{})
	all, _ := m.graphAll(appsPath(globalViewID, "P90D"))
	categories, tags := map[string]bool{}, map[string]bool{}
	bigBytes := false
	for _, a := range all {
		categories[str(a["category"])] = true
		r := num(a["riskScore"])
		if r < 1 || r > 10 {
			t.Errorf("risk %v", a)
		}
		tags[fmt.Sprint(a["tags"])] = true
		if num(a["uploadNetworkTrafficInBytes"]) > 1<<31 {
			bigBytes = true
		}
		seen, err := time.Parse(time.RFC3339, str(a["lastSeenDateTime"]))
		if err != nil || !seen.Equal(seen.Truncate(24*time.Hour)) || seen.After(m.clock.Now()) || seen.Before(m.clock.Now().AddDate(0, 0, -91)) {
			t.Errorf("lastSeenDateTime %v: %v", a["lastSeenDateTime"], err)
		}
		if _, ok := a["@odata.type"]; ok {
			t.Errorf("a base-type app carries @odata.type: %v", a)
		}
		if len(list(a["domains"])) == 0 {
			t.Errorf("no domains: %v", a)
		}
	}
	// Without the Prefer header, the members after unknownFutureValue are hidden.
	if !categories["generativeAi"] || !categories["unknownFutureValue"] || categories["aiModelProvider"] || len(categories) < 20 {
		t.Errorf("categories = %v", categories)
	}
	for _, want := range []string{"[]", "[Sanctioned]", "[Unsanctioned]", "[Monitored]"} {
		if !tags[want] {
			t.Errorf("no app tagged %s: %v", want, tags)
		}
	}
	if !bigBytes {
		t.Error("no byte count above 2^31")
	}
	r := m.mustStatus(m.graphWith(appsPath(globalViewID, "P90D")+"?$filter="+url.QueryEscape("category eq 'aiModelProvider'"),
		"Bearer "+m.IssueGraphToken(graphClient, GraphDiscoveryRole), http.Header{"Prefer": {"odata.maxpagesize=100, include-unknown-enum-members"}}), 200)
	var p graphPage
	r.json(t, &p)
	if len(p.Value) == 0 {
		t.Error("no aiModelProvider app with the Prefer header")
	}

	// Same seed, same apps; another seed, other apps.
	again, _ := graphMock(t, Options{}).graphAll(appsPath(globalViewID, "P90D"))
	if fmt.Sprint(again) != fmt.Sprint(all) {
		t.Error("two mocks with one seed disagree")
	}
	other, _ := graphMock(t, Options{Seed: 7}).graphAll(appsPath(globalViewID, "P90D"))
	if fmt.Sprint(other) == fmt.Sprint(all) {
		t.Error("another seed gives the same apps")
	}

	// The other streams: fewer apps; the endpoint stream's are the subtype; one stream
	// omits the optional fields; the snapshot report has none.
	ep, _ := m.graphAll(appsPath(m.streamID("Defender-managed endpoints"), "P90D"))
	if len(ep) == 0 || len(ep) >= len(all) {
		t.Fatalf("endpoint stream: %d apps", len(ep))
	}
	for _, a := range ep {
		if a["@odata.type"] != "#microsoft.graph.security.endpointDiscoveredCloudAppDetail" || num(a["deviceCount"]) < 1 {
			t.Errorf("endpoint app %v", a)
		}
	}
	pa, _ := m.graphAll(appsPath(m.streamID("Palo Alto firewall"), "P30D"))
	if len(pa) == 0 {
		t.Fatal("Palo Alto stream is empty")
	}
	for _, a := range pa {
		for _, absent := range []string{"tags", "domains", "userCount", "uploadNetworkTrafficInBytes", "downloadNetworkTrafficInBytes", "deviceCount"} {
			if _, ok := a[absent]; ok {
				t.Errorf("Palo Alto app has %s: %v", absent, a)
			}
		}
		if a["id"] == nil || a["displayName"] == nil || a["riskScore"] == nil {
			t.Errorf("Palo Alto app lacks a key field: %v", a)
		}
	}
	if p := m.graphPage(appsPath(m.streamID("Checkpoint report"), "P90D")); len(p.Value) != 0 || p.NextLink != "" || !strings.Contains(string(m.graph(appsPath(m.streamID("Checkpoint report"), "P90D")).body), `"value":[]`) {
		t.Errorf("Checkpoint report: %+v", p)
	}
}

func TestGraphOneApp(t *testing.T) {
	m := graphMock(t, Options{})
	list, _ := m.graphAll(appsPath(globalViewID, "P30D"))
	want := list[0]
	for _, form := range []string{"aggregatedAppsDetails", "microsoft.graph.security.aggregatedAppsDetails"} {
		var got map[string]any
		m.mustStatus(m.graph(streamsPath+"/"+globalViewID+"/"+form+"(period=duration'P30D')/"+str(want["id"])), 200).json(t, &got)
		if !strings.HasSuffix(str(got["@odata.context"]), "#microsoft.graph.security.discoveredCloudAppDetail/$entity") {
			t.Errorf("context %v", got["@odata.context"])
		}
		delete(got, "@odata.context")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: app = %v, want %v", form, got, want)
		}
	}
	// $select on one app.
	var sel map[string]any
	m.mustStatus(m.graph(appsPath(globalViewID, "P30D")+"/"+str(want["id"])+"?$select=displayName,riskScore"), 200).json(t, &sel)
	if len(sel) != 3 || sel["displayName"] != want["displayName"] {
		t.Errorf("$select: %v", sel)
	}
	graphErr(t, m.graph(appsPath(globalViewID, "P30D")+"/"+str(want["id"])+"?$select=nope"), 400, "BadRequest")

	epID := m.streamID("Defender-managed endpoints")
	eps, _ := m.graphAll(appsPath(epID, "P90D"))
	var ep map[string]any
	m.mustStatus(m.graph(appsPath(epID, "P90D")+"/"+str(eps[0]["id"])), 200).json(t, &ep)
	if ep["@odata.type"] != "#microsoft.graph.security.endpointDiscoveredCloudAppDetail" || ep["deviceCount"] != eps[0]["deviceCount"] {
		t.Errorf("endpoint app = %v", ep)
	}
}

func TestGraphNotFound(t *testing.T) {
	m := graphMock(t, Options{})
	graphErr(t, m.graph(appsPath("000000000000000000000000", "P30D")), 404, "itemNotFound")
	graphErr(t, m.graph(appsPath("000000000000000000000000", "P30D")+"/11760/users"), 404, "itemNotFound")
	graphErr(t, m.graph(appsPath(globalViewID, "P30D")+"/1"), 404, "itemNotFound")
	graphErr(t, m.graph(appsPath(globalViewID, "P30D")+"/1/appInfo"), 404, "itemNotFound")
	// An app of the stream that was not seen in the period is not found in it.
	p90, _ := m.graphAll(appsPath(globalViewID, "P90D"))
	p7, _ := m.graphAll(appsPath(globalViewID, "P7D"))
	for _, a := range p90 {
		if !slices.ContainsFunc(p7, func(b map[string]any) bool { return b["id"] == a["id"] }) {
			graphErr(t, m.graph(appsPath(globalViewID, "P7D")+"/"+str(a["id"])), 404, "itemNotFound")
			m.mustStatus(m.graph(appsPath(globalViewID, "P90D")+"/"+str(a["id"])), 200)
			break
		}
	}
	// devices exist on the endpoint stream only.
	graphErr(t, m.graph(appsPath(globalViewID, "P90D")+"/"+str(p90[0]["id"])+"/devices"), 404, "itemNotFound")
	// Paths Graph would not resolve.
	for _, p := range []string{
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/" + globalViewID,
		"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/" + globalViewID + "/aggregatedApps(period=duration'P30D')",
		appsPath(globalViewID, "P30D") + "/11760/owners",
		"/v1.0/security/dataDiscovery/cloudAppDiscovery/uploadedStreams",
		"/beta/security/alerts",
	} {
		if msg := graphErr(t, m.graph(p), 400, "BadRequest"); !strings.Contains(msg, "Resource not found for the segment") {
			t.Errorf("%s: %q", p, msg)
		}
	}
	// Only GET is served.
	r := m.call("POST", streamsPath, "Bearer "+m.IssueGraphToken(graphClient, GraphDiscoveryRole), nil)
	graphErr(t, r, 405, "BadRequest")
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
}

func TestGraphAppChildren(t *testing.T) {
	m := graphMock(t, Options{})
	all, _ := m.graphAll(appsPath(globalViewID, "P90D"))
	var busy map[string]any
	for _, a := range all {
		if num(a["userCount"]) > 200 {
			busy = a
			break
		}
	}
	if busy == nil {
		t.Fatal("no app with more than 200 users")
	}
	base := appsPath(globalViewID, "P90D") + "/" + str(busy["id"])
	users, links := m.graphAll(base + "/users")
	distinct := map[string]bool{}
	for _, u := range users {
		distinct[str(u["userIdentifier"])] = true
	}
	if float64(len(distinct)) != num(busy["userCount"]) || len(distinct) != len(users) || len(links) != (len(users)-1)/100 {
		t.Errorf("users: %d (%d distinct) over %d links, userCount %v", len(users), len(distinct), len(links), busy["userCount"])
	}
	if len(links) > 0 && links[0] != m.http.URL+base+"/users?$skip=100" {
		t.Errorf("users nextLink %q", links[0])
	}
	ips, _ := m.graphAll(base + "/ipAddresses")
	if float64(len(ips)) != num(busy["ipAddressCount"]) {
		t.Errorf("%d IP addresses, ipAddressCount %v", len(ips), busy["ipAddressCount"])
	}
	one := str(users[3]["userIdentifier"])
	if items, _ := m.graphAll(base + "/users?$filter=" + url.QueryEscape("userIdentifier eq '"+one+"'")); len(items) != 1 {
		t.Errorf("user filter: %v", items)
	}
	graphErr(t, m.graph(base+"/users?$filter="+url.QueryEscape("riskScore le 4")), 400, "BadRequest")

	epID := m.streamID("Defender-managed endpoints")
	eps, _ := m.graphAll(appsPath(epID, "P90D"))
	devices, _ := m.graphAll(appsPath(epID, "P90D") + "/" + str(eps[0]["id"]) + "/devices?$top=7")
	names := map[string]bool{}
	for _, d := range devices {
		names[str(d["name"])] = true
	}
	if float64(len(names)) != num(eps[0]["deviceCount"]) {
		t.Errorf("%d distinct devices, deviceCount %v", len(names), eps[0]["deviceCount"])
	}

	// The IP-only stream has no users.
	pa, _ := m.graphAll(appsPath(m.streamID("Palo Alto firewall"), "P90D"))
	if u, _ := m.graphAll(appsPath(m.streamID("Palo Alto firewall"), "P90D") + "/" + str(pa[0]["id"]) + "/users"); len(u) != 0 {
		t.Errorf("IP-only stream lists users: %v", u)
	}
}

func TestGraphAppInfo(t *testing.T) {
	m := graphMock(t, Options{})
	all, _ := m.graphAll(appsPath(globalViewID, "P90D"))
	shapes := map[string]map[string]bool{"dataTypes": {}, "logonUrls": {}}
	for _, a := range all[:40] {
		var info map[string]any
		m.mustStatus(m.graph(appsPath(globalViewID, "P90D")+"/"+str(a["id"])+"/appInfo"), 200).json(t, &info)
		if info["id"] != a["id"] || str(info["vendor"]) == "" || str(info["headquarters"]) == "" || str(info["dataCenter"]) == "" ||
			str(info["hostingCompany"]) == "" || num(info["founded"]) < 1900 {
			t.Errorf("appInfo %v", info)
		}
		for _, f := range appInfoFlags {
			if v := info[f]; v != "true" && v != "false" && v != "unknown" {
				t.Errorf("%s = %v", f, v)
			}
		}
		for _, e := range []string{"csaStarLevel", "dataAtRestEncryptionMethod", "dataRetentionPolicy", "encryptionProtocol", "fedRampLevel", "holding", "pciDssVersion"} {
			if str(info[e]) == "" {
				t.Errorf("%s missing: %v", e, info)
			}
		}
		for k := range shapes {
			shapes[k][fmt.Sprintf("%T", info[k])] = true
		}
	}
	if len(appInfoFlags) != 66 || !shapes["dataTypes"]["string"] || !shapes["dataTypes"]["[]interface {}"] ||
		!shapes["logonUrls"]["string"] || !shapes["logonUrls"]["[]interface {}"] {
		t.Errorf("%d flags; shapes %v", len(appInfoFlags), shapes)
	}
	// appInfo is the catalogue's: the same through another stream.
	epID := m.streamID("Defender-managed endpoints")
	eps, _ := m.graphAll(appsPath(epID, "P90D"))
	a := m.graph(appsPath(epID, "P90D") + "/" + str(eps[0]["id"]) + "/appInfo").body
	b := m.graph(appsPath(globalViewID, "P90D") + "/" + str(eps[0]["id"]) + "/appInfo").body
	if slices.ContainsFunc(all, func(x map[string]any) bool { return x["id"] == eps[0]["id"] }) && string(a) != string(b) {
		t.Errorf("appInfo differs between streams:\n%s\n%s", a, b)
	}
}

func TestGraphFaultsAndStats(t *testing.T) {
	m := graphMock(t, Options{})
	m.AddFault(Fault{
		Match: "GET /beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/{id}/aggregatedAppsDetails", Status: 429,
		Headers: map[string]string{"Retry-After": "1"}, Body: `{"detail":"Request was throttled. Expected available in 1 second."}`,
	})
	// Faults apply before authentication, as on /api.
	r := m.graphWith(streamsPath+"/"+globalViewID+"/microsoft.graph.security.aggregatedAppsDetails(period=duration'P30D')", "", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "1" || !strings.Contains(string(r.body), "Expected available in 1 second") {
		t.Fatalf("fault: %d %v %s", r.status, r.header, r.body)
	}
	m.mustStatus(m.graph(appsPath(globalViewID, "P30D")), 200)
	// Two drops: Go's transport retries an idempotent request once on a reused connection.
	m.AddFault(Fault{Match: "GET /beta/*", Drop: true, Count: 2})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, m.http.URL+streamsPath, nil)
	if resp, err := m.http.Client().Do(req); err == nil {
		_ = resp.Body.Close()
		t.Error("dropped connection answered")
	}

	m.ClearFaults()

	// Stats count both function forms, and every child route, under one key each.
	m.ResetStats()
	app := str(m.graphPage(appsPath(globalViewID, "P90D")).Value[0]["id"])
	m.graph(streamsPath + "/" + globalViewID + "/microsoft.graph.security.aggregatedAppsDetails(period=duration'P90D')")
	m.graph(streamsPath)
	for _, child := range []string{"", "/appInfo", "/users", "/ipAddresses", "/devices"} {
		m.graph(appsPath(globalViewID, "P90D") + "/" + app + child)
	}
	m.graph(appsPath(globalViewID, "P1D"))
	want := map[string]int{
		"GET " + graphStreamsPattern:          1,
		"GET " + graphAppsPattern:             3,
		"GET " + graphAppPattern:              1,
		"GET " + graphAppPattern + "/appInfo": 1, "GET " + graphAppPattern + "/users": 1,
		"GET " + graphAppPattern + "/ipAddresses": 1, "GET " + graphAppPattern + "/devices": 1,
	}
	if got := m.Stats().Routes; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stats = %v\nwant    %v", got, want)
	}
	if graphAppsPattern != "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/{id}/aggregatedAppsDetails" {
		t.Errorf("apps route key %q differs from the contract", graphAppsPattern)
	}
}

func TestGraphNotThrottled(t *testing.T) {
	m := graphMock(t, Options{Rate: 2, Window: time.Minute})
	for range 10 {
		m.mustStatus(m.graph(appsPath(globalViewID, "P30D")), 200)
	}
	// The MDA window is untouched: two API calls pass, the third is throttled.
	m.mustStatus(m.api("GET", "/api/v1/subnet/", nil), 200)
	m.mustStatus(m.api("GET", "/api/v1/subnet/", nil), 200)
	m.mustStatus(m.api("GET", "/api/v1/subnet/", nil), 429)
	// And a throttled tenant still serves Graph.
	m.mustStatus(m.graph(streamsPath), 200)
	if st := m.Stats(); st.Throttled != 1 || st.Routes["GET "+graphAppsPattern] != 10 {
		t.Errorf("stats = %+v", st)
	}
}

// num reads a decoded JSON number, 0 if it is not one.
func num(v any) float64 {
	n, _ := v.(float64)
	return n
}

// list reads a decoded JSON array, nil if it is not one.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}
