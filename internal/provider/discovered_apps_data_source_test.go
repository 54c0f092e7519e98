package provider

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// Routes of the mock's Graph surface, as its Stats count them.
const (
	daStreamsRoute = "GET /beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams"
	daAppsRoute    = daStreamsRoute + "/{id}/aggregatedAppsDetails"
	// daGlobalViewID is the seeded Global View (mockserver/discovery_streams_seed.go).
	daGlobalViewID = "57869acdb4b3d5154f095af7"
)

// daApp reads a field of an app as the mock's Graph surface sent it.
type daApp map[string]any

func (a daApp) str(k string) string {
	switch v := a[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func (a daApp) num(k string) (int64, bool) {
	n, ok := a[k].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := n.Int64()
	return v, err == nil
}

func (a daApp) strings(k string) []string {
	var out []string
	items, _ := a[k].([]any)
	for _, v := range items {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// daExpect is the oracle: the mock's apps that keep selects, in the documented order
// (risk score ascending, apps without one last, then name without regard to case, then id).
func daExpect[A ~map[string]any](apps []A, keep func(daApp) bool) []daApp {
	var out []daApp
	for _, a := range apps {
		if keep == nil || keep(daApp(a)) {
			out = append(out, daApp(a))
		}
	}
	slices.SortFunc(out, func(a, b daApp) int {
		ra, oka := a.num("riskScore")
		rb, okb := b.num("riskScore")
		switch {
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		case ra != rb:
			return cmp.Compare(ra, rb)
		}
		if c := cmp.Compare(strings.ToLower(a.str("displayName")), strings.ToLower(b.str("displayName"))); c != 0 {
			return c
		}
		return cmp.Compare(a.str("id"), b.str("id"))
	})
	return out
}

func daHasTag(a daApp, tags ...string) bool {
	return slices.ContainsFunc(a.strings("tags"), func(t string) bool {
		return slices.ContainsFunc(tags, func(w string) bool { return strings.EqualFold(t, w) })
	})
}

// checkDiscoveredApps compares a data source's apps, item by item and field by field,
// with want (the first limit of them when limit > 0), and total and truncated with want's length.
func checkDiscoveredApps(addr string, want []daApp, limit int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		attrs := rs.Primary.Attributes
		kept := want
		if limit > 0 && len(kept) > limit {
			kept = kept[:limit]
		}
		if attrs["total"] != strconv.Itoa(len(want)) {
			return fmt.Errorf("%s: total = %s, want %d", addr, attrs["total"], len(want))
		}
		if got, trunc := attrs["truncated"], strconv.FormatBool(len(kept) < len(want)); got != trunc {
			return fmt.Errorf("%s: truncated = %s, want %s", addr, got, trunc)
		}
		if attrs["apps.#"] != strconv.Itoa(len(kept)) {
			return fmt.Errorf("%s: %s apps, want %d", addr, attrs["apps.#"], len(kept))
		}
		for i, a := range kept {
			if err := checkDiscoveredApp(attrs, fmt.Sprintf("apps.%d.", i), a); err != nil {
				return fmt.Errorf("%s: %w", addr, err)
			}
		}
		return nil
	}
}

// checkDiscoveredApp compares one app of the state (attributes under prefix) with the
// mock's JSON of it: absent numbers must be null (no attribute), not 0.
func checkDiscoveredApp(attrs map[string]string, prefix string, a daApp) error {
	want := map[string]string{
		"id": a.str("id"), "name": a.str("displayName"), "category": a.str("category"), "last_seen": a.str("lastSeenDateTime"),
	}
	for attr, key := range map[string]string{
		"risk_score": "riskScore", "users": "userCount", "ip_addresses": "ipAddressCount", "transactions": "transactionCount",
		"upload_bytes": "uploadNetworkTrafficInBytes", "download_bytes": "downloadNetworkTrafficInBytes", "device_count": "deviceCount",
	} {
		if n, ok := a.num(key); ok {
			want[attr] = strconv.FormatInt(n, 10)
		} else {
			want[attr] = ""
		}
	}
	for attr, v := range want {
		if got := attrs[prefix+attr]; got != v {
			return fmt.Errorf("%s%s = %q, want %q (app %s)", prefix, attr, got, v, a.str("id"))
		}
	}
	for _, l := range []struct{ attr, key string }{{"tags", "tags"}, {"domains", "domains"}} {
		items := a.strings(l.key)
		if attrs[prefix+l.attr+".#"] != strconv.Itoa(len(items)) {
			return fmt.Errorf("%s%s.# = %s, want %d (app %s)", prefix, l.attr, attrs[prefix+l.attr+".#"], len(items), a.str("id"))
		}
		for j, v := range items {
			if got := attrs[fmt.Sprintf("%s%s.%d", prefix, l.attr, j)]; got != v {
				return fmt.Errorf("%s%s.%d = %q, want %q", prefix, l.attr, j, got, v)
			}
		}
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(attrs[prefix+"raw_json"]), &raw); err != nil {
		return fmt.Errorf("%sraw_json = %q: %w", prefix, attrs[prefix+"raw_json"], err)
	}
	if fmt.Sprint(raw["id"]) != a.str("id") {
		return fmt.Errorf("%sraw_json = %q is not app %s's JSON", prefix, attrs[prefix+"raw_json"], a.str("id"))
	}
	return nil
}

// checkGraphPages checks that every read since the last ResetStats listed the streams
// once (to find the Global view) and read pages pages of apps, and that nothing reached
// the MDA API: the server-side filters shrink the pages, so a filter applied on the
// client instead would read more.
func checkGraphPages(m *acctest.Mock, pages int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st := m.Stats()
		reads, apps := st.Routes[daStreamsRoute], st.Routes[daAppsRoute]
		if reads == 0 || apps != pages*reads {
			return fmt.Errorf("%d stream listings and %d pages of apps, want %d pages per listing: %v", reads, apps, pages, st.Routes)
		}
		for route := range st.Routes {
			if strings.Contains(route, " /api/") {
				return fmt.Errorf("the data source sent MDA API requests: %v", st.Routes)
			}
		}
		return nil
	}
}

func daPages(n int) int { return max(1, (n+99)/100) }

func TestAccDiscoveredApps_globalViewPaging(t *testing.T) {
	m := acctest.StartGraphMock(t)
	all30 := acctest.GraphApps(t, m, daGlobalViewID, "P30D")
	all90 := acctest.GraphApps(t, m, daGlobalViewID, "P90D")
	if len(all30) <= 100 || len(all90) <= 200 {
		t.Fatalf("the mock's Global View has %d apps over 30 days and %d over 90; the test needs more than 100 and 200", len(all30), len(all90))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: m.ResetStats,
				Config:    acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "gv" {}`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.mda_discovered_apps.gv", "stream_id", daGlobalViewID),
					resource.TestCheckResourceAttr("data.mda_discovered_apps.gv", "period_days", "30"),
					resource.TestCheckResourceAttr("data.mda_discovered_apps.gv", "max_results", "1000"),
					resource.TestCheckResourceAttr("data.mda_discovered_apps.gv", "id", daGlobalViewID+"/30"),
					checkDiscoveredApps("data.mda_discovered_apps.gv", daExpect(all30, nil), 0),
					checkGraphPages(m, daPages(len(all30))),
				),
			},
			{
				PreConfig: m.ResetStats,
				Config:    acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "gv" { period_days = 90 }`,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDiscoveredApps("data.mda_discovered_apps.gv", daExpect(all90, nil), 0),
					checkGraphPages(m, 3),
				),
			},
		},
	})
}

