package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccIPRangesDataSource_filters lists a tenant of 250 custom ranges (three pages) and
// the mock's built-in ones, and checks each filter against what the mock holds.
func TestAccIPRangesDataSource_filters(t *testing.T) {
	m := acctest.StartMock(t)
	seeded := m.SeedSubnets(250, "seeded")
	vpn, err := m.AddSubnet("vpn-range", 4, []string{"198.51.100.0/24"}, "vpn-gateways")
	if err != nil {
		t.Fatal(err)
	}
	var builtIn, vpnCount int
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			builtIn++
		} else if s.Category == 4 {
			vpnCount++
		}
	}
	custom := len(seeded) + 1
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_ip_ranges" "all" {}

data "mda_ip_ranges" "custom" {
  built_in = false
}

data "mda_ip_ranges" "builtin" {
  built_in = true
}

data "mda_ip_ranges" "vpn" {
  category = "vpn"
  built_in = false
}

data "mda_ip_ranges" "tagged" {
  tags = ["vpn-gateways"]
}

data "mda_ip_ranges" "none" {
  tags = ["no-such-tag"]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_ip_ranges.all", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(custom+builtIn)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(custom)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.builtin", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(builtIn)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.builtin", tfjsonpath.New("ip_ranges").AtSliceIndex(0).AtMapKey("built_in"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.vpn", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(vpnCount)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.tagged", tfjsonpath.New("ip_ranges"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":           knownvalue.StringExact(vpn.ID),
						"name":         knownvalue.StringExact("vpn-range"),
						"category":     knownvalue.StringExact("vpn"),
						"subnets":      knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("198.51.100.0/24")}),
						"organization": knownvalue.Null(),
						"tags":         knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("vpn-gateways")}),
						"built_in":     knownvalue.Bool(false),
					}),
				})),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.tagged", tfjsonpath.New("names"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("vpn-range")})),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.tagged", tfjsonpath.New("ids"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(vpn.ID)})),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.vpn", tfjsonpath.New("names"), knownvalue.SetSizeExact(vpnCount)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ids"), knownvalue.SetSizeExact(custom)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.all", tfjsonpath.New("names"), knownvalue.SetSizeExact(custom+builtIn)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.none", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.none", tfjsonpath.New("names"), knownvalue.SetExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.none", tfjsonpath.New("ids"), knownvalue.SetExact([]knownvalue.Check{})),
			},
		}},
	})
	if builtIn == 0 || vpnCount < 2 {
		t.Errorf("the seed gives %d built-in and %d VPN ranges; the filters above prove little", builtIn, vpnCount)
	}
}

// testAccAWSTagID is the built-in IP tag of Amazon Web Services; the mock names it
// "Amazon Web Services".
const testAccAWSTagID = "000000290000000000000000"

