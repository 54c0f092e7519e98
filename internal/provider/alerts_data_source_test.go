package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccAlertsDataSource_filters lists the seeded tenant (300 alerts, three pages) once
// per typed filter and twice with raw filters, and expects exactly the alerts the mock
// holds that match, in the mock's order (newest first).
func TestAccAlertsDataSource_filters(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Alerts()
	if len(all) < 250 {
		t.Fatalf("the mock seeds %d alerts; the paging cases need more than 200", len(all))
	}
	var policyID, ip string
	for _, a := range all {
		if policyID == "" && a.PolicyID != "" && a.Source == "policy" {
			policyID = a.PolicyID
		}
		if ip == "" && len(a.IPs) > 0 {
			ip = a.IPs[0]
		}
	}
	since, until := all[60].Timestamp, all[20].Timestamp

	cases := []struct {
		name, body string
		keep       func(mockserver.Alert) bool
	}{
		{"all", ``, func(mockserver.Alert) bool { return true }},
		{"severity", `severity = ["high", "informational"]`, func(a mockserver.Alert) bool { return a.Severity == 2 || a.Severity == 3 }},
		{"resolution", `resolution = ["benign", "false_positive"]`, func(a mockserver.Alert) bool { return a.Resolution == 4 || a.Resolution == 3 }},
		{"open", `open = true`, func(a mockserver.Alert) bool { return a.Resolution == 0 }},
		{"closed", `open = false`, func(a mockserver.Alert) bool { return a.Resolution != 0 }},
		{"unread", `read = false`, func(a mockserver.Alert) bool { return a.Status == 0 }},
		{"read", `read = true`, func(a mockserver.Alert) bool { return a.Status != 0 }},
		{"window", fmt.Sprintf("since = %q\n  until = %q", formatMillis(since), formatMillis(until)),
			func(a mockserver.Alert) bool { return a.Timestamp >= since && a.Timestamp <= until }},
		{"policy", fmt.Sprintf("policy_id = %q", policyID), func(a mockserver.Alert) bool { return a.PolicyID == policyID }},
		{"service", `service_id = [11161, 20940]`, func(a mockserver.Alert) bool {
			return slices.Contains(a.ServiceIDs, 11161) || slices.Contains(a.ServiceIDs, 20940)
		}},
		{"ip", fmt.Sprintf("entity_ip = %q", ip), func(a mockserver.Alert) bool { return slices.Contains(a.IPs, ip) }},
		{"source", `source = "policy"`, func(a mockserver.Alert) bool { return a.Source == "policy" }},
		{"raw_and_typed", fmt.Sprintf(`severity = ["medium"]
  filters  = jsonencode({ "entity.policy" = { eq = [%q] } })`, policyID),
			func(a mockserver.Alert) bool { return a.Severity == 1 && a.PolicyID == policyID }},
		{"raw_only", `filters = jsonencode({ resolutionStatus = { neq = [0] }, read = { eq = true } })`,
			func(a mockserver.Alert) bool { return a.Resolution != 0 && a.Status != 0 }},
	}

	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	var checks []statecheck.StateCheck
	for _, c := range cases {
		fmt.Fprintf(&cfg, "\ndata \"mda_alerts\" %q {\n  max_results = 5000\n  %s\n}\n", c.name, c.body)
		want := testAccAlertsMatching(all, c.keep)
		if len(want) == 0 || (c.name != "all" && len(want) == len(all)) {
			t.Fatalf("case %s matches %d of %d seeded alerts, which proves nothing", c.name, len(want), len(all))
		}
		addr := "data.mda_alerts." + c.name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("alerts"), testAccAlertIDList(want)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// TestAccAlertsDataSource_paging covers the default budget of 100, a budget that ends
// inside the second page, sorting, and an empty result.
func TestAccAlertsDataSource_paging(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Alerts()
	var open []mockserver.Alert
	for _, a := range all {
		if a.Resolution == 0 {
			open = append(open, a)
		}
	}
	if len(open) <= 150 {
		t.Fatalf("the mock seeds %d open alerts; the case below needs more than 150", len(open))
	}
	oldestOpen := slices.Clone(open)
	slices.Reverse(oldestOpen)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_alerts" "default" {}

data "mda_alerts" "open_150" {
  open        = true
  max_results = 150
}

data "mda_alerts" "oldest_open" {
  open           = true
  sort_field     = "date"
  sort_direction = "asc"
  max_results    = 3
}

data "mda_alerts" "none" {
  policy_id = "000000000000000000000000"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_alerts.default", tfjsonpath.New("alerts"), testAccAlertIDList(all[:100])),
				statecheck.ExpectKnownValue("data.mda_alerts.default", tfjsonpath.New("max_results"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue("data.mda_alerts.default", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(all)))),
				statecheck.ExpectKnownValue("data.mda_alerts.default", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_alerts.open_150", tfjsonpath.New("alerts"), testAccAlertIDList(open[:150])),
				statecheck.ExpectKnownValue("data.mda_alerts.open_150", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(open)))),
				statecheck.ExpectKnownValue("data.mda_alerts.open_150", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_alerts.oldest_open", tfjsonpath.New("alerts"), testAccAlertIDList(oldestOpen[:3])),
				statecheck.ExpectKnownValue("data.mda_alerts.oldest_open", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_alerts.none", tfjsonpath.New("alerts"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.mda_alerts.none", tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.mda_alerts.none", tfjsonpath.New("truncated"), knownvalue.Bool(false)),
			},
		}},
	})
}