// TestAccDiscoveredApps_filters: each filter against the Global View over 90 days. The
// server-side ones are seen in the pages read, the client-side ones read every page.
func TestAccDiscoveredApps_filters(t *testing.T) {
	m := acctest.StartGraphMock(t)
	all := acctest.GraphApps(t, m, daGlobalViewID, "P90D")
	risk := func(a daApp) int64 { n, _ := a.num("riskScore"); return n }
	users := func(a daApp) int64 { n, _ := a.num("userCount"); return n }
	cases := []struct {
		name, config string
		server       func(daApp) bool // what Graph filters; nil: nothing
		client       func(daApp) bool // what the provider filters after; nil: nothing
		max          int
	}{
		{name: "category", config: `category = "generativeAi"`,
			server: func(a daApp) bool { return a.str("category") == "generativeAi" }},
		{name: "evolvable category", config: `category = "aiModelProvider"`,
			server: func(a daApp) bool { return a.str("category") == "aiModelProvider" }},
		{name: "high risk", config: `max_risk_score = 4`,
			server: func(a daApp) bool { return risk(a) <= 4 }},
		{name: "risk range", config: "min_risk_score = 5\nmax_risk_score = 7",
			server: func(a daApp) bool { return risk(a) >= 5 && risk(a) <= 7 }},
		{name: "min users", config: `min_users = 40`,
			server: func(a daApp) bool { return users(a) >= 40 }},
		{name: "tags", config: `tags = ["unsanctioned", "monitored"]`,
			client: func(a daApp) bool { return daHasTag(a, "Unsanctioned", "Monitored") }},
		{name: "name contains", config: `name_contains = "DRIVE"`,
			client: func(a daApp) bool { return strings.Contains(strings.ToLower(a.str("displayName")), "drive") }},
		{name: "unsanctioned high risk", config: "tags = [\"unsanctioned\"]\nmax_risk_score = 6",
			server: func(a daApp) bool { return risk(a) <= 6 },
			client: func(a daApp) bool { return daHasTag(a, "unsanctioned") }},
		{name: "max results", config: `max_results = 7`, max: 7},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		server := daExpect(all, c.server)
		want := daExpect(server, c.client)
		if len(want) == 0 || (c.max == 0 && len(want) == len(all)) {
			t.Fatalf("%s: the mock's seed gives %d of %d apps, which proves nothing; pick another value", c.name, len(want), len(all))
		}
		steps = append(steps, resource.TestStep{
			PreConfig: m.ResetStats,
			Config: acctest.GraphProviderConfig(m) + fmt.Sprintf(`data "mda_discovered_apps" "f" {
  period_days = 90
  %s
}`, c.config),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkDiscoveredApps("data.mda_discovered_apps.f", want, c.max),
				checkGraphPages(m, daPages(len(server))),
			),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccDiscoveredApps_streams: an explicit stream costs no stream listing; an empty
// report is an empty list; endpoint streams carry device_count, others leave it null;
// a stream without the optional counts leaves them null.
func TestAccDiscoveredApps_streams(t *testing.T) {
	m := acctest.StartGraphMock(t)
	ids := map[string]string{}
	for _, name := range []string{"Zscaler proxy", "Checkpoint report", "Defender-managed endpoints", "Palo Alto firewall"} {
		ids[name] = acctest.GraphStreamID(t, m, name)
	}
	zscaler := acctest.GraphApps(t, m, ids["Zscaler proxy"], "P7D")
	endpoint := acctest.GraphApps(t, m, ids["Defender-managed endpoints"], "P30D")
	palo := acctest.GraphApps(t, m, ids["Palo Alto firewall"], "P30D")
	if len(acctest.GraphApps(t, m, ids["Checkpoint report"], "P30D")) != 0 || len(endpoint) == 0 || len(palo) == 0 {
		t.Fatal("the mock's seed no longer has an empty Checkpoint report and non-empty endpoint and Palo Alto streams")
	}
	for _, a := range endpoint {
		if _, ok := daApp(a).num("deviceCount"); !ok {
			t.Fatalf("the mock's endpoint app %v has no deviceCount", a)
		}
	}
	if _, ok := daApp(palo[0]).num("userCount"); ok {
		t.Fatalf("the mock's Palo Alto app %v has a userCount; the test needs one without", palo[0])
	}
	m.ResetStats()
	config := acctest.GraphProviderConfig(m) + fmt.Sprintf(`
data "mda_discovered_apps" "zscaler" {
  stream_id   = %q
  period_days = 7
}
data "mda_discovered_apps" "checkpoint" { stream_id = %q }
data "mda_discovered_apps" "endpoint" { stream_id = %q }
data "mda_discovered_apps" "palo" { stream_id = %q }
`, ids["Zscaler proxy"], ids["Checkpoint report"], ids["Defender-managed endpoints"], ids["Palo Alto firewall"])
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.mda_discovered_apps.zscaler", "stream_id", ids["Zscaler proxy"]),
				resource.TestCheckResourceAttr("data.mda_discovered_apps.zscaler", "id", ids["Zscaler proxy"]+"/7"),
				checkDiscoveredApps("data.mda_discovered_apps.zscaler", daExpect(zscaler, nil), 0),
				checkDiscoveredApps("data.mda_discovered_apps.checkpoint", nil, 0),
				checkDiscoveredApps("data.mda_discovered_apps.endpoint", daExpect(endpoint, nil), 0),
				checkDiscoveredApps("data.mda_discovered_apps.palo", daExpect(palo, nil), 0),
				resource.TestCheckNoResourceAttr("data.mda_discovered_apps.palo", "apps.0.users"),
				resource.TestCheckResourceAttr("data.mda_discovered_apps.endpoint", "apps.0.device_count", fmt.Sprint(daExpect(endpoint, nil)[0]["deviceCount"])),
				func(*terraform.State) error {
					if n := m.Stats().Routes[daStreamsRoute]; n != 0 {
						return fmt.Errorf("the streams were listed %d times although every stream_id was given", n)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccDiscoveredApps_throttledThenServed: Graph's 429, with Retry-After and the
// Django-style body seen live, is waited out and the read succeeds. The mock's MDA
// window allows one request an hour, so Graph requests that spent it would be throttled.
func TestAccDiscoveredApps_throttledThenServed(t *testing.T) {
	m := acctest.StartGraphMock(t, func(o *mockserver.Options) { o.Rate, o.Window = 1, time.Hour })
	all := acctest.GraphApps(t, m, daGlobalViewID, "P30D")
	m.ResetStats()
	m.AddFault(mockserver.Fault{
		Match: daAppsRoute, Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": "1"},
		Body: `{"detail":"Request was throttled. Expected available in 1 second."}`,
	})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "gv" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				checkDiscoveredApps("data.mda_discovered_apps.gv", daExpect(all, nil), 0),
				func(*terraform.State) error { return acctest.CheckFaultsSpent(m) },
				func(*terraform.State) error {
					st := m.Stats()
					if st.Throttled != 0 {
						return fmt.Errorf("the mock's MDA window throttled %d requests: Graph requests spent MDA's budget (%v)", st.Throttled, st.Routes)
					}
					for route := range st.Routes {
						if strings.Contains(route, " /api/") {
							return fmt.Errorf("the data source sent MDA API requests: %v", st.Routes)
						}
					}
					// Two pages a read, one of them answered twice (the 429).
					if reads := st.Routes[daStreamsRoute]; reads == 0 || st.Routes[daAppsRoute] != 2*reads+1 {
						return fmt.Errorf("%d reads and %d app pages, want 2 a read plus the throttled one", reads, st.Routes[daAppsRoute])
					}
					return nil
				},
			),
		}},
	})
}

// TestAccDiscoveredApps_forbidden: an app without the Graph permission (no admin
// consent) gets Graph's 403, which the error explains.
func TestAccDiscoveredApps_forbidden(t *testing.T) {
	m := acctest.StartMock(t, acctest.WithGraphApp([]string{}...))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "gv" { stream_id = "` + daGlobalViewID + `" }`,
			ExpectError: expectOneError(`Microsoft Graph answered HTTP 403.*CloudApp-Discovery.Read.All.*admin consent`),
		}},
	})
}

// TestAccDiscoveredApps_faults: what the main request meets fails the read with one
// error and no result; transient faults are retried within max_retries (2) first, so
// they are injected more often than that.
func TestAccDiscoveredApps_faults(t *testing.T) {
	cases := []struct {
		name  string
		route string
		fault mockserver.Fault
		want  *regexp.Regexp
	}{
		{"HTML 404 on the apps", daAppsRoute, mockserver.Fault{Status: http.StatusNotFound, Body: acctest.NotFoundPage}, expectOneError(`Microsoft Graph answered HTTP 404.*graph_url`)},
		{"HTML 404 on the streams", daStreamsRoute, mockserver.Fault{Status: http.StatusNotFound, Body: acctest.NotFoundPage}, expectOneError(`Global view.*404`)},
		{"tenant not found", daAppsRoute, mockserver.Fault{Status: http.StatusNotFound, Body: acctest.TenantNotFound}, expectOneError(`tenant not found`)},
		{"500", daAppsRoute, mockserver.Fault{Status: http.StatusInternalServerError, Body: acctest.ErrorPage(500), Count: 5},
			// The status line's "Internal Server Error:" is an "Error:" too, which expectOneError counts.
			regexp.MustCompile(`Unable to list discovered apps[\s\S]*Microsoft\s+Graph\s+answered\s+HTTP\s+500`)},
		{"dropped connection", daAppsRoute, mockserver.Fault{Drop: true, Count: 5}, expectOneError(`list discovered apps`)},
		{"empty answer", daAppsRoute, mockserver.Fault{Status: http.StatusOK, Body: " "}, expectOneError(`list discovered apps`)},
		{"truncated JSON", daAppsRoute, mockserver.Fault{Status: http.StatusOK, Body: `{"value":[{"id":"1"`}, expectOneError(`list discovered apps`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := acctest.StartGraphMock(t)
			c.fault.Match = c.route
			m.AddFault(c.fault)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "gv" {}`,
					ExpectError: c.want,
				}},
			})
			if m.Stats().Faulted == 0 {
				t.Error("the fault was never hit")
			}
		})
	}
}