// TestAccIPRangesDataSource_tagsAsTheResourceReadsThem: a range without tags reads as
// tags = null, as mda_ip_range reads it after an import, not []; tags given by id read
// by name; names and ids list exactly the matching ranges.
func TestAccIPRangesDataSource_tagsAsTheResourceReadsThem(t *testing.T) {
	m := acctest.StartMock(t)
	plain, err := m.AddSubnet("plain", 1, []string{"192.0.2.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	tagged, err := m.AddSubnet("tagged", 5, []string{"198.51.100.0/24", "2001:db8::/48"}, testAccAWSTagID, "ops")
	if err != nil {
		t.Fatal(err)
	}
	rangeObject := func(s mockserver.Subnet, category string, subnets, tags []string) knownvalue.Check {
		var tagCheck knownvalue.Check = knownvalue.Null()
		if tags != nil {
			tagCheck = knownvalue.SetExact(stringChecks(tags))
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(s.ID),
			"name":         knownvalue.StringExact(s.Name),
			"category":     knownvalue.StringExact(category),
			"subnets":      knownvalue.SetExact(stringChecks(subnets)),
			"organization": knownvalue.Null(),
			"tags":         tagCheck,
			"built_in":     knownvalue.Bool(false),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_ip_ranges" "custom" {
  built_in = false
}

data "mda_ip_range" "plain" {
  name = "plain"
}

data "mda_ip_range" "tagged" {
  name = "tagged"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ip_ranges"), knownvalue.ListExact([]knownvalue.Check{
					rangeObject(plain, "corporate", []string{"192.0.2.0/24"}, nil),
					rangeObject(tagged, "cloud_provider", []string{"198.51.100.0/24", "2001:db8::/48"}, []string{"Amazon Web Services", "ops"}),
				})),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("names"),
					knownvalue.SetExact(stringChecks([]string{"plain", "tagged"}))),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ids"),
					knownvalue.SetExact(stringChecks([]string{plain.ID, tagged.ID}))),
				statecheck.ExpectKnownValue("data.mda_ip_range.plain", tfjsonpath.New("tags"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.mda_ip_range.tagged", tfjsonpath.New("tags"),
					knownvalue.SetExact(stringChecks([]string{"Amazon Web Services", "ops"}))),
			},
		}},
	})
}

