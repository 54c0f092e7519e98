package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// testAccActivityCase is one mda_activities configuration and the seeded activities it
// must return.
type testAccActivityCase struct {
	name, body string
	keep       func(mockserver.Activity) bool
}

// TestAccActivitiesDataSource_filters lists the seeded tenant (5 000 activities) once per
// typed filter, with raw filters, sorted, and with no match, and expects the first 40 of
// the activities the mock holds that match, in the mock's order, and their count.
func TestAccActivitiesDataSource_filters(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Activities()
	var withAlert, withFile mockserver.Activity
	for _, a := range all {
		if withAlert.ID == "" && len(a.AlertIDs) > 0 && len(a.PolicyIDs) > 0 {
			withAlert = a
		}
		if withFile.ID == "" && a.FileID != "" {
			withFile = a
		}
	}
	since, until := all[3000].Timestamp, all[1000].Timestamp
	createdSince := all[200].Created

	cases := []testAccActivityCase{
		{"all", ``, func(mockserver.Activity) bool { return true }},
		{"app_id", `app_id = [11161, 20893]`, func(a mockserver.Activity) bool { return a.AppID == 11161 || a.AppID == 20893 }},
		{"instance", `instance = [1]`, func(a mockserver.Activity) bool { return a.Instance == 1 }},
		{"action_type", `action_type = ["FileDownloaded", "download"]`, func(a mockserver.Activity) bool {
			return a.ActionType == "FileDownloaded" || a.ActionType == "download"
		}},
		{"event_type", `event_type = ["assignPrivilege"]`, func(a mockserver.Activity) bool { return a.EventActionType == "assignPrivilege" }},
		{"user", `user = ["bob@contoso.com", "ivan@fabrikam.com"]`, func(a mockserver.Activity) bool {
			return a.User == "bob@contoso.com" || a.User == "ivan@fabrikam.com"
		}},
		{"user_prefix", `user_prefix = "judy"`, func(a mockserver.Activity) bool { return strings.HasPrefix(a.User, "judy") }},
		{"user_domain", `user_domain = ["Fabrikam.com"]`, func(a mockserver.Activity) bool { return a.UserDomain() == "fabrikam.com" }},
		{"ip_address", `ip_address = ["192.0.2.55"]`, func(a mockserver.Activity) bool { return a.IP == "192.0.2.55" }},
		{"ip_prefix", `ip_prefix = ["185.220.101.", "2001:db8:"]`, func(a mockserver.Activity) bool {
			return strings.HasPrefix(a.IP, "185.220.101.") || strings.HasPrefix(a.IP, "2001:db8:")
		}},
		{"ip_category", `ip_category = ["risky", "vpn"]`, func(a mockserver.Activity) bool { return a.IPCategory == 3 || a.IPCategory == 4 }},
		{"ip_tags", `ip_tags = ["2dfa95cd7922d979d66fcff5"]`, func(a mockserver.Activity) bool { return slices.Contains(a.IPTags, "2dfa95cd7922d979d66fcff5") }},
		{"country", `country = ["NL", "SE"]`, func(a mockserver.Activity) bool { return a.Country == "NL" || a.Country == "SE" }},
		{"window", fmt.Sprintf("since = %q\n  until = %q", formatMillis(since), formatMillis(until)),
			func(a mockserver.Activity) bool { return a.Timestamp >= since && a.Timestamp <= until }},
		{"created_since", fmt.Sprintf("created_since = %q", formatMillis(createdSince)),
			func(a mockserver.Activity) bool { return a.Created >= createdSince }},
		{"admin", `admin_only = true`, func(a mockserver.Activity) bool { return a.Admin }},
		{"not_admin", `admin_only = false`, func(a mockserver.Activity) bool { return !a.Admin }},
		{"impersonated", `impersonated = true`, func(a mockserver.Activity) bool { return a.Impersonated }},
		{"alert_id", fmt.Sprintf("alert_id = %q", "ca"+strings.ToUpper(withAlert.AlertIDs[0])), func(a mockserver.Activity) bool {
			return slices.Contains(a.AlertIDs, withAlert.AlertIDs[0])
		}},
		{"policy_id", fmt.Sprintf("policy_id = %q", withAlert.PolicyIDs[0]), func(a mockserver.Activity) bool {
			return slices.Contains(a.PolicyIDs, withAlert.PolicyIDs[0])
		}},
		{"file_id", fmt.Sprintf("file_id = %q", withFile.FileID), func(a mockserver.Activity) bool { return a.FileID == withFile.FileID }},
		{"source", `source = ["discovery", "defender_for_endpoint"]`, func(a mockserver.Activity) bool { return a.Source == 5 || a.Source == 6 }},
		{"device_type", `device_type = ["tablet"]`, func(a mockserver.Activity) bool { return a.DeviceType == "TABLET" }},
		{"text", `text = "payroll"`, func(a mockserver.Activity) bool { return a.FileName == "payroll-2024.xlsx" }},
		{"raw_and_typed", `app_id  = [15600]
  filters = jsonencode({ "location.organizations" = { contains = ["contoso"] }, "userAgent.userAgent" = { contains = ["iphone"] } })`,
			func(a mockserver.Activity) bool {
				return a.AppID == 15600 && strings.Contains(a.Organization, "Contoso") && strings.Contains(a.UserAgent, "iPhone")
			}},
	}

	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	var checks []statecheck.StateCheck
	for _, c := range cases {
		fmt.Fprintf(&cfg, "\ndata \"mda_activities\" %q {\n  max_results = 40\n  %s\n}\n", c.name, c.body)
		want := testAccActivitiesMatching(all, c.keep)
		if len(want) == 0 || (c.name != "all" && len(want) == len(all)) {
			t.Fatalf("case %s matches %d of %d seeded activities, which proves nothing", c.name, len(want), len(all))
		}
		addr := "data.mda_activities." + c.name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("activities"), testAccActivityIDList(want[:min(40, len(want))])),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("truncated"), knownvalue.Bool(len(want) > 40)),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// TestAccActivitiesDataSource_paging covers paging past 100, a sort, the default budget,
