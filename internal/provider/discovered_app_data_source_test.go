package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// Routes of one app as the mock counts them.
const (
	testAccGraphStreamsRoute = "GET /beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams"
	testAccAppRoute          = testAccGraphStreamsRoute + "/{id}/aggregatedAppsDetails/{appId}"
	testAccAppInfoRoute      = testAccAppRoute + "/appInfo"
	testAccAppUsersRoute     = testAccAppRoute + "/users"
	testAccAppIPsRoute       = testAccAppRoute + "/ipAddresses"
	testAccAppDevicesRoute   = testAccAppRoute + "/devices"
	testAccGlobalViewID      = "57869acdb4b3d5154f095af7"
)

// testAccGraphTruth reads the mock's Graph surface directly, as the provider's own Graph
// app, so that the checks compare the data source with what Graph served rather than
// with a copy of the mock's seed. Each call is a request: read before ResetStats.
type testAccGraphTruth struct {
	t     *testing.T
	m     *acctest.Mock
	token string
}

func newTestAccGraphTruth(t *testing.T, m *acctest.Mock) *testAccGraphTruth {
	return &testAccGraphTruth{t: t, m: m, token: m.IssueGraphToken(acctest.GraphAppID, acctest.GraphRole)}
}

// get answers one GET of path (under /beta, or an absolute nextLink).
func (g *testAccGraphTruth) get(path string) map[string]json.RawMessage {
	g.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = g.m.URL() + "/beta" + path
	}
	req, err := http.NewRequestWithContext(g.t.Context(), http.MethodGet, u, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Prefer", "include-unknown-enum-members")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		g.t.Fatalf("GET %s: HTTP %d, %v", u, resp.StatusCode, err)
	}
	return out
}

// list reads a collection to its end.
func (g *testAccGraphTruth) list(path string) []map[string]json.RawMessage {
	g.t.Helper()
	var items []map[string]json.RawMessage
	for path != "" {
		page := g.get(path)
		var value []map[string]json.RawMessage
		if err := json.Unmarshal(page["value"], &value); err != nil {
			g.t.Fatal(err)
		}
		items = append(items, value...)
		path = ""
		if next, ok := page["@odata.nextLink"]; ok {
			_ = json.Unmarshal(next, &path)
		}
	}
	return items
}

func (g *testAccGraphTruth) appPath(stream, period, appID string) string {
	return fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'%s')/%s",
		stream, period, url.PathEscape(appID))
}

// strings reads one string field of each item.
func (g *testAccGraphTruth) strings(items []map[string]json.RawMessage, field string) []knownvalue.Check {
	out := make([]knownvalue.Check, 0, len(items))
	for _, it := range items {
		var s string
		if err := json.Unmarshal(it[field], &s); err != nil {
			g.t.Fatalf("%s: %v", field, err)
		}
		out = append(out, knownvalue.StringExact(s))
	}
	return out
}