// TestAccIPRangesDataSource_rangesWrittenInTheSameApply reads the data sources after the
// apply that creates a range tagged by id. The apply's provider has listed the ranges
// (the create checks that the name is free) and holds the new range as it was sent, tag
// id and all: the data sources must still show and filter on the tag's name.
func TestAccIPRangesDataSource_rangesWrittenInTheSameApply(t *testing.T) {
	m := acctest.StartMock(t)
	m.SeedSubnets(120, "seeded")
	name := acctest.RandomName("tfacc")
	cfg := acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "new" {
  name     = %q
  category = "cloud_provider"
  subnets  = ["203.0.113.0/24"]
  tags     = [%q, "ops"]
}

resource "mda_ip_range" "untagged" {
  name     = "%[1]s-untagged"
  category = "cloud_provider"
  subnets  = ["203.0.114.0/24"]
}

data "mda_ip_ranges" "aws" {
  built_in = false
  tags     = ["Amazon Web Services"]

  depends_on = [mda_ip_range.new, mda_ip_range.untagged]
}

data "mda_ip_ranges" "cloud" {
  category = "cloud_provider"

  depends_on = [mda_ip_range.new, mda_ip_range.untagged]
}

data "mda_ip_range" "new" {
  name = %[1]q

  depends_on = [mda_ip_range.new]
}
`, name, testAccAWSTagID)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// The reads this test is about happen in the apply, after the creates.
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue("data.mda_ip_ranges.aws", tfjsonpath.New("ip_ranges")),
					plancheck.ExpectUnknownValue("data.mda_ip_range.new", tfjsonpath.New("tags")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_ip_ranges.aws", tfjsonpath.New("names"),
					knownvalue.SetExact(stringChecks([]string{name}))),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.aws", tfjsonpath.New("ip_ranges").AtSliceIndex(0).AtMapKey("tags"),
					knownvalue.SetExact(stringChecks([]string{"Amazon Web Services", "ops"}))),
				statecheck.ExpectKnownValue("data.mda_ip_range.new", tfjsonpath.New("tags"),
					knownvalue.SetExact(stringChecks([]string{"Amazon Web Services", "ops"}))),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.cloud", tfjsonpath.New("names"), knownvalue.SetPartial(
					stringChecks([]string{name, name + "-untagged", "Amazon Web Services", "Microsoft Azure"}))),
			},
		}},
	})
}

// TestAccIPRangesDataSource_adopt adopts a tenant's custom ranges (with and without tags
// and organization, tags by id, IPv6, several subnets, odd names) into resources fed from
// the data source, with import blocks: nothing is updated, and the plan after the import
// is empty. terraform-plugin-testing cannot read instances keyed by strings, so the
// resources are counted here; the for_each form of the docs runs on the real CLI in
// internal/clitest (TestAccIPRangesAdoptForEach).
func TestAccIPRangesDataSource_adopt(t *testing.T) {
	m := acctest.StartMock(t)
	testAccSeedAdoptionTenant(t, m)
	var custom []mockserver.Subnet
	var untagged int
	for _, s := range m.Subnets() {
		if !s.BuiltIn {
			custom = append(custom, s)
			if len(s.Tags) == 0 {
				untagged++
			}
		}
	}
	if untagged < 2 || untagged == len(custom) {
		t.Fatalf("%d of %d ranges are untagged; the test needs both kinds", untagged, len(custom))
	}
	// The data source's order: by name, then id.
	slices.SortFunc(custom, func(a, b mockserver.Subnet) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	var imports strings.Builder
	var noop []plancheck.PlanCheck
	for i, s := range custom {
		addr := fmt.Sprintf("mda_ip_range.adopted[%d]", i)
		fmt.Fprintf(&imports, "\nimport {\n  to = %s\n  id = %q\n}\n", addr, s.ID)
		noop = append(noop, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop))
	}
	cfg := acctest.ProviderConfig(m) + `
data "mda_ip_ranges" "custom" {
  built_in = false
}

resource "mda_ip_range" "adopted" {
  count = length(data.mda_ip_ranges.custom.ip_ranges)

  name         = data.mda_ip_ranges.custom.ip_ranges[count.index].name
  category     = data.mda_ip_ranges.custom.ip_ranges[count.index].category
  subnets      = data.mda_ip_ranges.custom.ip_ranges[count.index].subnets
  organization = data.mda_ip_ranges.custom.ip_ranges[count.index].organization
  tags         = data.mda_ip_ranges.custom.ip_ranges[count.index].tags
}
` + imports.String()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			// Every range is imported as it is (no-op), and the harness then fails the step
			// unless the plan after the apply is empty.
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: noop},
			Check:            testAccCheckNoIPRangeWrites(m),
		}},
		// The harness's destroy then deletes the tenant's ranges: nothing to check.
	})
}

// testAccSeedAdoptionTenant fills m with custom ranges of every shape an adoption meets.
func testAccSeedAdoptionTenant(t *testing.T, m *acctest.Mock) {
	t.Helper()
	m.SeedSubnets(6, "seeded")
	for _, r := range []struct {
		name     string
		category int
		cidrs    []string
		tags     []string
		org      string
	}{
		{name: "plain office", category: 1, cidrs: []string{"192.0.2.0/24"}},
		{name: `Büro "Zürich"`, category: 4, cidrs: []string{"2001:db8::/48", "198.51.100.7", "198.51.101.0/24"}, tags: []string{"vpn-gateways"}},
		{name: "aws egress", category: 5, cidrs: []string{"203.0.113.0/24"}, tags: []string{testAccAWSTagID, "egress"}, org: "Amazon.com, Inc."},
		{name: "isp only", category: 6, cidrs: []string{"203.0.114.0/25"}, org: "Contoso ISP"},
	} {
		s, err := m.AddSubnet(r.name, r.category, r.cidrs, r.tags...)
		if err != nil {
			t.Fatal(err)
		}
		if r.org != "" {
			if err := m.EditSubnet(s.ID, func(s *mockserver.Subnet) { s.Organization = &r.org }); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// testAccCheckNoIPRangeWrites fails when the mock saw any create, update or delete.
func testAccCheckNoIPRangeWrites(m *acctest.Mock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for route, n := range m.Stats().Routes {
			if strings.Contains(route, "_rule/") || strings.HasPrefix(route, "DELETE ") {
				return fmt.Errorf("adopting sent %d requests to %s, want no write: %v", n, route, m.Stats().Routes)
			}
		}
		return nil
	}
}

func stringChecks(ss []string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(ss))
	for i, s := range ss {
		out[i] = knownvalue.StringExact(s)
	}
	return out
}