// an empty result, and what one activity shows.
func TestAccActivitiesDataSource_paging(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Activities()
	mail := testAccActivitiesMatching(all, func(a mockserver.Activity) bool { return a.AppID == 20893 })
	if len(mail) <= 250 {
		t.Fatalf("the mock seeds %d Exchange activities; the case below needs more than 250", len(mail))
	}
	byCreated := slices.Clone(mail)
	slices.SortStableFunc(byCreated, func(a, b mockserver.Activity) int {
		if a.Created != b.Created {
			return int(a.Created - b.Created)
		}
		return strings.Compare(a.ID, b.ID)
	})
	first := all[0]
	var withAlert mockserver.Activity
	for _, a := range all {
		if len(a.AlertIDs) > 0 && a.CreatedFloat {
			withAlert = a
			break
		}
	}
	if withAlert.ID == "" {
		t.Fatal("no seeded activity has both an alert and created written as a float")
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_activities" "default" {}

data "mda_activities" "mail_250" {
  app_id      = [20893]
  max_results = 250
}

data "mda_activities" "mail_oldest_stored" {
  app_id         = [20893]
  sort_field     = "created"
  sort_direction = "asc"
  max_results    = 5
}

data "mda_activities" "none" {
  user = ["nobody@contoso.com"]
}

data "mda_activities" "one" {
  filters     = jsonencode({ "activity.id" = { eq = [%[1]q] } })
}

data "mda_activities" "alerted" {
  filters     = jsonencode({ "activity.id" = { eq = [%[2]q] } })
}
`, first.ID, withAlert.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_activities.default", tfjsonpath.New("activities"), testAccActivityIDList(all[:100])),
				statecheck.ExpectKnownValue("data.mda_activities.default", tfjsonpath.New("max_results"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue("data.mda_activities.default", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(all)))),
				statecheck.ExpectKnownValue("data.mda_activities.default", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_activities.mail_250", tfjsonpath.New("activities"), testAccActivityIDList(mail[:250])),
				statecheck.ExpectKnownValue("data.mda_activities.mail_250", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(mail)))),
				statecheck.ExpectKnownValue("data.mda_activities.mail_250", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_activities.mail_oldest_stored", tfjsonpath.New("activities"), testAccActivityIDList(byCreated[:5])),

				statecheck.ExpectKnownValue("data.mda_activities.none", tfjsonpath.New("activities"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.mda_activities.none", tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.mda_activities.none", tfjsonpath.New("truncated"), knownvalue.Bool(false)),

				statecheck.ExpectKnownValue("data.mda_activities.one", tfjsonpath.New("activities").AtSliceIndex(0), testAccActivityObject(first)),
				statecheck.ExpectKnownValue("data.mda_activities.alerted", tfjsonpath.New("activities").AtSliceIndex(0), testAccActivityObject(withAlert)),
			},
		}},
	})
}

// TestAccActivityDataSource refuses a malformed id at plan time, fails clearly for an
// unknown one, and reads one activity by id (last, so the destroy has a valid config).
func TestAccActivityDataSource(t *testing.T) {
	m := acctest.StartMock(t)
	a := m.Activities()[17]
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_activity" "bad" {
  id = "a/b"
}
`,
				ExpectError: regexp.MustCompile(`must be an activity id`),
			},
			{
				PreConfig: func() {
					if n := m.Stats().Routes["GET /api/v1/activities/{id}/"]; n != 0 {
						t.Errorf("the malformed id cost %d requests, want 0", n)
					}
				},
				Config: acctest.ProviderConfig(m) + `
data "mda_activity" "missing" {
  id = "97134000_15600_00000000-0000-0000-0000-000000000000"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Activity not found.*MDA has no activity with the id`),
			},
			{
				Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_activity" "found" {
  id = %q
}
`, a.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_activity.found", tfjsonpath.New("id"), knownvalue.StringExact(a.ID)),
					statecheck.ExpectKnownValue("data.mda_activity.found", tfjsonpath.New("time"), knownvalue.StringExact(formatMillis(a.Timestamp))),
					statecheck.ExpectKnownValue("data.mda_activity.found", tfjsonpath.New("user_name"), knownvalue.StringExact(a.User)),
					statecheck.ExpectKnownValue("data.mda_activity.found", tfjsonpath.New("raw_json"), knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(`"_id":"`+a.ID+`"`)))),
				},
			},
		},
	})
}

// TestAccActivitiesDataSource_scanExactlyOnce pulls all 5 000 seeded activities with
// max_results = 5000, which is scan mode, while the mock adds activities between pages:
// each seeded activity comes exactly once, in order, none of the newcomers, and each
// read costs ceil(5000 / 100) requests (+1). Not parallel: it counts requests.
func TestAccActivitiesDataSource_scanExactlyOnce(t *testing.T) {
	m := acctest.StartMock(t)
	seeded := m.Activities()
	if len(seeded) != 5000 {
		t.Fatalf("the mock seeds %d activities; this test pulls exactly 5000", len(seeded))
	}
	// Each scan (plan and apply both read the data source) sees activities arrive during
	// it; they are gone again once it ends, so every scan starts from the seed and must
	// return exactly the seed.
	var mu sync.Mutex
	var scans []int // pages per scan
	var arrived []string
	added := 0
	m.OnActivityScanPage(func(p mockserver.ActivityScanPage) {
		mu.Lock()
		defer mu.Unlock()
		if p.First {
			scans = append(scans, 0)
		}
		if len(scans) == 0 {
			return
		}
		scans[len(scans)-1]++
		if n := scans[len(scans)-1]; n%10 == 5 && p.HasNext {
			for _, a := range m.AddActivities(mockserver.Activity{AppID: 11161, User: "newcomer@contoso.com", ActionType: "UserLoggedIn"},
				mockserver.Activity{AppID: 15600, User: "alice@contoso.com", ActionType: "FileUploaded"}) {
				arrived = append(arrived, a.ID)
			}
			added += 2
		}
		if !p.HasNext {
			m.DeleteActivities(arrived...)
			arrived = nil
		}
	})
	want := make([]string, len(seeded))
	for i, a := range seeded {
		want[i] = a.ID
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_activities" "all" {
  max_results      = 5000
  since            = "2000-01-01T00:00:00Z"
  include_raw_json = false
}
`,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("data.mda_activities.all", "activities.#", "5000"),
				resource.TestCheckResourceAttr("data.mda_activities.all", "total", "5000"),
				resource.TestCheckResourceAttr("data.mda_activities.all", "truncated", "false"),
				resource.TestCheckNoResourceAttr("data.mda_activities.all", "activities.0.raw_json"),
				func(s *terraform.State) error {
					attrs := s.RootModule().Resources["data.mda_activities.all"].Primary.Attributes
					seen := make(map[string]bool, len(want))
					for i, id := range want {
						got := attrs[fmt.Sprintf("activities.%d.id", i)]
						if seen[got] {
							return fmt.Errorf("activity %s listed twice", got)
						}
						seen[got] = true
						if got != id {
							return fmt.Errorf("activity %d is %s, want %s (the seeded activities, newest first, each once)", i, got, id)
						}
					}
					mu.Lock()
					defer mu.Unlock()
					if len(scans) == 0 || added == 0 {
						return fmt.Errorf("no scan ran (%d scans) or nothing arrived during one (%d added)", len(scans), added)
					}
					for i, pages := range scans {
						if pages < 50 || pages > 51 {
							return fmt.Errorf("scan %d of %d took %d requests, want ceil(5000/100) = 50 (+1)", i+1, len(scans), pages)
						}
					}
					return nil
				},
			),
		}},
	})
}