func rawString(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func rawInt(raw json.RawMessage) int64 {
	var n int64
	_ = json.Unmarshal(raw, &n)
	return n
}

// flagChecks are the expected compliance, gdpr and security maps of an appInfo answer,
// built with the client's own key scheme; the key scheme itself is unit-tested in
// internal/mda.
func flagChecks(t *testing.T, info map[string]json.RawMessage) map[mda.AppInfoFlagGroup]knownvalue.Check {
	t.Helper()
	groups := map[mda.AppInfoFlagGroup]map[string]knownvalue.Check{mda.FlagCompliance: {}, mda.FlagGDPR: {}, mda.FlagSecurity: {}}
	for wire, raw := range info {
		if group, key, ok := mda.AppInfoFlagKey(wire); ok {
			groups[group][key] = knownvalue.StringExact(rawString(raw))
		}
	}
	if len(groups[mda.FlagCompliance]) != 23 || len(groups[mda.FlagGDPR]) != 15 || len(groups[mda.FlagSecurity]) != 28 {
		t.Fatalf("the mock's appInfo has %d/%d/%d flags; graph-discovery.md 4.5 lists 23/15/28",
			len(groups[mda.FlagCompliance]), len(groups[mda.FlagGDPR]), len(groups[mda.FlagSecurity]))
	}
	out := map[mda.AppInfoFlagGroup]knownvalue.Check{}
	for g, m := range groups {
		out[g] = knownvalue.MapExact(m)
	}
	return out
}

// TestAccDiscoveredApp_appInfoAndLists reads two apps of the Global view (the default
// stream) over 90 days: the busiest, with its users (more than 100, so paged) and IP
// addresses, and apps whose appInfo sends dataTypes as a string and as a list. Every
// value is compared with what the mock's Graph served.
func TestAccDiscoveredApp_appInfoAndLists(t *testing.T) {
	m := acctest.StartGraphMock(t)
	g := newTestAccGraphTruth(t, m)
	apps := g.list(fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'P90D')", testAccGlobalViewID))
	var busy map[string]json.RawMessage
	for _, a := range apps {
		if busy == nil || rawInt(a["userCount"]) > rawInt(busy["userCount"]) {
			busy = a
		}
	}
	busyID := rawString(busy["id"])
	if rawInt(busy["userCount"]) <= 100 || rawInt(busy["ipAddressCount"]) < 1 {
		t.Fatalf("the busiest app of the Global view has %s users; the test needs more than 100 to page", busy["userCount"])
	}
	// An app whose dataTypes is a string, and one whose dataTypes is a list.
	var scalarID, listID string
	infos := map[string]map[string]json.RawMessage{}
	for _, a := range apps {
		id := rawString(a["id"])
		info := g.get(g.appPath(testAccGlobalViewID, "P90D", id) + "/appInfo")
		switch dt := strings.TrimSpace(string(info["dataTypes"])); {
		case scalarID == "" && strings.HasPrefix(dt, `"`):
			scalarID, infos[id] = id, info
		case listID == "" && strings.HasPrefix(dt, "[") && strings.Contains(dt, ","):
			listID, infos[id] = id, info
		}
		if scalarID != "" && listID != "" {
			break
		}
	}
	if scalarID == "" || listID == "" {
		t.Fatal("the mock serves no app with dataTypes as a string, or none with a list of several")
	}
	busyInfo := g.get(g.appPath(testAccGlobalViewID, "P90D", busyID) + "/appInfo")
	users := g.strings(g.list(g.appPath(testAccGlobalViewID, "P90D", busyID)+"/users"), "userIdentifier")
	ips := g.strings(g.list(g.appPath(testAccGlobalViewID, "P90D", busyID)+"/ipAddresses"), "ipAddress")
	m.ResetStats()

	var listTypes []string
	_ = json.Unmarshal(infos[listID]["dataTypes"], &listTypes)
	listTypeChecks := make([]knownvalue.Check, len(listTypes))
	for i, v := range listTypes {
		listTypeChecks[i] = knownvalue.StringExact(v)
	}
	flags := flagChecks(t, busyInfo)
	const busyAddr, scalarAddr, listAddr = "data.mda_discovered_app.busy", "data.mda_discovered_app.scalar", "data.mda_discovered_app.list"
	info := tfjsonpath.New("app_info")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.GraphProviderConfig(m) + fmt.Sprintf(`
data "mda_discovered_app" "busy" {
  app_id               = %q
  period_days          = 90
  include_users        = true
  include_ip_addresses = true
}
data "mda_discovered_app" "scalar" {
  app_id      = %q
  stream_id   = %q
  period_days = 90
}
data "mda_discovered_app" "list" {
  app_id      = %q
  stream_id   = %q
  period_days = 90
}
`, busyID, scalarID, testAccGlobalViewID, listID, testAccGlobalViewID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("stream_id"), knownvalue.StringExact(testAccGlobalViewID)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("id"), knownvalue.StringExact(busyID)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("name"), knownvalue.StringExact(rawString(busy["displayName"]))),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("users"), knownvalue.Int64Exact(rawInt(busy["userCount"]))),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("device_count"), knownvalue.Null()),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("user_list"), knownvalue.ListExact(users)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("ip_address_list"), knownvalue.ListExact(ips)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("device_list"), knownvalue.Null()),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("vendor"), knownvalue.StringExact(rawString(busyInfo["vendor"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("headquarters"), knownvalue.StringExact(rawString(busyInfo["headquarters"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("founded"), knownvalue.Int64Exact(rawInt(busyInfo["founded"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("csa_star_level"), knownvalue.StringExact(rawString(busyInfo["csaStarLevel"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("pci_dss_version"), knownvalue.StringExact(rawString(busyInfo["pciDssVersion"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("domain_registration"), knownvalue.StringExact(rawString(busyInfo["domainRegistrationDateTime"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("compliance"), flags[mda.FlagCompliance]),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("gdpr"), flags[mda.FlagGDPR]),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("security"), flags[mda.FlagSecurity]),
				// The misspelt wire name lands under the correct key.
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("gdpr").AtMapKey("right_to_data_portability"),
					knownvalue.StringExact(rawString(busyInfo["isGdprRightToDataPortablility"]))),
				statecheck.ExpectKnownValue(scalarAddr, info.AtMapKey("data_types"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(rawString(infos[scalarID]["dataTypes"]))})),
				statecheck.ExpectKnownValue(listAddr, info.AtMapKey("data_types"), knownvalue.ListExact(listTypeChecks)),
				// Lists nobody asked for cost no request and stay null.
				statecheck.ExpectKnownValue(scalarAddr, tfjsonpath.New("user_list"), knownvalue.Null()),
				statecheck.ExpectKnownValue(scalarAddr, tfjsonpath.New("period_days"), knownvalue.Int64Exact(90)),
			},
		}},
	})
	st := m.Stats().Routes
	reads := st[testAccAppRoute] / 3 // three data sources, each read the same number of times
	pages := (len(users) + 99) / 100
	if reads == 0 || st[testAccAppRoute] != 3*reads || st[testAccAppInfoRoute] != 3*reads {
		t.Errorf("app and appInfo requests %d and %d, want 3 per read", st[testAccAppRoute], st[testAccAppInfoRoute])
	}
	if st[testAccAppUsersRoute] != pages*reads || pages < 2 {
		t.Errorf("%d users requests for %d reads of %d users, want %d pages each", st[testAccAppUsersRoute], reads, len(users), pages)
	}
	if st[testAccAppIPsRoute] != (len(ips)+99)/100*reads || st[testAccAppDevicesRoute] != 0 {
		t.Errorf("ipAddresses/devices requests %d/%d, want %d/0", st[testAccAppIPsRoute], st[testAccAppDevicesRoute], (len(ips)+99)/100*reads)
	}
	// Only the data source without stream_id lists the streams.
	if st[testAccGraphStreamsRoute] != reads {
		t.Errorf("%d stream listings for %d reads, want one per read of the data source without stream_id", st[testAccGraphStreamsRoute], reads)
	}
}

// testAccEndpointStream is the seeded Defender for Endpoint stream's id.
func testAccEndpointStream(t *testing.T, m *acctest.Mock) string {
	t.Helper()
	for _, s := range m.DiscoveryStreams() {
		if s.Name == "Defender-managed endpoints" {
			return s.ID
		}
	}
	t.Fatal("the mock seeds no Defender-managed endpoints stream")
	return ""
}

// TestAccDiscoveredApp_devices reads an app of the endpoint stream with its devices, and
// asks for devices of a Global view app: empty, with no request.
func TestAccDiscoveredApp_devices(t *testing.T) {
	m := acctest.StartGraphMock(t)
	g := newTestAccGraphTruth(t, m)
	endpoint := testAccEndpointStream(t, m)
	apps := g.list(fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'P30D')", endpoint))
	app := apps[0]
	for _, a := range apps {
		if rawInt(a["deviceCount"]) > rawInt(app["deviceCount"]) {
			app = a
		}
	}
	id := rawString(app["id"])
	devices := g.strings(g.list(g.appPath(endpoint, "P30D", id)+"/devices"), "name")
	if len(devices) == 0 || int64(len(devices)) != rawInt(app["deviceCount"]) {
		t.Fatalf("the endpoint app %s has %d devices listed and deviceCount %s", id, len(devices), app["deviceCount"])
	}
	global := rawString(g.list(fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'P30D')", testAccGlobalViewID))[0]["id"])
	m.ResetStats()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.GraphProviderConfig(m) + fmt.Sprintf(`
data "mda_discovered_app" "endpoint" {
  app_id          = %q
  stream_id       = %q
  include_devices = true
}
data "mda_discovered_app" "global" {
  app_id          = %q
  stream_id       = %q
  include_devices = true
}
`, id, endpoint, global, testAccGlobalViewID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_discovered_app.endpoint", tfjsonpath.New("period_days"), knownvalue.Int64Exact(30)),
				statecheck.ExpectKnownValue("data.mda_discovered_app.endpoint", tfjsonpath.New("device_count"), knownvalue.Int64Exact(int64(len(devices)))),
				statecheck.ExpectKnownValue("data.mda_discovered_app.endpoint", tfjsonpath.New("device_list"), knownvalue.ListExact(devices)),
				statecheck.ExpectKnownValue("data.mda_discovered_app.global", tfjsonpath.New("device_list"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.mda_discovered_app.global", tfjsonpath.New("device_count"), knownvalue.Null()),
			},
		}},
	})
	st := m.Stats().Routes
	reads := st[testAccAppRoute] / 2
	if want := (len(devices) + 99) / 100 * reads; reads == 0 || st[testAccAppDevicesRoute] != want {
		t.Errorf("%d devices requests, want %d: one listing per read of the endpoint app, none for the Global view app", st[testAccAppDevicesRoute], want)
	}
}

// TestAccDiscoveredApp_notFound: an app the report does not hold, and a stream that does
// not exist, are errors naming the app and the stream: a data source has nothing to show.
func TestAccDiscoveredApp_notFound(t *testing.T) {
	m := acctest.StartGraphMock(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.GraphProviderConfig(m) + `data "mda_discovered_app" "x" { app_id = "99999999" }`,
				ExpectError: expectOneError(`Discovered app not found.*no app "99999999" in the Cloud Discovery stream "` +
					testAccGlobalViewID + `" for the last 30 days.*mda_discovered_apps.*itemNotFound`),
			},
			{
				Config: acctest.GraphProviderConfig(m) + `
data "mda_discovered_app" "x" {
  app_id      = "11760"
  stream_id   = "aaaaaaaaaaaaaaaaaaaaaaaa"
  period_days = 7
}`,
				ExpectError: expectOneError(`Discovered app not found.*"11760".*stream "aaaaaaaaaaaaaaaaaaaaaaaa" for the last 7 days.*stream that does not exist`),
			},
		},
	})
}

// TestAccDiscoveredApp_planErrors: a period Graph does not serve, and a provider that
// cannot reach Graph (the legacy token), fail at plan time without a request.
func TestAccDiscoveredApp_planErrors(t *testing.T) {
	for name, c := range map[string]struct {
		config func(*acctest.Mock) string
		words  string
	}{
		"bad period": {func(m *acctest.Mock) string {
			return acctest.GraphProviderConfig(m) + `data "mda_discovered_app" "x" {
  app_id      = "11760"
  period_days = 14
}`
		}, `Invalid Attribute Value Match.*period_days.*value must be one of.*7.*30.*90`},
		"legacy token": {func(m *acctest.Mock) string {
			return acctest.ProviderConfig(m) + `data "mda_discovered_app" "x" { app_id = "11760" }`
		}, `Microsoft Graph cannot be used with this provider configuration.*mda_discovered_app.*CloudApp-Discovery.Read.All.*legacy API token.*No request was sent`},
	} {
		t.Run(name, func(t *testing.T) {
			m := acctest.StartGraphMock(t)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.config(m),
					PlanOnly:    true,
					ExpectError: expectOneError(c.words),
				}},
			})
			if st := m.Stats(); st.Total != 0 {
				t.Errorf("a refused configuration reached the mock: %v", st.Routes)
			}
		})
	}
}

