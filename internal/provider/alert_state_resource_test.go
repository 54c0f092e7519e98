package provider

import (
	"fmt"
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

const testAccAlertStateAddr = "mda_alert_state.test"

// Close routes as the mock counts them.
var testAccCloseRoutes = []string{
	"POST /api/v1/alerts/close_benign/",
	"POST /api/v1/alerts/close_false_positive/",
	"POST /api/v1/alerts/close_true_positive/",
}

func TestAccAlertStateResource_basic(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 0 && a.Status == 0 })[0]
	closed := `
  read       = true
  resolution = "benign"
  reason     = "triggered_by_test"
  comment    = "Closed by Terraform: a red-team exercise."`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAlertStateDestroy(m),
		Steps: []resource.TestStep{
			{
				Config: testAccAlertStateConfig(m, a.ID, `read = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("id"), knownvalue.StringExact(a.ID)),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("read"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("status"), knownvalue.StringExact("read")),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("resolution"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("current_resolution"), knownvalue.StringExact("open")),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("title"), knownvalue.StringExact(a.Title)),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("severity"), knownvalue.StringExact(severityNames[a.Severity])),
				},
				Check: testAccCheckMockAlert(m, a.ID, func(x mockserver.Alert) error {
					if x.Status != 1 || x.Resolution != 0 {
						return fmt.Errorf("mock alert has status %d, resolution %d; want read and open", x.Status, x.Resolution)
					}
					return nil
				}),
			},
			{
				Config: testAccAlertStateConfig(m, a.ID, `read = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAlertStateAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("status"), knownvalue.StringExact("unread")),
				},
				Check: testAccCheckMockAlert(m, a.ID, func(x mockserver.Alert) error {
					if x.Status != 0 {
						return fmt.Errorf("mock alert has status %d, want 0 (unread)", x.Status)
					}
					return nil
				}),
			},
			{
				Config: testAccAlertStateConfig(m, a.ID, closed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAlertStateAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("current_resolution"), knownvalue.StringExact("benign")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("status"), knownvalue.StringExact("read")),
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("current_resolution"), knownvalue.StringExact("benign")),
				},
				Check: testAccCheckMockAlert(m, a.ID, func(x mockserver.Alert) error {
					if x.Resolution != 4 || x.Reason == nil || *x.Reason != 6 || x.Status != 1 ||
						x.Comment != "Closed by Terraform: a red-team exercise." {
						return fmt.Errorf("mock alert has resolution %d, reason %v, status %d, comment %q; want benign (4), 6, read",
							x.Resolution, x.Reason, x.Status, x.Comment)
					}
					return nil
				}),
			},
			// MDA does not report the close reason, so an import cannot know it.
			{ResourceName: testAccAlertStateAddr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"reason"}},
			{
				ResourceName: testAccAlertStateAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId:           "ca" + a.ID,
				ImportStateVerifyIgnore: []string{"reason", "alert_id"},
			},
			// An import block, with a configuration that leaves out the reason: a no-op plan.
			{
				Config: testAccAlertStateConfig(m, a.ID, `
  read       = true
  resolution = "benign"
  comment    = "Closed by Terraform: a red-team exercise."`),
				ResourceName: testAccAlertStateAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			},
			{ // The id as Defender XDR shows it is the same alert: no replacement and no request.
				PreConfig: m.ResetStats,
				Config:    testAccAlertStateConfig(m, "ca"+a.ID, closed),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccAlertStateAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("id"), knownvalue.StringExact(a.ID)),
				},
				Check: testAccCheckNoWrites(m),
			},
		},
	})
}

// TestAccAlertStateResource_closeEachWay closes three alerts with each endpoint, with
// reasons, comment and feedback, and adopts one that MDA already closed the same way.
func TestAccAlertStateResource_closeEachWay(t *testing.T) {
	m := acctest.StartMock(t)
	open := testAccPickAlerts(t, m, 3, func(a mockserver.Alert) bool { return a.Resolution == 0 })
	done := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 3 && a.Comment != "" })[0]
	cfg := acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_alert_state" "benign" {
  alert_id   = %[1]q
  resolution = "benign"
  reason     = "confirmed_with_end_user"

  feedback = {
    text          = "The user was travelling."
    allow_contact = true
    contact_email = "secops@contoso.com"
  }
}

locals {
  send_feedback = false
}

# feedback is an attribute: an expression may leave it null.
resource "mda_alert_state" "false_positive" {
  alert_id   = %[2]q
  resolution = "false_positive"
  reason     = "too_many_similar_alerts"
  comment    = "Tuning the policy instead."
  feedback   = local.send_feedback ? { text = "Never sent." } : null
}

