package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
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
				statecheck.ExpectKnownValue("data.mda_ip_ranges.none", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
	if builtIn == 0 || vpnCount < 2 {
		t.Errorf("the seed gives %d built-in and %d VPN ranges; the filters above prove little", builtIn, vpnCount)
	}
}

func TestAccIPRangeDataSource_lookup(t *testing.T) {
	m := acctest.StartMock(t)
	m.SeedSubnets(120, "seeded")
	target, err := m.AddSubnet("lookup-target", 1, []string{"192.0.2.0/24", "2001:db8::/48"}, "hq")
	if err != nil {
		t.Fatal(err)
	}
	var builtInName string
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			builtInName = s.Name
			break
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Refusals first: the harness destroys with the last step's configuration.
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_ip_range" "missing" {
  name = "no-such-range"
}
`,
				ExpectError: expectErrorWords(`IP range not found.*name "no-such-range"`),
			},
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_ip_range" "both" {
  id   = "0123456789abcdef01234567"
  name = "lookup-target"
}
`,
				ExpectError: expectErrorWords(`Invalid Attribute Combination`),
			},
			{
				Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_ip_range" "by_id" {
  id = %q
}

data "mda_ip_range" "by_name" {
  name = "lookup-target"
}

data "mda_ip_range" "built_in" {
  name = %q
}
`, target.ID, builtInName),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_ip_range.by_id", tfjsonpath.New("name"), knownvalue.StringExact("lookup-target")),
					statecheck.ExpectKnownValue("data.mda_ip_range.by_id", tfjsonpath.New("category"), knownvalue.StringExact("corporate")),
					statecheck.ExpectKnownValue("data.mda_ip_range.by_id", tfjsonpath.New("subnets"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("192.0.2.0/24"), knownvalue.StringExact("2001:db8::/48"),
					})),
					statecheck.ExpectKnownValue("data.mda_ip_range.by_name", tfjsonpath.New("id"), knownvalue.StringExact(target.ID)),
					statecheck.ExpectKnownValue("data.mda_ip_range.by_name", tfjsonpath.New("tags"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("hq")})),
					statecheck.ExpectKnownValue("data.mda_ip_range.built_in", tfjsonpath.New("built_in"), knownvalue.Bool(true)),
				},
			},
		},
	})
}
