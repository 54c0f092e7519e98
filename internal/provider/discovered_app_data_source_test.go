package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

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

// testAccAppPath addresses one app of a stream for a period on the mock's Graph surface.
func testAccAppPath(stream, period, appID string) string {
	return fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'%s')/%s",
		stream, period, url.PathEscape(appID))
}

// testAccStrings is one string field of each item, as list checks.
func testAccStrings(items []map[string]any, field string) []knownvalue.Check {
	out := make([]knownvalue.Check, 0, len(items))
	for _, it := range items {
		out = append(out, knownvalue.StringExact(fmt.Sprint(it[field])))
	}
	return out
}

// testAccInt reads a number of a Graph answer (acctest decodes numbers as json.Number).
func testAccInt(v any) int64 {
	num, ok := v.(json.Number)
	if !ok {
		return -1 // no answer has a negative count, so a check on it fails
	}
	n, _ := num.Int64()
	return n
}

// flagChecks are the expected compliance, gdpr and security maps of an appInfo answer,
// built with the client's own key scheme; the key scheme itself is unit-tested in
// internal/mda.
func flagChecks(t *testing.T, info map[string]any) map[mda.AppInfoFlagGroup]knownvalue.Check {
	t.Helper()
	groups := map[mda.AppInfoFlagGroup]map[string]knownvalue.Check{mda.FlagCompliance: {}, mda.FlagGDPR: {}, mda.FlagSecurity: {}}
	for wire, v := range info {
		if group, key, ok := mda.AppInfoFlagKey(wire); ok {
			groups[group][key] = knownvalue.StringExact(fmt.Sprint(v))
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
	apps := acctest.GraphApps(t, m, testAccGlobalViewID, "P90D")
	var busy map[string]any
	for _, a := range apps {
		if busy == nil || testAccInt(a["userCount"]) > testAccInt(busy["userCount"]) {
			busy = a
		}
	}
	busyID := fmt.Sprint(busy["id"])
	if testAccInt(busy["userCount"]) <= 100 || testAccInt(busy["ipAddressCount"]) < 1 {
		t.Fatalf("the busiest app of the Global view has %v users; the test needs more than 100 to page", busy["userCount"])
	}
	// An app whose dataTypes is a string, and one whose dataTypes is a list of several.
	var scalarID, listID string
	var scalarType string
	var listTypeChecks []knownvalue.Check
	for _, a := range apps {
		id := fmt.Sprint(a["id"])
		switch dt := acctest.GraphGet(t, m, testAccAppPath(testAccGlobalViewID, "P90D", id)+"/appInfo")["dataTypes"].(type) {
		case string:
			if scalarID == "" {
				scalarID, scalarType = id, dt
			}
		case []any:
			if listID == "" && len(dt) > 1 {
				listID = id
				for _, v := range dt {
					listTypeChecks = append(listTypeChecks, knownvalue.StringExact(fmt.Sprint(v)))
				}
			}
		}
		if scalarID != "" && listID != "" {
			break
		}
	}
	if scalarID == "" || listID == "" {
		t.Fatal("the mock serves no app with dataTypes as a string, or none with a list of several")
	}
	busyPath := testAccAppPath(testAccGlobalViewID, "P90D", busyID)
	busyInfo := acctest.GraphGet(t, m, busyPath+"/appInfo")
	users := testAccStrings(acctest.GraphList(t, m, busyPath+"/users"), "userIdentifier")
	ips := testAccStrings(acctest.GraphList(t, m, busyPath+"/ipAddresses"), "ipAddress")
	m.ResetStats()

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
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("name"), knownvalue.StringExact(fmt.Sprint(busy["displayName"]))),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("users"), knownvalue.Int64Exact(testAccInt(busy["userCount"]))),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("device_count"), knownvalue.Null()),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("user_list"), knownvalue.ListExact(users)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("ip_address_list"), knownvalue.ListExact(ips)),
				statecheck.ExpectKnownValue(busyAddr, tfjsonpath.New("device_list"), knownvalue.Null()),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("vendor"), knownvalue.StringExact(fmt.Sprint(busyInfo["vendor"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("headquarters"), knownvalue.StringExact(fmt.Sprint(busyInfo["headquarters"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("founded"), knownvalue.Int64Exact(testAccInt(busyInfo["founded"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("csa_star_level"), knownvalue.StringExact(fmt.Sprint(busyInfo["csaStarLevel"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("pci_dss_version"), knownvalue.StringExact(fmt.Sprint(busyInfo["pciDssVersion"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("domain_registration"), knownvalue.StringExact(fmt.Sprint(busyInfo["domainRegistrationDateTime"]))),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("compliance"), flags[mda.FlagCompliance]),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("gdpr"), flags[mda.FlagGDPR]),
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("security"), flags[mda.FlagSecurity]),
				// The misspelt wire name lands under the correct key.
				statecheck.ExpectKnownValue(busyAddr, info.AtMapKey("gdpr").AtMapKey("right_to_data_portability"),
					knownvalue.StringExact(fmt.Sprint(busyInfo["isGdprRightToDataPortablility"]))),
				statecheck.ExpectKnownValue(scalarAddr, info.AtMapKey("data_types"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(scalarType)})),
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

// TestAccDiscoveredApp_devices reads an app of the endpoint stream with its devices, and
// asks for devices of a Global view app: empty, with no request.
func TestAccDiscoveredApp_devices(t *testing.T) {
	m := acctest.StartGraphMock(t)
	endpoint := acctest.GraphStreamID(t, m, "Defender-managed endpoints")
	apps := acctest.GraphApps(t, m, endpoint, "P30D")
	app := apps[0]
	for _, a := range apps {
		if testAccInt(a["deviceCount"]) > testAccInt(app["deviceCount"]) {
			app = a
		}
	}
	id := fmt.Sprint(app["id"])
	devices := testAccStrings(acctest.GraphList(t, m, testAccAppPath(endpoint, "P30D", id)+"/devices"), "name")
	if len(devices) == 0 || int64(len(devices)) != testAccInt(app["deviceCount"]) {
		t.Fatalf("the endpoint app %s has %d devices listed and deviceCount %v", id, len(devices), app["deviceCount"])
	}
	global := fmt.Sprint(acctest.GraphApps(t, m, testAccGlobalViewID, "P30D")[0]["id"])
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

// TestAccDiscoveredApp_noGlobalView: without stream_id, a tenant whose streams include no
// "Global view" is an error on stream_id listing the streams there are, and no app is read.
func TestAccDiscoveredApp_noGlobalView(t *testing.T) {
	m := acctest.StartGraphMock(t)
	m.AddFault(mockserver.Fault{Match: testAccGraphStreamsRoute, Status: http.StatusOK, Count: 100,
		Body: `{"value": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "displayName": "Zscaler proxy"}]}`})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.GraphProviderConfig(m) + `data "mda_discovered_app" "x" { app_id = "11760" }`,
			ExpectError: expectOneError(`No Global view stream.*"Zscaler proxy".*set stream_id.*mda_discovery_streams`),
		}},
	})
	if st := m.Stats().Routes; st[testAccAppRoute] != 0 {
		t.Errorf("the app was read without a stream: %v", st)
	}
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

// testAccGitHubAppConfig reads GitHub in the Global view: two requests, the app and its
// appInfo.
func testAccGitHubAppConfig(m *acctest.Mock) string {
	return acctest.GraphProviderConfig(m) + fmt.Sprintf(`data "mda_discovered_app" "x" {
  app_id    = "11760"
  stream_id = %q
}`, testAccGlobalViewID)
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
						Config:      testAccGitHubAppConfig(m),
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
				Config: testAccGitHubAppConfig(m),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_discovered_app.x", tfjsonpath.New("app_info").AtMapKey("vendor"), knownvalue.StringExact("GitHub, Inc.")),
				},
				Check: func(*terraform.State) error { return acctest.CheckFaultsSpent(m) },
			}},
		})
	})
}