resource "mda_alert_state" "true_positive" {
  alert_id   = %[3]q
  resolution = "true_positive"
  comment    = "Escalated to incident response."
}

resource "mda_alert_state" "already_closed" {
  alert_id   = %[4]q
  resolution = "false_positive"
}
`, open[0].ID, open[1].ID, open[2].ID, done.ID)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAlertStateDestroy(m),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("mda_alert_state.benign", tfjsonpath.New("current_resolution"), knownvalue.StringExact("benign")),
				statecheck.ExpectKnownValue("mda_alert_state.false_positive", tfjsonpath.New("current_resolution"), knownvalue.StringExact("false_positive")),
				statecheck.ExpectKnownValue("mda_alert_state.true_positive", tfjsonpath.New("current_resolution"), knownvalue.StringExact("true_positive")),
				statecheck.ExpectKnownValue("mda_alert_state.already_closed", tfjsonpath.New("current_resolution"), knownvalue.StringExact("false_positive")),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckMockAlert(m, open[0].ID, testAccWantClosed(4, intPtr(5), "")),
				testAccCheckMockAlert(m, open[1].ID, testAccWantClosed(3, intPtr(1), "Tuning the policy instead.")),
				testAccCheckMockAlert(m, open[2].ID, testAccWantClosed(5, nil, "Escalated to incident response.")),
				// Adopted, not closed again: MDA's comment and handler are untouched.
				testAccCheckMockAlert(m, done.ID, func(x mockserver.Alert) error {
					if x.Resolution != 3 || x.Comment != done.Comment || x.HandledByUser != done.HandledByUser {
						return fmt.Errorf("mock alert %s was changed: resolution %d, comment %q, handled by %q", done.ID, x.Resolution, x.Comment, x.HandledByUser)
					}
					return nil
				}),
			),
		}},
	})
}

// TestAccAlertStateResource_drift undoes the portal: a reopened alert is closed again, one
// marked unread is marked read again, and one MDA deleted leaves the state.
func TestAccAlertStateResource_drift(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 0 })[0]
	cfg := testAccAlertStateConfig(m, a.ID, `
  read       = true
  resolution = "benign"
  reason     = "actual_severity_lower"`)
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccAlertStateAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAlertStateDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{ // Reopened in the portal: the plan closes it again.
				PreConfig: func() {
					testAccEditMockAlert(t, m, a.ID, func(x *mockserver.Alert) { x.Resolution, x.ResolveTime, x.Reason = 0, nil, nil })
				},
				Config:           cfg,
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAlertStateAddr, tfjsonpath.New("current_resolution"), knownvalue.StringExact("benign")),
				},
				Check: testAccCheckMockAlert(m, a.ID, testAccWantClosed(4, intPtr(2), "")),
			},
			{ // Marked unread in the portal: the plan marks it read again.
				PreConfig:        func() { testAccEditMockAlert(t, m, a.ID, func(x *mockserver.Alert) { x.Status = 0 }) },
				Config:           cfg,
				ConfigPlanChecks: update,
				Check: testAccCheckMockAlert(m, a.ID, func(x mockserver.Alert) error {
					if x.Status != 1 {
						return fmt.Errorf("mock alert has status %d, want 1 (read)", x.Status)
					}
					return nil
				}),
			},
			{ // Archived counts as read: no change.
				PreConfig: func() { testAccEditMockAlert(t, m, a.ID, func(x *mockserver.Alert) { x.Status = 2 }) },
				Config:    cfg,
				PlanOnly:  true,
			},
			{ // Deleted by MDA: the refresh drops it from the state, so nothing is left to destroy.
				PreConfig: func() {
					if !m.DeleteAlert(a.ID) {
						t.Fatalf("mock has no alert %s to delete", a.ID)
					}
				},
				Config: acctest.ProviderConfig(m),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccAlertStateResource_refusals covers what MDA cannot do, refused at plan time.
func TestAccAlertStateResource_refusals(t *testing.T) {
	m := acctest.StartMock(t)
	a := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 0 })[0]
	fp := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 3 })[0]
	benign := testAccAlertStateConfig(m, a.ID, `resolution = "benign"`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAlertStateDestroy(m),
		Steps: []resource.TestStep{
			{Config: benign},
			{ // Closed as benign: MDA cannot reclassify it.
				PreConfig:   m.ResetStats,
				Config:      testAccAlertStateConfig(m, a.ID, `resolution = "false_positive"`),
				ExpectError: expectErrorWords(fmt.Sprintf(`Alert already closed.*%s.*is closed as benign in MDA.*cannot be closed as false_positive`, a.ID)),
			},
			{ // A new resource for an alert already closed another way.
				Config: benign + fmt.Sprintf(`
resource "mda_alert_state" "other" {
  alert_id   = %q
  resolution = "benign"
}
`, fp.ID),
				ExpectError: expectErrorWords(fmt.Sprintf(`Alert already closed.*%s.*already closed as false_positive`, fp.ID)),
			},
			{ // An alert that does not exist fails the plan, not the apply.
				Config: benign + `
resource "mda_alert_state" "missing" {
  alert_id = "000000000000000000000000"
  read     = true
}
`,
				ExpectError: expectErrorWords(`Alert not found.*000000000000000000000000`),
			},
			{ // Removing the resolution only stops managing it: a state-only update.
				Config: testAccAlertStateConfig(m, a.ID, `read = true`),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckNoCloses(m),
					testAccCheckMockAlert(m, a.ID, testAccWantClosed(4, nil, "")),
				),
			},
		},
	})
}

func TestAccAlertStateResource_validation(t *testing.T) {
	m := acctest.StartMock(t)
	const id = "603f704aaf7417985bbf3b22"
	cases := map[string]struct{ alertID, body, want string }{
		"reason of the other resolution": {id, `resolution = "benign"` + "\n" + `reason = "not_of_interest"`,
			`Reason not valid for the resolution.*"not_of_interest" is not a reason for closing an alert as benign.*actual_severity_lower, other, confirmed_with_end_user, triggered_by_test`},
		"reason for true positive":    {id, `resolution = "true_positive"` + "\n" + `reason = "other"`, `Reason not valid for the resolution.*no reason.*true_positive`},
		"reason without resolution":   {id, `reason = "other"`, `Missing resolution.*reason is sent to MDA when the alert is closed`},
		"comment without resolution":  {id, `comment = "x"`, `Missing resolution.*comment`},
		"feedback without resolution": {id, "feedback = {\n text = \"x\"\n}", `Missing resolution.*feedback`},
		"feedback without text":       {id, `resolution = "benign"` + "\nfeedback = {\n allow_contact = true\n}", `Missing feedback text`},
		"email without contact":       {id, `resolution = "benign"` + "\nfeedback = {\n text = \"x\"\n contact_email = \"a@b.c\"\n}", `Contact not allowed.*allow_contact = true`},
		"unknown reason":              {id, `resolution = "benign"` + "\n" + `reason = "boring"`, `Invalid Attribute Value Match.*reason`},
		"legacy resolution":           {id, `resolution = "resolved"`, `Invalid Attribute Value Match.*resolution.*benign`},
		"malformed id":                {"ca12345", `read = true`, `Invalid Attribute Value Match.*alert_id.*24 hexadecimal`},
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
					Config:      testAccAlertStateConfig(m, tc.alertID, tc.body),
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

// TestAccAlertStateResource_budget manages 60 alerts: refreshing them and closing them
// the same way must share requests rather than spend one per alert. Requests are shared
// by callers that arrive close together, and how many waves Terraform's walk makes depends
// on the machine's load, so this test holds a loose bound (half a request per alert) that
// only a provider without batching breaks; the tight one (8) is measured by
// BenchmarkAlertState60 in `make bench`, alone on the machine. It still runs alone
// (resource.Test) to keep the loose bound far from flaky.
const testAccAlertBatchLooseBound = 30

func TestAccAlertStateResource_budget(t *testing.T) {
	m := acctest.StartMock(t)
	alerts := testAccPickAlerts(t, m, 60, func(a mockserver.Alert) bool { return a.Resolution == 0 })
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = fmt.Sprintf("%q", a.ID)
	}
	cfg := func(body string) string {
		return acctest.ProviderConfig(m) + fmt.Sprintf(`
locals {
  alert_ids = [%s]
}

