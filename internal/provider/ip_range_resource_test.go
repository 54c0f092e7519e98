package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const testAccIPRangeAddr = "mda_ip_range.test"

func TestAccIPRangeResource_basic(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	cfg := testAccIPRangeResourceConfig(m, name, "vpn", `["10.1.0.0/16"]`, "")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccIPRangeAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`))),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("category"), knownvalue.StringExact("vpn")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("subnets"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("10.1.0.0/16")})),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("organization"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: testAccCheckMockIPRange(m, name, func(s mockserver.Subnet) error {
					if s.Category != 4 || len(s.Subnets) != 1 || s.Subnets[0].OriginalString != "10.1.0.0/16" {
						return fmt.Errorf("mock holds category %d, subnets %+v", s.Category, s.Subnets)
					}
					return nil
				}),
			},
			{ResourceName: testAccIPRangeAddr, ImportState: true, ImportStateVerify: true},
			{
				ResourceName: testAccIPRangeAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: "name:" + name,
			},
			// An import block: plugin-testing asserts a no-op import plan (ImportStateVerify
			// is not allowed for plannable imports).
			{Config: cfg, ResourceName: testAccIPRangeAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
			{
				Config: cfg, ResourceName: testAccIPRangeAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateId: "name:" + name,
			},
			{
				Config: testAccIPRangeResourceConfig(m, name, "corporate", `["10.1.0.0/16"]`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccIPRangeAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("category"), knownvalue.StringExact("corporate")),
				},
			},
			{
				Config: testAccIPRangeResourceConfig(m, name, "corporate", `["10.1.0.0/16", "2001:db8::/32"]`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccIPRangeAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("subnets"), knownvalue.SetSizeExact(2)),
				},
			},
			{
				Config: testAccIPRangeResourceConfig(m, name, "corporate", `["10.1.0.0/16", "2001:db8::/32"]`, `
  organization = "Contoso ISP"
  tags         = ["branch-office", "000000290000000000000000"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccIPRangeAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("organization"), knownvalue.StringExact("Contoso ISP")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("branch-office"), knownvalue.StringExact("000000290000000000000000"),
					})),
				},
				Check: testAccCheckMockIPRange(m, name, func(s mockserver.Subnet) error {
					if s.Organization == nil || *s.Organization != "Contoso ISP" || len(s.Tags) != 2 {
						return fmt.Errorf("mock holds organization %v, tags %+v", s.Organization, s.Tags)
					}
					return nil
				}),
			},
			{ // Removing optional attributes clears them in MDA (update is a full replace).
				Config: testAccIPRangeResourceConfig(m, name, "corporate", `["10.1.0.0/16", "2001:db8::/32"]`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("organization"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: testAccCheckMockIPRange(m, name, func(s mockserver.Subnet) error {
					if s.Organization != nil || len(s.Tags) != 0 {
						return fmt.Errorf("mock still holds organization %v, tags %+v", s.Organization, s.Tags)
					}
					return nil
				}),
			},
			{ // Rename in place: same id, new name.
				Config: testAccIPRangeResourceConfig(m, name+"-renamed", "corporate", `["10.1.0.0/16", "2001:db8::/32"]`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccIPRangeAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
				},
			},
		},
	})
}

func TestAccIPRangeResource_drift(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	cfg := testAccIPRangeResourceConfig(m, name, "vpn", `["10.2.0.1/16", "10.3.4.5"]`, `
  tags = ["vpn-gateways"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // A portal edit of the category plans an in-place update, and the plan after it is empty.
				PreConfig: func() { testAccEditMockIPRange(t, m, name, func(s *mockserver.Subnet) { s.Category = 3 }) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ // A portal edit of the subnets (a network added) is drift too.
				PreConfig: func() {
					testAccEditMockIPRange(t, m, name, func(s *mockserver.Subnet) {
						s.Subnets = append(s.Subnets, mockserver.SubnetCIDR{OriginalString: "172.16.0.0/12"})
					})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{ // Respelling the same networks in the portal is not drift: the plan is empty.
				PreConfig: func() {
					testAccEditMockIPRange(t, m, name, func(s *mockserver.Subnet) {
						s.Subnets = []mockserver.SubnetCIDR{{OriginalString: "10.3.4.5/32"}, {OriginalString: "10.2.0.0/16"}}
					})
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{ // Tags removed in the portal come back.
				PreConfig: func() { testAccEditMockIPRange(t, m, name, func(s *mockserver.Subnet) { s.Tags = nil }) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{ // Deleted in the portal: the plan re-creates it, never an error.
				PreConfig: func() { testAccDeleteMockIPRange(t, m, name) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// TestAccIPRangeResource_spellings applies subnets written in every way MDA keeps
// verbatim but means the same, and relies on the harness's plan after apply being empty.
func TestAccIPRangeResource_spellings(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{
				Config: testAccIPRangeResourceConfig(m, name, "corporate",
					`["10.0.0.1/8", "10.0.0.0/8", "10.1.2.3", "192.168.7.0/24", "192.168.7.0/24", "2001:0db8:0000:0000:0000:0000:0000:0000/32", "2001:db8:1::1"]`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("subnets"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("10.0.0.1/8"), knownvalue.StringExact("10.0.0.0/8"), knownvalue.StringExact("10.1.2.3"),
						knownvalue.StringExact("192.168.7.0/24"), knownvalue.StringExact("2001:0db8:0000:0000:0000:0000:0000:0000/32"),
						knownvalue.StringExact("2001:db8:1::1"),
					})),
				},
				// One network is sent once, however many ways it was written.
				Check: testAccCheckMockIPRange(m, name, func(s mockserver.Subnet) error {
					if len(s.Subnets) != 5 {
						return fmt.Errorf("mock holds %d subnets, want 5: %+v", len(s.Subnets), s.Subnets)
					}
					return nil
				}),
			},
			{ // Respelling the configuration is an update (Terraform compares configuration and
				// state literally); the harness's plan after it must be empty again.
				Config: testAccIPRangeResourceConfig(m, name, "corporate",
					`["10.0.0.0/8", "10.1.2.3/32", "192.168.7.0/24", "2001:db8::/32", "2001:db8:1:0:0:0:0:1"]`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

func TestAccIPRangeResource_duplicateName(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	existing, err := m.AddSubnet(name, 1, []string{"10.9.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccIPRangeResourceConfig(m, name, "corporate", `["10.9.0.0/16"]`, ""),
			ExpectError: expectErrorWords(fmt.Sprintf(`IP range already exists.*%s.*terraform import <address> %s.*import \{.*id = "name:%s"`,
				regexp.QuoteMeta(name), existing.ID, regexp.QuoteMeta(name))),
		}},
	})
	if got := len(testAccMockRangesNamed(m, name)); got != 1 {
		t.Errorf("mock holds %d ranges named %s after the refused create, want 1", got, name)
	}
}

func TestAccIPRangeResource_validation(t *testing.T) {
	m := acctest.StartMock(t)
	cases := map[string]struct {
		name, category, subnets, extra, want string
	}{
		"invalid CIDR":     {"ok", "vpn", `["10.0.0.0/33"]`, "", `Invalid subnet.*subnets.*10.0.0.0/33`},
		"not an address":   {"ok", "vpn", `["10.0.0"]`, "", `Invalid subnet.*"10.0.0" is not an IPv4 or IPv6 address`},
		"unknown category": {"ok", "office", `["10.0.0.0/8"]`, "", `Invalid Attribute Value Match.*category.*corporate`},
		"empty subnets":    {"ok", "vpn", `[]`, "", `Invalid Attribute Value.*subnets.*at least 1`},
		"empty name":       {"", "vpn", `["10.0.0.0/8"]`, "", `Invalid Attribute Value Length.*name`},
		"blank name":       {"  ", "vpn", `["10.0.0.0/8"]`, "", `Invalid Attribute Value Match.*name.*white space`},
		"empty tag":        {"ok", "vpn", `["10.0.0.0/8"]`, `tags = [""]`, `Invalid Attribute Value Length.*tags`},
		"empty org":        {"ok", "vpn", `["10.0.0.0/8"]`, `organization = ""`, `Invalid Attribute Value Length.*organization`},
	}
	for desc, tc := range cases {
		t.Run(desc, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccIPRangeResourceConfig(m, tc.name, tc.category, tc.subnets, tc.extra),
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
	if st := m.Stats(); st.Routes["POST /api/v1/subnet/create_rule/"] != 0 {
		t.Errorf("a refused configuration reached the API: %+v", st.Routes)
	}
}

// TestAccIPRangeResource_ambiguousCreate covers creates whose answer is lost: the mock
// makes the range and then drops the connection, or fails before making it. Either way the
// provider looks the name up and ends with exactly one range.
func TestAccIPRangeResource_ambiguousCreate(t *testing.T) {
	for desc, fault := range map[string]mockserver.Fault{
		"dropped after create": {Match: "POST /api/v1/subnet/create_rule/", Drop: true, After: true, Count: 1},
		"503 after create":     {Match: "POST /api/v1/subnet/create_rule/", Status: 503, After: true, Count: 1},
		"503 before create":    {Match: "POST /api/v1/subnet/create_rule/", Status: 503, Count: 1},
	} {
		t.Run(desc, func(t *testing.T) {
			m := acctest.StartMock(t)
			name := acctest.RandomName("tfacc")
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckIPRangeDestroy(m),
				Steps: []resource.TestStep{{
					PreConfig: func() { m.AddFault(fault) },
					Config:    testAccIPRangeResourceConfig(m, name, "risky", `["203.0.113.0/24"]`, ""),
					Check: func(*terraform.State) error {
						if n := len(testAccMockRangesNamed(m, name)); n != 1 {
							return fmt.Errorf("mock holds %d ranges named %s, want exactly 1", n, name)
						}
						return nil
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(testAccIPRangeAddr, tfjsonpath.New("category"), knownvalue.StringExact("risky")),
					},
				}},
			})
		})
	}
}

// TestAccIPRangeResource_importBuiltIn refuses to manage a range Microsoft maintains.
func TestAccIPRangeResource_importBuiltIn(t *testing.T) {
	m := acctest.StartMock(t)
	var builtIn mockserver.Subnet
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			builtIn = s
			break
		}
	}
	if builtIn.ID == "" {
		t.Fatal("the mock seeds no built-in range")
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        testAccIPRangeResourceConfig(m, builtIn.Name, "cloud_provider", `["10.0.0.0/8"]`, ""),
			ResourceName:  testAccIPRangeAddr,
			ImportState:   true,
			ImportStateId: builtIn.ID,
			ExpectError:   expectErrorWords(`Built-in IP range cannot be managed.*mda_ip_ranges data source`),
		}},
	})
}

// TestAccIPRangeResource_refreshBudget shows that refreshing 150 managed ranges in a
// tenant holding 250 costs the listing's pages and nothing more.
func TestAccIPRangeResource_refreshBudget(t *testing.T) {
	m := acctest.StartMock(t)
	m.SeedSubnets(100, "unmanaged")
	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	cfg.WriteString(`
resource "mda_ip_range" "r" {
  count    = 150
  name     = "managed-${count.index}"
  category = "corporate"
  subnets  = ["10.${floor(count.index / 100)}.${count.index % 100}.0/24"]
}
`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.String()},
			{
				PreConfig:    m.ResetStats,
				RefreshState: true,
				Check: func(*terraform.State) error {
					st := m.Stats()
					if len(m.Subnets()) < 250 {
						return fmt.Errorf("tenant holds %d ranges, want at least 250", len(m.Subnets()))
					}
					if st.Total > 3 {
						return fmt.Errorf("refreshing 150 ranges in a tenant of %d cost %d requests (%v), want at most 3",
							len(m.Subnets()), st.Total, st.Routes)
					}
					t.Logf("refreshing 150 of %d ranges cost %d requests: %v", len(m.Subnets()), st.Total, st.Routes)
					return nil
				},
			},
		},
	})
}

func testAccIPRangeResourceConfig(m *acctest.Mock, name, category, subnets, extra string) string {
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "test" {
  name     = %[1]q
  category = %[2]q
  subnets  = %[3]s
%[4]s
}
`, name, category, subnets, extra)
}

// testAccCheckIPRangeDestroy asks the mock whether any range in the state still exists.
func testAccCheckIPRangeDestroy(m *acctest.Mock) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "mda_ip_range" {
				continue
			}
			if _, ok := m.Subnet(rs.Primary.ID); ok {
				return fmt.Errorf("IP range %s still exists in the mock after destroy", rs.Primary.ID)
			}
		}
		return nil
	}
}

// testAccCheckMockIPRange checks what the mock holds for the range named name.
func testAccCheckMockIPRange(m *acctest.Mock, name string, check func(mockserver.Subnet) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, ok := m.FindSubnetByName(name)
		if !ok {
			return fmt.Errorf("mock has no range named %s", name)
		}
		return check(s)
	}
}

// testAccEditMockIPRange changes a range behind Terraform's back, as a portal user would.
func testAccEditMockIPRange(t *testing.T, m *acctest.Mock, name string, edit func(*mockserver.Subnet)) {
	t.Helper()
	s, ok := m.FindSubnetByName(name)
	if !ok {
		t.Fatalf("mock has no range named %s", name)
	}
	if err := m.EditSubnet(s.ID, edit); err != nil {
		t.Fatalf("editing range %s in the mock: %s", name, err)
	}
}

// testAccDeleteMockIPRange deletes a range behind Terraform's back, as the portal would.
func testAccDeleteMockIPRange(t *testing.T, m *acctest.Mock, name string) {
	t.Helper()
	s, ok := m.FindSubnetByName(name)
	if !ok || !m.DeleteSubnet(s.ID) {
		t.Fatalf("mock has no range named %s to delete", name)
	}
}

func testAccMockRangesNamed(m *acctest.Mock, name string) []mockserver.Subnet {
	var out []mockserver.Subnet
	for _, s := range m.Subnets() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// testAccThreeIPRanges is a configuration of three managed ranges.
func testAccThreeIPRanges(m *acctest.Mock, prefix string) string {
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "r" {
  count    = 3
  name     = "%s-${count.index}"
  category = "corporate"
  subnets  = ["10.77.${count.index}.0/24"]
}
`, prefix)
}

// testAccCheckIPRangesInState checks that the state holds n mda_ip_range instances and
// that the mock still holds each of them.
func testAccCheckIPRangesInState(m *acctest.Mock, n int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var found int
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "mda_ip_range" {
				continue
			}
			found++
			if _, ok := m.Subnet(rs.Primary.ID); !ok {
				return fmt.Errorf("IP range %s is in the state but not in the mock", rs.Primary.ID)
			}
		}
		if found != n {
			return fmt.Errorf("state holds %d IP ranges, want %d", found, n)
		}
		return nil
	}
}

// TestAccIPRangeResource_failingListingKeepsState is issue 8's reproduction: the listing
// answers 404 (MDA's "tenant not found", or the portal's HTML page for an unknown path)
// during `apply -refresh-only`. The run must fail naming the portal URL, and the state
// must still hold every range.
func TestAccIPRangeResource_failingListingKeepsState(t *testing.T) {
	for desc, body := range map[string]string{
		"tenant not found": `{"detail":"tenant not found"}`,
		"HTML 404":         `<html><body><div>404</div><div>Page not found</div></body></html>`,
	} {
		t.Run(desc, func(t *testing.T) {
			m := acctest.StartMock(t)
			prefix := acctest.RandomName("tfacc")
			cfg := testAccThreeIPRanges(m, prefix)
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckIPRangeDestroy(m),
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig: func() {
							m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: 404, Count: 20, Body: body})
						},
						RefreshState: true,
						ExpectError: expectErrorWords(`Unable to read IP range .*HTTP 404.*portal URL "` +
							regexp.QuoteMeta(m.URL()) + `"`),
					},
					{ // Nothing left the state: with the listing back, the plan is empty.
						PreConfig: m.ClearFaults,
						Config:    cfg,
						PlanOnly:  true,
						Check:     testAccCheckIPRangesInState(m, 3),
					},
					{Config: cfg, Check: testAccCheckIPRangesInState(m, 3)},
				},
			})
		})
	}
}

// TestAccIPRangeResource_emptyListingKeepsState injects one empty, complete listing: one
// shared re-listing finds every range again, so the refresh keeps them all and costs
// two listings, not a request per range.
func TestAccIPRangeResource_emptyListingKeepsState(t *testing.T) {
	m := acctest.StartMock(t)
	prefix := acctest.RandomName("tfacc")
	cfg := testAccThreeIPRanges(m, prefix)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					m.ResetStats()
					m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: 200, Count: 1,
						Body: `{"data":[],"hasNext":false,"total":0}`})
				},
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(testAccCheckIPRangesInState(m, 3), func(*terraform.State) error {
					st := m.Stats()
					// The refresh: the bogus listing and one re-listing. RefreshState then plans
					// in a new provider process, which lists once more.
					if got := st.Routes["POST /api/v1/subnet/"]; got > 3 {
						return fmt.Errorf("refresh after an empty listing cost %d listings, want at most 3: %v", got, st.Routes)
					}
					if got := st.Routes["GET /api/v1/subnet/{id}/"]; got != 0 {
						return fmt.Errorf("refresh after an empty listing read %d ranges one by one, want 0: %v", got, st.Routes)
					}
					return nil
				}),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// TestAccIPRangeResource_driftWithoutTheGetRoute deletes a range in the portal of a
// tenant that does not serve GET /api/v1/subnet/<id>/: two listings agree that it is
// gone, and the plan re-creates it.
func TestAccIPRangeResource_driftWithoutTheGetRoute(t *testing.T) {
	m := acctest.StartMock(t, func(o *mockserver.Options) { o.NoSubnetGet = true })
	name := acctest.RandomName("tfacc")
	cfg := testAccIPRangeResourceConfig(m, name, "vpn", `["10.5.0.0/16"]`, "")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { testAccDeleteMockIPRange(t, m, name) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccIPRangeAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// TestAccIPRangeResource_wrongPortalPath points portal_url at .../api/v1: the portal
// answers its HTML 404, and the error names the configured URL instead of reading as
// "every range was deleted".
func TestAccIPRangeResource_wrongPortalPath(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	cfg := testAccIPRangeResourceConfig(m, name, "vpn", `["10.6.0.0/16"]`, "")
	wrong := strings.Replace(cfg, fmt.Sprintf("%q", m.URL()), fmt.Sprintf("%q", m.URL()+"/api/v1"), 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				Config:      wrong,
				PlanOnly:    true,
				ExpectError: expectErrorWords(`HTTP 404.*web page.*portal URL "` + regexp.QuoteMeta(m.URL()+"/api/v1") + `"`),
			},
			{Config: cfg, PlanOnly: true, Check: testAccCheckIPRangesInState(m, 1)},
		},
	})
}

// TestAccIPRangeResource_failingDeleteIsNotADelete answers the DELETE with a 404 that is
// not MDA's JSON not-found: the destroy fails, and the range stays in the state and on
// the server.
func TestAccIPRangeResource_failingDeleteIsNotADelete(t *testing.T) {
	for desc, body := range map[string]string{
		"tenant not found": `{"detail":"tenant not found"}`,
		"HTML 404":         `<html><body><div>404</div><div>Page not found</div></body></html>`,
	} {
		t.Run(desc, func(t *testing.T) {
			m := acctest.StartMock(t)
			name := acctest.RandomName("tfacc")
			cfg := testAccIPRangeResourceConfig(m, name, "vpn", `["10.7.0.0/16"]`, "")
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckIPRangeDestroy(m),
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig: func() {
							m.AddFault(mockserver.Fault{Match: "DELETE /api/v1/subnet/{id}/", Status: 404, Count: 20, Body: body})
						},
						Config:      acctest.ProviderConfig(m),
						ExpectError: expectErrorWords(`Unable to delete IP range .*HTTP 404.*portal URL "` + regexp.QuoteMeta(m.URL()) + `"`),
					},
					{
						PreConfig: m.ClearFaults,
						Config:    cfg,
						PlanOnly:  true,
						Check:     testAccCheckIPRangesInState(m, 1),
					},
				},
			})
		})
	}
}

// TestAccIPRangeResource_badNames refuses names MDA would store but nobody could tell
// apart, at plan time and without a request.
func TestAccIPRangeResource_badNames(t *testing.T) {
	m := acctest.StartMock(t)
	// The subtests are parallel, so they run after this function returns: the count is
	// checked when they have all finished.
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("refused names cost %d requests, want 0: %v", st.Total, st.Routes)
		}
	})
	for desc, tc := range map[string]struct{ hcl, want string }{
		"NUL":              {`"office\u0000"`, `Invalid IP range name.*name.*control character U\+0000.*remove it from name`},
		"tab":              {`"head\toffice"`, `Invalid IP range name.*control character U\+0009`},
		"leading space":    {`" office"`, `Invalid IP range name.*white space.*Write name = "office"`},
		"trailing space":   {`"office "`, `Invalid IP range name.*white space.*Write name = "office"`},
		"trailing newline": {`"office\n"`, `Invalid IP range name.*control character U\+000A`},
	} {
		t.Run(desc, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: acctest.ProviderConfig(m) + `
resource "mda_ip_range" "test" {
  name     = ` + tc.hcl + `
  category = "corporate"
  subnets  = ["10.0.0.0/8"]
}
`,
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

// TestAccIPRangeResource_sameNameTwice gives two resources of one configuration the same
// name: one is created, and the other's error says the name is taken, by which id, and
// how to import it.
func TestAccIPRangeResource_sameNameTwice(t *testing.T) {
	m := acctest.StartMock(t)
	name := acctest.RandomName("tfacc")
	cfg := acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "a" {
  name     = %[1]q
  category = "corporate"
  subnets  = ["10.8.1.0/24"]
}

resource "mda_ip_range" "b" {
  name     = %[1]q
  category = "corporate"
  subnets  = ["10.8.2.0/24"]
}
`, name)
	want := expectErrorWords(`IP range (name already taken|already exists).*` + regexp.QuoteMeta(name) +
		`.*id [0-9a-f]{24}.*terraform import <address> [0-9a-f]{24}`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg, ExpectError: want},
			{ // One range was made, and the next apply says the same of the loser.
				PreConfig: func() {
					if got := len(testAccMockRangesNamed(m, name)); got != 1 {
						t.Errorf("mock holds %d ranges named %s, want 1", got, name)
					}
				},
				Config: cfg, ExpectError: want,
			},
		},
	})
}