// TestAccAlertsDataSource_mapping checks every attribute of one alert against the mock.
func TestAccAlertsDataSource_mapping(t *testing.T) {
	m := acctest.StartMock(t)
	var a mockserver.Alert
	for _, x := range m.Alerts() {
		if x.Resolution == 4 && x.PolicyID != "" && x.ResolveTime != nil {
			a = x
			break
		}
	}
	if a.ID == "" {
		t.Fatal("the mock seeds no alert closed as benign")
	}
	entities := make([]knownvalue.Check, 0, len(a.Entities))
	for _, e := range a.Entities {
		entities = append(entities, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"type":  knownvalue.StringExact(fmt.Sprint(e["type"])),
			"id":    knownvalue.StringExact(fmt.Sprint(e["id"])),
			"label": knownvalue.StringExact(fmt.Sprint(e["label"])),
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_alerts" "one" {
  filters = jsonencode({ id = { eq = [%q] } })
}
`, a.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_alerts.one", tfjsonpath.New("alerts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":              knownvalue.StringExact(a.ID),
						"title":           knownvalue.StringExact(a.Title),
						"description":     knownvalue.StringExact(a.Description),
						"severity":        knownvalue.StringExact(severityNames[a.Severity]),
						"status":          knownvalue.StringExact(alertStatusNames[a.Status]),
						"resolution":      knownvalue.StringExact("benign"),
						"created":         knownvalue.StringExact(formatMillis(a.Timestamp)),
						"resolved_at":     knownvalue.StringExact(formatTime(a.ResolveTime.Truncate(time.Millisecond))),
						"threat_score":    knownvalue.Int64Exact(int64(a.ThreatScore)),
						"is_system_alert": knownvalue.Bool(a.IsSystemAlert),
						"url":             knownvalue.StringRegexp(testAccContains("/#/alerts/" + a.ID)),
						"policy": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":    knownvalue.StringExact(a.PolicyID),
							"label": knownvalue.StringExact(a.PolicyLabel),
						}),
						"entities": knownvalue.ListExact(entities),
						"raw_json": knownvalue.StringRegexp(testAccContains(`"_id":"` + a.ID + `"`)),
					}),
				})),
				statecheck.ExpectKnownValue("data.mda_alerts.one", tfjsonpath.New("total"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

// TestAccAlertsDataSource_validation refuses bad filters at plan time, before any request.
func TestAccAlertsDataSource_validation(t *testing.T) {
	m := acctest.StartMock(t)
	cases := map[string]struct{ body, want string }{
		"not JSON":           {`filters = "{severity"`, `Invalid filters.*must be a JSON object`},
		"JSON array":         {`filters = jsonencode(["severity"])`, `Invalid filters.*must be a JSON object`},
		"JSON null":          {`filters = "null"`, `Invalid filters.*not null`},
		"field not object":   {`filters = jsonencode({ severity = [1] })`, `Invalid filters.*"severity" must be an object of operator`},
		"no operator":        {`filters = jsonencode({ severity = {} })`, `Invalid filters.*"severity" has no operator`},
		"unknown operator":   {`filters = jsonencode({ severity = { equals = [1] } })`, `Invalid filters.*unknown operator "equals".*eq, neq`},
		"typed and raw":      {`severity = ["high"]` + "\n" + `filters = jsonencode({ severity = { eq = [2] } })`, "Filter set twice.*\"severity\".*`severity`"},
		"since and raw date": {`since = "2025-01-01T00:00:00Z"` + "\n" + `filters = jsonencode({ date = { lte = 1 } })`, "Filter set twice.*\"date\".*`since`"},
		"bad since":          {`since = "yesterday"`, `Invalid timestamp.*"yesterday" is not an RFC 3339`},
		"bad severity":       {`severity = ["critical"]`, `Invalid Attribute Value Match.*severity`},
		"empty severity":     {`severity = []`, `Invalid Attribute Value.*severity.*at least 1`},
		"max_results 0":      {`max_results = 0`, `Invalid Attribute Value.*max_results.*between 1 and 5000`},
		"max_results 5001":   {`max_results = 5001`, `Invalid Attribute Value.*max_results.*between 1 and 5000`},
		"direction alone":    {`sort_direction = "asc"`, `Invalid Attribute Combination.*sort_field`},
		"bad sort field":     {`sort_field = "title"`, `Invalid Attribute Value Match.*sort_field`},
	}
	// The subtests are parallel, so they run after this function returns: the count is
	// checked when they have all finished.
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("a refused configuration reached the API: %+v", st.Routes)
		}
	})
	for desc, tc := range cases {
		t.Run(desc, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + fmt.Sprintf("\ndata \"mda_alerts\" \"test\" {\n%s\n}\n", tc.body),
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

func testAccAlertsMatching(all []mockserver.Alert, keep func(mockserver.Alert) bool) []mockserver.Alert {
	var out []mockserver.Alert
	for _, a := range all {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// testAccAlertIDList expects exactly these alerts, in this order, by id.
func testAccAlertIDList(alerts []mockserver.Alert) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(alerts))
	for _, a := range alerts {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(a.ID)}))
	}
	return knownvalue.ListExact(checks)
}

// testAccContains matches a string that contains s.
func testAccContains(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }
