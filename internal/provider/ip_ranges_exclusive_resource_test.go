package provider

import (
	"context"
	"fmt"
	"regexp"
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

const testAccExclusiveAddr = "mda_ip_ranges_exclusive.all"

// Category codes of the mock (mda-api.md 3.1).
const (
	exCorporate = 1
	exRisky     = 3
	exVPN       = 4
)

// exclusiveConfig is count corporate ranges, managed, and mda_ip_ranges_exclusive over
// them. Each test has a mock of its own, whose only custom ranges are those the test
// makes, so "every custom range" is a scope a test controls.
type exclusiveConfig struct {
	prefix string
	count  int
	// rangeName is the HCL expression for each range's name; default "<prefix>-<index>".
	rangeName string
	// names is the HCL for names; default every managed range's name.
	names string
	// extra goes into the mda_ip_ranges_exclusive block.
	extra string
}

func (c exclusiveConfig) hcl(m *acctest.Mock) string {
	rangeName := c.rangeName
	if rangeName == "" {
		rangeName = fmt.Sprintf(`"%s-${count.index}"`, c.prefix)
	}
	names := c.names
	if names == "" {
		names = "[for r in mda_ip_range.all : r.name]"
	}
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "all" {
  count    = %d
  name     = %s
  category = "corporate"
  subnets  = ["10.88.${count.index}.0/24"]
}

resource "mda_ip_ranges_exclusive" "all" {
  names = %s
%s
}
`, c.count, rangeName, names, c.extra)
}

// exclusiveOnlyConfig is mda_ip_ranges_exclusive alone, over ranges the test adds to the
// mock: no mda_ip_range refresh shares the listing or its errors.
func exclusiveOnlyConfig(m *acctest.Mock, names []string, extra string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_ranges_exclusive" "all" {
  names = [%s]
%s
}
`, strings.Join(quoted, ", "), extra)
}

// TestAccIPRangesExclusive_outOfBand: a range added in the portal, in scope, shows in the
// plan as a name removed from names and in unmanaged; the managed ranges plan nothing.
func TestAccIPRangesExclusive_outOfBand(t *testing.T) {
	m := acctest.StartMock(t)
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 2}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{
				Config: cfg.hcl(m),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("id"), knownvalue.StringExact("tenant")),
					statecheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("names"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(cfg.prefix + "-0"), knownvalue.StringExact(cfg.prefix + "-1"),
					})),
					statecheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("on_unmanaged"), knownvalue.StringExact("fail")),
					statecheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("unmanaged"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				PreConfig:          func() { testAccAddMockRange(t, m, "Totally corporate", exCorporate, "100.64.0.0/10") },
				Config:             cfg.hcl(m),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccExclusiveAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("mda_ip_range.all[0]", plancheck.ResourceActionNoop),
					expectNamesDropped("Totally corporate"),
					plancheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("unmanaged"), knownvalue.ListExact([]knownvalue.Check{
						unmanagedCheck("Totally corporate", "corporate", "100.64.0.0/10"),
					})),
				}},
			},
		},
	})
}

// TestAccIPRangesExclusive_fail: on_unmanaged = "fail" stops the apply with an error that
// names the range and how to import it; nothing is deleted, and the state keeps showing it.
func TestAccIPRangesExclusive_fail(t *testing.T) {
	m := acctest.StartMock(t)
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 2}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(m)},
			{
				PreConfig: func() { testAccAddMockRange(t, m, "Totally corporate", exCorporate, "100.64.0.0/10") },
				Config:    cfg.hcl(m),
				ExpectError: expectErrorWords(`IP ranges not in names.*"Totally corporate" \(category corporate, subnets ` +
					`100\.64\.0\.0/10, id [0-9a-f]{24}\).*import \{ to = mda_ip_range\.totally_corporate id = "[0-9a-f]{24}" \}` +
					`.*terraform import mda_ip_range\.totally_corporate [0-9a-f]{24}.*on_unmanaged = "delete"`),
			},
			{ // Nothing was deleted, and the failed apply left the refreshed state: the drift still shows.
				PreConfig: func() {
					if _, ok := m.FindSubnetByName("Totally corporate"); !ok {
						t.Error("the failed apply deleted the unmanaged range")
					}
				},
				Config:             cfg.hcl(m),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					expectNamesDropped("Totally corporate"),
				}},
			},
		},
	})
}

// TestAccIPRangesExclusive_failOnCreate: the create's error names the range by its id.
func TestAccIPRangesExclusive_failOnCreate(t *testing.T) {
	m := acctest.StartMock(t)
	legacy := testAccAddMockRange(t, m, "Legacy \"VPN\" range", exVPN, "198.51.100.0/24")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: exclusiveOnlyConfig(m, nil, ""),
			ExpectError: expectErrorWords(`IP ranges not in names.*custom IP ranges of every category.*` +
				regexp.QuoteMeta(fmt.Sprintf(`"Legacy \"VPN\" range" (category vpn, subnets 198.51.100.0/24, id %s)`, legacy.ID)) +
				`.*to = mda_ip_range\.legacy_vpn_range id = "` + legacy.ID + `"`),
		}},
	})
	if _, ok := m.Subnet(legacy.ID); !ok {
		t.Error("the failed create deleted the unmanaged range")
	}
}

// TestAccIPRangesExclusive_delete: on_unmanaged = "delete" deletes the range (the plan says
// unmanaged will be empty), and the plan after it is empty.
func TestAccIPRangesExclusive_delete(t *testing.T) {
	m := acctest.StartMock(t)
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 2, extra: `  on_unmanaged = "delete"`}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(m)},
			{
				PreConfig: func() { testAccAddMockRange(t, m, "Totally corporate", exCorporate, "100.64.0.0/10") },
				Config:    cfg.hcl(m),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccExclusiveAddr, plancheck.ResourceActionUpdate),
						expectNamesDropped("Totally corporate"),
						plancheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("unmanaged"), knownvalue.ListExact([]knownvalue.Check{})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if _, ok := m.FindSubnetByName("Totally corporate"); ok {
						return fmt.Errorf("the unmanaged range is still in the mock")
					}
					return acctest.CheckIPRangesMatch(m, s, cfg.prefix, map[string]int{cfg.prefix + "-0": exCorporate, cfg.prefix + "-1": exCorporate})
				},
			},
		},
	})
}

// TestAccIPRangesExclusive_deleteFails: one of two deletes is refused. The other range is
// deleted, the error names the refused one, and the state keeps it in names and unmanaged,
// so the next plan shows it again and the next apply deletes it.
func TestAccIPRangesExclusive_deleteFails(t *testing.T) {
	m := acctest.StartMock(t)
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 1, extra: `  on_unmanaged = "delete"`}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(m)},
			{
				PreConfig: func() {
					testAccAddMockRange(t, m, "Deletable", exCorporate, "100.64.0.0/16")
					refused := testAccAddMockRange(t, m, "Refused", exCorporate, "100.65.0.0/16")
					m.AddFault(mockserver.Fault{Match: "DELETE /api/v1/subnet/" + refused.ID + "/", Status: 403, Count: 10,
						Body: `{"detail":"You do not have permission to perform this action."}`})
				},
				Config: cfg.hcl(m),
				ExpectError: expectErrorWords(`Unable to update mda_ip_ranges_exclusive: IP range "Refused" \([0-9a-f]{24}\), which is not ` +
					`in names, was not deleted.*HTTP 403`),
			},
			{
				PreConfig: func() {
					if _, ok := m.FindSubnetByName("Deletable"); ok {
						t.Error("the range whose delete succeeded is still in the mock")
					}
					m.ClearFaults()
				},
				Config:             cfg.hcl(m),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					// Without a refresh: the state the failed apply saved already holds it.
					expectNamesDropped("Refused"),
				}},
			},
			{
				Config: cfg.hcl(m),
				Check: func(*terraform.State) error {
					if _, ok := m.FindSubnetByName("Refused"); ok {
						return fmt.Errorf("the range is still in the mock after the second apply")
					}
					return nil
				},
			},
		},
	})
}

// TestAccIPRangesExclusive_outOfScope: ranges of other categories, and names in
// ignore_names, are not governed: no plan, nothing deleted, even with "delete". Narrowing
// the scope leaves an unmanaged range that falls out of it alone.
func TestAccIPRangesExclusive_outOfScope(t *testing.T) {
	m := acctest.StartMock(t)
	scope := `  categories   = ["corporate", "vpn"]
  ignore_names = ["Sync script range"]
  on_unmanaged = "delete"`
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 1, extra: scope}
	narrowed := cfg
	narrowed.extra = `  categories   = ["vpn"]
  on_unmanaged = "delete"`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(m)},
			{
				PreConfig: func() {
					testAccAddMockRange(t, m, "Risky thing", exRisky, "203.0.113.0/24")
					testAccAddMockRange(t, m, "Sync script range", exCorporate, "192.0.2.0/24")
				},
				Config:   cfg.hcl(m),
				PlanOnly: true,
			},
			{
				Config: cfg.hcl(m),
				Check:  testAccCheckMockHas(m, "Risky thing", "Sync script range"),
			},
			{ // A corporate range appears, and the same plan narrows the scope to vpn: nothing to delete.
				PreConfig: func() { testAccAddMockRange(t, m, "Totally corporate", exCorporate, "100.64.0.0/10") },
				Config:    narrowed.hcl(m),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testAccExclusiveAddr, tfjsonpath.New("unmanaged"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				Check: testAccCheckMockHas(m, "Risky thing", "Sync script range", "Totally corporate"),
			},
		},
	})
}

// TestAccIPRangesExclusive_sameApply: ranges created or renamed in the same apply as a
// "delete" are in names and never deleted; a range whose resource the apply destroys does
// not fail a "fail" (Terraform destroys it before updating what depends on it); a name
// dropped while its range stays is unmanaged at once.
func TestAccIPRangesExclusive_sameApply(t *testing.T) {
	m := acctest.StartMock(t)
	prefix := acctest.RandomName("tfacc")
	deleting := `  on_unmanaged = "delete"`
	renamed := fmt.Sprintf(`count.index == 0 ? "%[1]s-renamed" : "%[1]s-${count.index}"`, prefix)
	want := func(names ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			w := map[string]int{}
			for _, n := range names {
				w[prefix+"-"+n] = exCorporate
			}
			return acctest.CheckIPRangesMatch(m, s, prefix, w)
		}
	}
	dropOne := exclusiveConfig{prefix: prefix, count: 2, rangeName: renamed,
		names: fmt.Sprintf(`[for r in mda_ip_range.all : r.name if r.name != "%s-1"]`, prefix)}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: exclusiveConfig{prefix: prefix, count: 2, extra: deleting}.hcl(m), Check: want("0", "1")},
			{ // One range renamed, one created, in the apply that also enforces "delete".
				Config: exclusiveConfig{prefix: prefix, count: 3, rangeName: renamed, extra: deleting}.hcl(m),
				Check:  want("renamed", "1", "2"),
			},
			{ // A range destroyed in the same apply that drops its name: "fail" does not fail.
				Config: exclusiveConfig{prefix: prefix, count: 2, rangeName: renamed}.hcl(m),
				Check:  want("renamed", "1"),
			},
			{ // The name dropped, the range kept: the range is unmanaged now.
				Config:      dropOne.hcl(m),
				ExpectError: expectErrorWords(`IP ranges not in names.*` + regexp.QuoteMeta(fmt.Sprintf("%q", prefix+"-1"))),
			},
			{
				PreConfig: func() {
					if _, ok := m.FindSubnetByName(prefix + "-1"); !ok {
						t.Errorf("the failed apply deleted %s-1", prefix)
					}
				},
				Config: exclusiveConfig{prefix: prefix, count: 2, rangeName: renamed}.hcl(m),
				Check:  want("renamed", "1"),
			},
		},
	})
}

// TestAccIPRangesExclusive_destroyDeletesNothing: destroying the resource, even with
// "delete" and an unmanaged range present, leaves every range in MDA.
func TestAccIPRangesExclusive_destroyDeletesNothing(t *testing.T) {
	m := acctest.StartMock(t)
	testAccAddMockRange(t, m, "Head office", exCorporate, "203.0.113.0/24")
	cfg := exclusiveOnlyConfig(m, []string{"Head office"}, `  on_unmanaged = "delete"`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := testAccCheckMockHas(m, "Head office", "Totally corporate")(nil); err != nil {
				return err
			}
			if n := m.Stats().Routes["DELETE /api/v1/subnet/{id}/"]; n != 0 {
				return fmt.Errorf("destroy sent %d deletes, want 0", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:          func() { testAccAddMockRange(t, m, "Totally corporate", exCorporate, "100.64.0.0/10") },
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccIPRangesExclusive_import: any id imports; the state matches a created one, and an
// import block plans nothing.
func TestAccIPRangesExclusive_import(t *testing.T) {
	m := acctest.StartMock(t)
	cfg := exclusiveConfig{prefix: acctest.RandomName("tfacc"), count: 2}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(m)},
			{ResourceName: testAccExclusiveAddr, ImportState: true, ImportStateId: "tenant", ImportStateVerify: true},
			{
				Config: cfg.hcl(m), ResourceName: testAccExclusiveAddr, ImportState: true,
				ImportStateKind: resource.ImportBlockWithID, ImportStateId: "tenant",
			},
		},
	})
}

// TestAccIPRangesExclusive_importAdopts: after an import, whatever existed is in names, and
// the first apply fails on each range the configuration's names leave out (no name is
// exempt as if its resource were being destroyed); ignore_names settles it.
func TestAccIPRangesExclusive_importAdopts(t *testing.T) {
	m := acctest.StartMock(t)
	testAccAddMockRange(t, m, "Head office", exCorporate, "203.0.113.0/24")
	testAccAddMockRange(t, m, "Legacy", exCorporate, "198.51.100.0/24")
	cfg := exclusiveOnlyConfig(m, []string{"Head office"}, "")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg, ResourceName: testAccExclusiveAddr, ImportState: true, ImportStateId: "whole-tenant",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					a := states[0].Attributes
					if a["id"] != "whole-tenant" || a["names.#"] != "2" || a["unmanaged.#"] != "0" || a["on_unmanaged"] != "fail" {
						return fmt.Errorf("imported state: %v", a)
					}
					return nil
				},
			},
			{
				Config:      cfg,
				ExpectError: expectErrorWords(`IP ranges not in names.*"Legacy"`),
			},
			{
				Config: exclusiveOnlyConfig(m, []string{"Head office"}, `  ignore_names = ["Legacy"]`),
				Check:  testAccCheckMockHas(m, "Head office", "Legacy"),
			},
		},
	})
}

// TestAccIPRangesExclusive_failingListing: a listing answered by the portal's HTML 404 is
// an error, for the refresh and for the plan, and the state keeps its names.
func TestAccIPRangesExclusive_failingListing(t *testing.T) {
	m := acctest.StartMock(t)
	testAccAddMockRange(t, m, "Head office", exCorporate, "203.0.113.0/24")
	cfg := exclusiveOnlyConfig(m, []string{"Head office"}, "")
	want := expectErrorWords(`Unable to read the IP ranges mda_ip_ranges_exclusive governs.*HTTP 404.*portal URL "` + regexp.QuoteMeta(m.URL()) + `"`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: 404, Body: acctest.NotFoundPage, Count: 100})
				},
				RefreshState: true,
				ExpectError:  want,
			},
			{Config: cfg, ExpectError: want},
			{ // With the listing back, the plan is empty: names never lost "Head office".
				PreConfig: m.ClearFaults,
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
}

// TestAccIPRangesExclusive_planRequests measures a plan of mda_ip_ranges_exclusive alone
// over a tenant of 250 custom ranges: the listing's pages, and nothing else.
func TestAccIPRangesExclusive_planRequests(t *testing.T) {
	m := acctest.StartMock(t)
	seeded := m.SeedSubnets(250, "seeded-")
	names := make([]string, len(seeded))
	for i, s := range seeded {
		names[i] = s.Name
	}
	cfg := exclusiveOnlyConfig(m, names, "")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{PreConfig: m.ResetStats, Config: cfg, PlanOnly: true},
			{
				PreConfig: func() {
					// PlanOnly runs a plan without refresh (no request) and one with refresh.
					st := m.Stats()
					t.Logf("a plan of mda_ip_ranges_exclusive over %d custom ranges cost %d requests: %v", len(seeded), st.Total, st.Routes)
					if st.Total != 3 || st.Routes["POST /api/v1/subnet/"] != 3 {
						t.Errorf("plan cost %d requests (%v), want the listing's 3 pages", st.Total, st.Routes)
					}
				},
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

func TestExclusiveScopeWithin(t *testing.T) {
	all := exclusiveScope{}
	corp := exclusiveScope{categories: []string{"corporate"}}
	corpVPN := exclusiveScope{categories: []string{"corporate", "vpn"}}
	corpIgnoring := exclusiveScope{categories: []string{"corporate"}, ignore: []string{"x"}}
	for _, c := range []struct {
		inner, outer exclusiveScope
		want         bool
	}{
		{corp, all, true}, {all, corp, false}, {corp, corpVPN, true}, {corpVPN, corp, false},
		{corpIgnoring, corp, true}, {corp, corpIgnoring, false}, {all, all, true},
		{exclusiveScope{categories: []string{}}, corp, true},
	} {
		if got := c.inner.within(c.outer); got != c.want {
			t.Errorf("%+v within %+v = %v, want %v", c.inner, c.outer, got, c.want)
		}
	}
}

func TestUniqueLabel(t *testing.T) {
	used := map[string]bool{}
	for _, c := range []struct{ name, want string }{
		{"Totally corporate", "totally_corporate"},
		{"Totally  corporate!", "totally_corporate_2"},
		{"10.0.0.0/8 office", "range_10_0_0_0_8_office"},
		{"Büro Köln", "b_ro_k_ln"},
		{"  ", "range"},
		{`Legacy "VPN" range `, "legacy_vpn_range"},
	} {
		if got := uniqueLabel(c.name, used); got != c.want {
			t.Errorf("uniqueLabel(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// testAccAddMockRange adds a custom range out of band, as a portal user would.
func testAccAddMockRange(t *testing.T, m *acctest.Mock, name string, category int, cidrs ...string) mockserver.Subnet {
	t.Helper()
	s, err := m.AddSubnet(name, category, cidrs)
	if err != nil {
		t.Fatalf("adding range %q to the mock: %s", name, err)
	}
	return s
}

// testAccCheckMockHas fails unless the mock holds a range of each name.
func testAccCheckMockHas(m *acctest.Mock, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, n := range names {
			if _, ok := m.FindSubnetByName(n); !ok {
				return fmt.Errorf("the mock no longer holds the range %q", n)
			}
		}
		return nil
	}
}

func unmanagedCheck(name, category string, subnets ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(subnets))
	for i, s := range subnets {
		checks[i] = knownvalue.StringExact(s)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":     knownvalue.StringExact(name),
		"id":       knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`)),
		"category": knownvalue.StringExact(category),
		"subnets":  knownvalue.SetExact(checks),
	})
}

// expectNamesDropped checks the diff a reviewer reads: the refreshed names of
// mda_ip_ranges_exclusive.all hold name, and the planned names do not.
func expectNamesDropped(name string) plancheck.PlanCheck {
	return namesDropped{testAccExclusiveAddr, name}
}

type namesDropped struct{ addr, name string }

func (c namesDropped) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, after := planNames(rc.Change.Before), planNames(rc.Change.After)
		if !slices.Contains(before, c.name) || slices.Contains(after, c.name) {
			resp.Error = fmt.Errorf("%s: names before %q, after %q; want %q dropped", c.addr, before, after, c.name)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

func planNames(v any) []string {
	obj, _ := v.(map[string]any)
	list, _ := obj["names"].([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
