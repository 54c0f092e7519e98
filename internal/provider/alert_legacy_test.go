package provider

import (
	"fmt"
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

// testAccLegacyClosedAlert is a seeded alert served as a real tenant sent one (issue 13):
// a resolveTime, no resolutionStatusValue, "null" comment and handling user.
func testAccLegacyClosedAlert(t *testing.T, m *acctest.Mock) mockserver.Alert {
	t.Helper()
	return testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.OmitResolution && a.NullStrings && a.ResolveTime != nil })[0]
}

// An alert without a resolution code but with a resolve time reads as closed (resolved)
// in mda_alert and mda_alerts; open = true does not list it. By its ca… id, mda_alert
// gives alert_id without the prefix.
func TestAccAlertDataSource_closedWithoutResolutionCode(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccLegacyClosedAlert(t, m)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_alert" "legacy" {
  id = "ca%[1]s"
}

data "mda_alerts" "legacy" {
  filters = jsonencode({ id = { eq = [data.mda_alert.legacy.alert_id] } })
}

data "mda_alerts" "legacy_open" {
  open    = true
  filters = jsonencode({ id = { eq = [data.mda_alert.legacy.alert_id] } })
}
`, a.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_alert.legacy", tfjsonpath.New("id"), knownvalue.StringExact("ca"+a.ID)),
				statecheck.ExpectKnownValue("data.mda_alert.legacy", tfjsonpath.New("alert_id"), knownvalue.StringExact(a.ID)),
				statecheck.ExpectKnownValue("data.mda_alert.legacy", tfjsonpath.New("resolution"), knownvalue.StringExact("resolved")),
				statecheck.ExpectKnownValue("data.mda_alert.legacy", tfjsonpath.New("resolved_at"), knownvalue.StringExact(formatTime(*a.ResolveTime))),
				statecheck.ExpectKnownValue("data.mda_alert.legacy", tfjsonpath.New("raw_json"), knownvalue.StringRegexp(testAccContains(`"handledByUser":"null"`))),
				statecheck.ExpectKnownValue("data.mda_alerts.legacy", tfjsonpath.New("alerts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":          knownvalue.StringExact(a.ID),
						"resolution":  knownvalue.StringExact("resolved"),
						"resolved_at": knownvalue.NotNull(),
					}),
				})),
				statecheck.ExpectKnownValue("data.mda_alerts.legacy_open", tfjsonpath.New("alerts"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

// mda_alert_state on such an alert takes it for closed: read = true sends only the mark
// read, never a close, and a resolution gets the plan-time refusal with advice the
// schema accepts.
func TestAccAlertStateResource_closedWithoutResolutionCode(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccLegacyClosedAlert(t, m)
	testAccEditMockAlert(t, m, a.ID, func(x *mockserver.Alert) { x.Status = 0 }) // unread, so the read is due
	unchanged := func(x mockserver.Alert) error {
		if !x.OmitResolution || x.Resolution != 2 || x.Reason != nil || !x.ResolveTime.Equal(*a.ResolveTime) {
			return fmt.Errorf("mock alert %s was closed again: %+v", x.ID, x)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: m.ResetStats,
				Config:    testAccAlertStateConfig(m, "ca"+a.ID, `  read = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("current_resolution"), knownvalue.StringExact("resolved")),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("resolution"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("status"), knownvalue.StringExact("read")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckNoCloses(m),
					func(*terraform.State) error {
						if n := m.Stats().Routes["POST /api/v1/alerts/{id}/read/"]; n != 1 {
							return fmt.Errorf("%d mark read requests, want 1: %v", n, m.Stats().Routes)
						}
						return nil
					},
					testAccCheckMockAlert(m, a.ID, unchanged),
				),
			},
			{ // Already read: nothing is sent at all.
				PreConfig: m.ResetStats,
				Config:    testAccAlertStateConfig(m, a.ID, `  read = true`),
				Check:     resource.ComposeAggregateTestCheckFunc(testAccCheckNoWrites(m), testAccCheckMockAlert(m, a.ID, unchanged)),
			},
			{
				Config: testAccAlertStateConfig(m, a.ID, `
  read       = true
  resolution = "benign"`),
				ExpectError: expectErrorWords(fmt.Sprintf(`Alert already closed.*%s.*is closed as resolved in MDA.*cannot be closed as benign.*leave resolution unset`, a.ID)),
			},
		},
	})
}

// A new mda_alert_state asking such an alert for a classification is refused at plan
// time too, and nothing is closed.
func TestAccAlertStateResource_closedWithoutResolutionCodeNew(t *testing.T) {
	m2 := acctest.StartMock(t)
	b := testAccLegacyClosedAlert(t, m2)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: m2.ResetStats,
			Config: testAccAlertStateConfig(m2, b.ID, `
  resolution = "true_positive"`),
			ExpectError: expectErrorWords(fmt.Sprintf(`Alert already closed.*%s.*already closed as resolved.*cannot be closed as true_positive.*leave resolution unset`, b.ID)),
		}},
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(testAccCheckNoCloses(m2), testAccCheckMockAlert(m2, b.ID, func(x mockserver.Alert) error {
			if !x.OmitResolution || x.Resolution != 2 {
				return fmt.Errorf("mock alert %s was closed: %+v", x.ID, x)
			}
			return nil
		})),
	})
}

// Issue 8: a 404 "tenant not found" from the alerts listing during a refresh proves
// nothing about the alert: the refresh and the plan fail, and the state keeps it.
func TestAccAlertStateResource_listingTenantNotFound(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 0 })[0]
	cfg := testAccAlertStateConfig(m, a.ID, `  read = true`)
	fault := func() {
		m.AddFault(mockserver.Fault{Match: "POST /api/v1/alerts/", Status: 404, Count: 100, Body: acctest.TenantNotFound})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // terraform refresh (apply -refresh-only) would persist a removal: it must fail instead.
				PreConfig:    fault,
				RefreshState: true,
				ExpectError:  expectErrorWords(`tenant not found`),
			},
			{
				Config:      cfg,
				ExpectError: expectErrorWords(`tenant not found`),
			},
			{
				PreConfig: m.ClearFaults,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("id"), knownvalue.StringExact(a.ID)),
				},
			},
		},
	})
}