// TestAccDiscoveredApp_faults: each failure of the app's GET and of its appInfo, on every
// attempt, ends the read with an error naming what happened; a single 503 is retried.
func TestAccDiscoveredApp_faults(t *testing.T) {
	faults := []struct {
		name  string
		fault mockserver.Fault
		words string
	}{
		{"404 HTML", mockserver.Fault{Status: http.StatusNotFound, Body: acctest.NotFoundPage}, `HTTP 404.*graph_url`},
		{"tenant not found", mockserver.Fault{Status: http.StatusNotFound, Body: acctest.TenantNotFound}, `HTTP 404.*tenant not found`},
		{"500 HTML", mockserver.Fault{Status: http.StatusInternalServerError, Body: acctest.ErrorPage(http.StatusInternalServerError)}, `HTTP 500`},
		{"dropped connection", mockserver.Fault{Drop: true}, `EOF|connection`},
		{"empty answer", mockserver.Fault{Status: http.StatusOK, Body: " "}, `not the expected JSON`},
	}
	routes := map[string]struct{ route, summary string }{
		"app":     {testAccAppRoute, `Unable to read discovered app 11760 in stream ` + testAccGlobalViewID},
		"appInfo": {testAccAppInfoRoute, `Unable to read the catalogue entry of discovered app 11760`},
	}
	for rname, r := range routes {
		for _, f := range faults {
			t.Run(rname+" "+f.name, func(t *testing.T) {
				m := acctest.StartGraphMock(t)
				fault := f.fault
				fault.Match, fault.Count = r.route, 100
				m.AddFault(fault)
				resource.ParallelTest(t, resource.TestCase{
					PreCheck:                 func() { testAccPreCheck(t) },
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Steps: []resource.TestStep{{
						Config: acctest.GraphProviderConfig(m) + fmt.Sprintf(`data "mda_discovered_app" "x" {
  app_id    = "11760"
  stream_id = %q
}`, testAccGlobalViewID),
						ExpectError: expectErrorWords(r.summary + `.*(` + f.words + `)`),
					}},
				})
				if m.Stats().Routes[r.route] == 0 {
					t.Errorf("the fault was never hit: %v", m.Stats().Routes)
				}
			})
		}
	}
	t.Run("one 503 on appInfo", func(t *testing.T) {
		m := acctest.StartGraphMock(t)
		m.AddFault(mockserver.Fault{Match: testAccAppInfoRoute, Status: http.StatusServiceUnavailable,
			Body: acctest.ErrorPage(http.StatusServiceUnavailable), Headers: map[string]string{"Retry-After": "1"}})
		resource.ParallelTest(t, resource.TestCase{
			PreCheck:                 func() { testAccPreCheck(t) },
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: acctest.GraphProviderConfig(m) + fmt.Sprintf(`data "mda_discovered_app" "x" {
  app_id    = "11760"
  stream_id = %q
}`, testAccGlobalViewID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_discovered_app.x", tfjsonpath.New("app_info").AtMapKey("vendor"), knownvalue.StringExact("GitHub, Inc.")),
				},
				Check: func(*terraform.State) error { return acctest.CheckFaultsSpent(m) },
			}},
		})
	})
}

// TestDiscoveredAppSchemaModelParity: the model and the schema name the same attributes,
// app_info's included, so that no attribute is left out of the state or unreadable.
func TestDiscoveredAppSchemaModelParity(t *testing.T) {
	var resp datasource.SchemaResponse
	NewDiscoveredAppDataSource().Schema(t.Context(), datasource.SchemaRequest{}, &resp)
	compareNames(t, "mda_discovered_app", slices.Collect(maps.Keys(resp.Schema.Attributes)),
		tfsdkNames(reflect.TypeFor[discoveredAppDataModel]()))
	info, ok := resp.Schema.Attributes["app_info"].(schema.SingleNestedAttribute)
	if !ok {
		t.Fatal("app_info is not a single nested attribute")
	}
	compareNames(t, "mda_discovered_app.app_info", slices.Collect(maps.Keys(info.Attributes)),
		tfsdkNames(reflect.TypeFor[appInfoModel]()))
}