func testAccActivitiesMatching(all []mockserver.Activity, keep func(mockserver.Activity) bool) []mockserver.Activity {
	var out []mockserver.Activity
	for _, a := range all {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// testAccActivityIDList checks a list of activities by id, in order.
func testAccActivityIDList(want []mockserver.Activity) knownvalue.Check {
	checks := make([]knownvalue.Check, len(want))
	for i, a := range want {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(a.ID)})
	}
	return knownvalue.ListExact(checks)
}

// testAccActivityObject checks every mapped attribute of one activity.
func testAccActivityObject(a mockserver.Activity) knownvalue.Check {
	ids := func(xs []string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(xs))
		for i, x := range xs {
			checks[i] = knownvalue.StringExact(x)
		}
		return knownvalue.ListExact(checks)
	}
	apps := map[int]string{11161: "Office 365", 15600: "Microsoft OneDrive for Business", 20892: "Microsoft SharePoint Online",
		20893: "Microsoft Exchange Online", 11770: "Google Workspace", 10489: "Box", 11114: "Salesforce", 11599: "Amazon Web Services"}
	sources := map[int]string{0: "access_control", 1: "session_control", 2: "app_connector", 3: "app_connector_analysis", 5: "discovery", 6: "defender_for_endpoint"}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":          knownvalue.StringExact(a.ID),
		"time":        knownvalue.StringExact(formatMillis(a.Timestamp)),
		"created":     knownvalue.StringExact(formatMillis(a.Created)),
		"app_id":      knownvalue.Int64Exact(int64(a.AppID)),
		"app_name":    knownvalue.StringExact(apps[a.AppID]),
		"event_type":  knownvalue.StringExact(a.EventType),
		"action_type": knownvalue.StringExact(a.ActionType),
		"description": knownvalue.StringExact(a.Description),
		"severity":    knownvalue.StringExact(strings.ToLower(a.Severity)),
		"user_name":   knownvalue.StringExact(a.User),
		"ip_address":  knownvalue.StringExact(a.IP),
		"country":     knownvalue.StringExact(a.Country),
		"city":        knownvalue.StringExact(a.City),
		"isp":         knownvalue.StringExact(a.Organization),
		"user_agent":  knownvalue.StringExact(a.UserAgent),
		"device_type": knownvalue.StringExact(strings.ToLower(a.DeviceType)),
		"source":      knownvalue.StringExact(sources[a.Source]),
		"alert_ids":   ids(a.AlertIDs),
		"policy_ids":  ids(a.PolicyIDs),
		"raw_json":    knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(`"_id":"` + a.ID + `"`))),
	})
}