// TestAccDiscoveredApps_planTimeRefusals: configurations that cannot call Graph and
// words Graph would refuse fail at plan time, before any request.
func TestAccDiscoveredApps_planTimeRefusals(t *testing.T) {
	entra := acctest.GraphProviderConfigWith
	const gv = `data "mda_discovered_apps" "x" {}`
	cases := []struct {
		name   string
		config func(m *acctest.Mock) string
		want   string
	}{
		{"legacy token", func(m *acctest.Mock) string {
			return strings.Replace(acctest.ProviderConfig(m), "provider \"mda\" {", fmt.Sprintf("provider \"mda\" {\n  graph_url = %q", m.URL()), 1) + gv
		}, `Microsoft Graph cannot be used.*mda_discovered_apps.*CloudApp-Discovery.Read.All.*legacy API token.*Entra application.*admin consent.*No request was sent`},
		{"US Government cloud", func(m *acctest.Mock) string { return entra(m, `environment = "usgovernment"`) + gv },
			`Microsoft Graph cannot be used.*global service only.*usgovernment.*mda_discovery_streams.*No request was sent`},
		{"period", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" { period_days = 14 }`
		},
			`period_days.*7.*30.*90`},
		{"tag in Graph's case", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" { tags = ["Sanctioned"] }`
		}, `tags.*sanctioned.*unsanctioned.*monitored`},
		{"unknown tag", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" { tags = ["blocked"] }`
		},
			`tags.*sanctioned.*unsanctioned.*monitored`},
		{"risk score", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" { min_risk_score = 11 }`
		},
			`min_risk_score.*between 1 and 10`},
		{"empty risk range", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" {
  min_risk_score = 8
  max_risk_score = 3
}`
		}, `Empty risk score range.*min_risk_score \(8\) is above max_risk_score \(3\)`},
		{"max results", func(m *acctest.Mock) string {
			return entra(m, "") + `data "mda_discovered_apps" "x" { max_results = 0 }`
		},
			`max_results.*between 1 and 10000`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := acctest.StartGraphMock(t)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.config(m),
					PlanOnly:    true,
					ExpectError: expectOneError(c.want),
				}},
			})
			// Subtests' ParallelTest returns before the run: check once it is over.
			t.Cleanup(func() {
				// The provider signs in when it is configured; nothing else may be sent.
				for route, n := range m.Stats().Routes {
					if !strings.HasSuffix(route, "/oauth2/v2.0/token") {
						t.Errorf("the mock saw %d requests to %s, want none", n, route)
					}
				}
			})
		})
	}
}

// TestAccDiscoveredApps_azureCLIRefused: with use_cli the provider signs in to MDA through
// az (a stub here), and the data source fails at plan time without asking az for a Graph
// token, which would never carry the permission.
func TestAccDiscoveredApps_azureCLIRefused(t *testing.T) {
	testAccSkipUnlessAcc(t)
	m := acctest.StartGraphMock(t)
	args := testAccStubAz(t, fmt.Sprintf(`{"accessToken": %q, "expires_on": %d, "tokenType": "Bearer"}`,
		m.IssueAccessToken("cli-user@contoso.com", "Discovery.read"), time.Now().Add(time.Hour).Unix()))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "mda" {
  portal_url = %[1]q
  graph_url  = %[1]q
  tenant_id  = %[2]q
  use_cli    = true
}
data "mda_discovered_apps" "x" {}
`, m.URL(), m.Tenant()),
			PlanOnly:    true,
			ExpectError: expectOneError(`Microsoft Graph cannot be used.*Azure CLI tokens never carry.*CloudApp-Discovery.Read.All.*managed identity.*No request was sent`),
		}},
	})
	if st := m.Stats(); st.Total != 0 {
		t.Errorf("the mock saw requests: %v", st.Routes)
	}
	b, _ := os.ReadFile(args)
	if strings.Contains(string(b), "graph") {
		t.Errorf("az was asked for a Graph token: %s", b)
	}
}

// TestAccDiscoveredApps_notFound: a stream id Graph does not know and a tenant without a
// Global view are errors that say which stream_id to set.
func TestAccDiscoveredApps_notFound(t *testing.T) {
	m := acctest.StartGraphMock(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "x" { stream_id = "5f0000000000000000000000" }`,
				ExpectError: expectOneError(`Cloud Discovery stream not found.*"5f0000000000000000000000".*mda_discovery_streams.*itemNotFound`),
			},
			{
				PreConfig: func() {
					m.AddFault(mockserver.Fault{Match: daStreamsRoute, Status: http.StatusOK, Count: 10,
						Body: `{"value":[{"id":"5f0000000000000000000001","displayName":"Zscaler proxy"}]}`})
				},
				Config:      acctest.GraphProviderConfig(m) + `data "mda_discovered_apps" "x" {}`,
				ExpectError: expectOneError(`No Global view stream.*"Global view".*"Zscaler proxy".*stream_id`),
			},
		},
	})
}
