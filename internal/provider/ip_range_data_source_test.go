package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

func TestAccIPRangeDataSource_lookup(t *testing.T) {
	m := acctest.StartMock(t)
	m.SeedSubnets(120, "seeded")
	target, err := m.AddSubnet("lookup-target", 1, []string{"192.0.2.0/24", "2001:db8::/48"}, "hq")
	if err != nil {
		t.Fatal(err)
	}
	var builtInName, builtInID string
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			builtInName, builtInID = s.Name, s.ID
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
data "mda_ip_range" "missing" {
  id = "0123456789abcdef01234567"
}
`,
				ExpectError: expectErrorWords(`IP range not found.*id "0123456789abcdef01234567"`),
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

data "mda_ip_range" "built_in_by_id" {
  id = %q
}
`, target.ID, builtInName, builtInID),
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
					statecheck.ExpectKnownValue("data.mda_ip_range.built_in_by_id", tfjsonpath.New("name"), knownvalue.StringExact(builtInName)),
				},
				// Built-in ranges and missing ones are found (or not) in the shared listings:
				// no range is read from its own route, as a refresh confirming a deletion would.
				Check: func(*terraform.State) error {
					if n := m.Stats().Routes["GET /api/v1/subnet/{id}/"]; n != 0 {
						return fmt.Errorf("%d reads of single ranges, want 0: %v", n, m.Stats().Routes)
					}
					return nil
				},
			},
		},
	})
}