# count, not for_each: the harness's legacy state shim cannot index by string.
resource "mda_alert_state" "r" {
  count    = length(local.alert_ids)
  alert_id = local.alert_ids[count.index]
%s
}
`, strings.Join(ids, ", "), body)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAlertStateDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg(`  read = true`)},
			{
				PreConfig:    m.ResetStats,
				RefreshState: true,
				Check: func(*terraform.State) error {
					st := m.Stats()
					t.Logf("refreshing %d alert states cost %d requests: %v", len(alerts), st.Total, st.Routes)
					if st.Total > testAccAlertBatchLooseBound {
						return fmt.Errorf("refreshing %d alert states cost %d requests (%v), want at most %d", len(alerts), st.Total, st.Routes, testAccAlertBatchLooseBound)
					}
					return nil
				},
			},
			{
				PreConfig: m.ResetStats,
				Config: cfg(`  read       = true
  resolution = "benign"
  reason     = "triggered_by_test"
  comment    = "Closed in bulk by Terraform."`),
				Check: func(*terraform.State) error {
					st := m.Stats()
					closes := 0
					for _, r := range testAccCloseRoutes {
						closes += st.Routes[r]
					}
					t.Logf("closing %d alerts cost %d close requests, %d requests in all (plan and apply): %v", len(alerts), closes, st.Total, st.Routes)
					for _, a := range alerts {
						x, ok := m.Alert(a.ID)
						if !ok || x.Resolution != 4 || x.Reason == nil || *x.Reason != 6 {
							return fmt.Errorf("alert %s is not closed as benign (triggered by test): %+v", a.ID, x)
						}
					}
					if closes > testAccAlertBatchLooseBound {
						return fmt.Errorf("closing %d alerts cost %d close requests (%v), want at most %d", len(alerts), closes, st.Routes, testAccAlertBatchLooseBound)
					}
					return nil
				},
			},
		},
	})
}

func testAccAlertStateConfig(m *acctest.Mock, alertID, body string) string {
	return acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_alert_state" "test" {
  alert_id = %q
%s
}
`, alertID, body)
}

// testAccPickAlerts returns the first n seeded alerts that keep accepts, newest first.
func testAccPickAlerts(t *testing.T, m *acctest.Mock, n int, keep func(mockserver.Alert) bool) []mockserver.Alert {
	t.Helper()
	out := testAccAlertsMatching(m.Alerts(), keep)
	if len(out) < n {
		t.Fatalf("the mock seeds %d matching alerts, want at least %d", len(out), n)
	}
	return out[:n]
}

// testAccCheckAlertStateDestroy checks that destroying left every alert in MDA as it
// was: the resource never deletes or reopens an alert.
func testAccCheckAlertStateDestroy(m *acctest.Mock) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "mda_alert_state" {
				continue
			}
			a, ok := m.Alert(rs.Primary.ID)
			if !ok {
				return fmt.Errorf("alert %s is gone from the mock after destroy", rs.Primary.ID)
			}
			if got, want := enumWord(resolutionNames, a.Resolution), rs.Primary.Attributes["current_resolution"]; got != want {
				return fmt.Errorf("alert %s is %s in the mock after destroy, was %s", a.ID, got, want)
			}
		}
		return nil
	}
}

func testAccCheckMockAlert(m *acctest.Mock, id string, check func(mockserver.Alert) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, ok := m.Alert(id)
		if !ok {
			return fmt.Errorf("mock has no alert %s", id)
		}
		return check(a)
	}
}

// testAccWantClosed expects a close with this resolution code, reason (nil: none) and
// comment ("" : any).
func testAccWantClosed(resolution int, reason *int, comment string) func(mockserver.Alert) error {
	return func(a mockserver.Alert) error {
		if a.Resolution != resolution || a.ResolveTime == nil {
			return fmt.Errorf("mock alert %s has resolution %d, want %d", a.ID, a.Resolution, resolution)
		}
		if (reason == nil) != (a.Reason == nil) || (reason != nil && *reason != *a.Reason) {
			return fmt.Errorf("mock alert %s has reason %v, want %v", a.ID, derefOr(a.Reason), derefOr(reason))
		}
		if comment != "" && a.Comment != comment {
			return fmt.Errorf("mock alert %s has comment %q, want %q", a.ID, a.Comment, comment)
		}
		return nil
	}
}

// testAccCheckNoCloses checks that no close request reached the mock since its stats were reset.
func testAccCheckNoCloses(m *acctest.Mock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		st := m.Stats()
		for _, r := range testAccCloseRoutes {
			if st.Routes[r] != 0 {
				return fmt.Errorf("%d requests to %s, want none: %v", st.Routes[r], r, st.Routes)
			}
		}
		return nil
	}
}

// testAccCheckNoWrites checks that only reads reached the mock since its stats were reset.
func testAccCheckNoWrites(m *acctest.Mock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for r, n := range m.Stats().Routes {
			if n > 0 && r != "POST /api/v1/alerts/" && r != "GET /api/v1/alerts/" && !strings.HasPrefix(r, "GET /api/v1/alerts/{id}") {
				return fmt.Errorf("%d requests to %s, want only reads: %v", n, r, m.Stats().Routes)
			}
		}
		return nil
	}
}

func testAccEditMockAlert(t *testing.T, m *acctest.Mock, id string, edit func(*mockserver.Alert)) {
	t.Helper()
	if err := m.EditAlert(id, edit); err != nil {
		t.Fatalf("editing alert %s in the mock: %s", id, err)
	}
}

func intPtr(n int) *int { return &n }

func derefOr(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}