// TestAccActivitiesDataSource_faults: MDA's 500 page on the third request of a scan fails
// the read with an error naming the status, not a partial list; the portal's HTML 404 on
// an activity's own route (a wrong portal_url) is an error naming the portal, not "not
// found".
func TestAccActivitiesDataSource_faults(t *testing.T) {
	m := acctest.StartMock(t)
	m.OnActivityScanPage(func(p mockserver.ActivityScanPage) {
		if p.N == 2 {
			m.AddFault(mockserver.Fault{Match: "POST /api/v1/activities/", Status: 500, Count: 100, Body: acctest.ErrorPage(500)})
		}
	})
	id := m.Activities()[0].ID
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderConfig(m) + `data "mda_activities" "big" { max_results = 2000 }`,
				ExpectError: expectErrorWords(`Unable to list activities .* HTTP 500`),
			},
			{
				PreConfig: func() {
					m.ClearFaults()
					m.AddFault(mockserver.Fault{Match: "GET /api/v1/activities/{id}/", Status: 404, Count: 100, Body: acctest.NotFoundPage})
				},
				Config:      acctest.ProviderConfig(m) + fmt.Sprintf(`data "mda_activity" "one" { id = %q }`, id),
				ExpectError: expectErrorWords(`Unable to read activity .* HTTP 404 .*` + regexp.QuoteMeta(m.URL())),
			},
		},
	})
}

// TestAccActivitiesDataSource_refused: configurations MDA would refuse, or that say one
// thing twice, fail at plan time without a request.
func TestAccActivitiesDataSource_refused(t *testing.T) {
	m := acctest.StartMock(t)
	noRequest := func() {
		if n := m.Stats().Routes["POST /api/v1/activities/"]; n != 0 {
			t.Errorf("a refused configuration cost %d requests, want 0", n)
		}
	}
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   noRequest,
			Config:      acctest.ProviderConfig(m) + "data \"mda_activities\" \"x\" {\n" + body + "\n}\n",
			ExpectError: expectErrorWords(want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`country = ["us"]`, `two-letter ISO 3166 country code`),
			step(`source = ["api"]`, `value must be one of`),
			step(`device_type = ["DESKTOP"]`, `value must be one of`),
			step(`since = "yesterday"`, `not an RFC 3339 timestamp`),
			step(`max_results = 20001`, `between 1 and 20000`),
			step(`user = ["bob@contoso.com"]
  filters = jsonencode({ "user.username" = { startswith = ["b"] } })`, `"user.username" is set both by .user. and .user_prefix. and by .filters.`),
			step(`filters = jsonencode({ service = { like = [1] } })`, `unknown operator "like"`),
			step(`sort_direction = "asc"`, `sort_field`),
			{PreConfig: noRequest, Config: acctest.ProviderConfig(m), PlanOnly: true},
		},
	})
}
