package provider

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// The fault matrix (issue 8): each way a request can fail, against each operation the
// provider performs: create, read (refresh), update and delete of mda_ip_range, and the
// close of mda_alert_state. Every cell asserts the outcome (applied, or one clear
// diagnostic) and then compares the mock with the state: no range twice on the server,
// none on the server that the state does not hold, none in the state that the server
// does not hold.
//
// One test case (one mock) per fault. Its operations target distinct routes (the update
// and the delete name their range's id), so the create, update, delete and close of one
// fault run in a single apply: a CLI run costs about a second, and a 429 without
// Retry-After costs the full minute MDA's window lasts, which the four writes then wait
// out together instead of one after another.

// Routes as the mock matches them.
const (
	fmListRoute       = "POST /api/v1/subnet/"
	fmCreateRoute     = "POST /api/v1/subnet/create_rule/"
	fmAlertsListRoute = "POST /api/v1/alerts/"
	fmCloseRoute      = "POST /api/v1/alerts/close_benign/"
)

// Category codes of the ranges the matrix manages.
const (
	fmCorporate = 1
	fmRisky     = 3
	fmVPN       = 4
)

// A transient fault: the operation must get past it within max_retries (3) and end as if
// nothing had happened. Writes that may have acted are repeated when they are idempotent
// (update, delete, close) and looked up by name when they are not (create).
type fmTransient struct {
	name  string
	fault mockserver.Fault // Match is set per operation; Count is 1
	// requestTimeout, when set, is the provider's request_timeout.
	requestTimeout string
}

func fmTransientFaults() []fmTransient {
	retryAfter := map[string]string{"Retry-After": "1"}
	return []fmTransient{
		// First, because it is the slowest: MDA's window is a minute, and without
		// Retry-After the client waits it out, holding every request of the run meanwhile.
		// The 429 comes late (DelayMS) only so that the four writes of one apply are all
		// in flight when it arrives and wait out one minute together, not one each.
		{name: "429 without Retry-After", fault: mockserver.Fault{
			Status: http.StatusTooManyRequests, Body: `{"detail":"Request was throttled."}`, DelayMS: 1500,
		}},
		{name: "429 with Retry-After", fault: mockserver.Fault{
			Status: http.StatusTooManyRequests, Headers: retryAfter,
			Body: `{"detail":"Request was throttled. Expected available in 1 second."}`,
		}},
		// A 500 and a 503 come from a front end that did nothing; a 502 and a 504 from a
		// gateway that gave up while MDA did the work (After): a create must be adopted,
		// a repeated update, delete or close must land where one would.
		{name: "500 HTML before acting", fault: mockserver.Fault{
			Status: http.StatusInternalServerError, Body: acctest.ErrorPage(http.StatusInternalServerError),
		}},
		{name: "502 HTML after acting", fault: mockserver.Fault{
			Status: http.StatusBadGateway, Body: acctest.ErrorPage(http.StatusBadGateway), After: true,
		}},
		{name: "503 HTML with Retry-After before acting", fault: mockserver.Fault{
			Status: http.StatusServiceUnavailable, Body: acctest.ErrorPage(http.StatusServiceUnavailable), Headers: retryAfter,
		}},
		{name: "504 HTML after acting", fault: mockserver.Fault{
			Status: http.StatusGatewayTimeout, Body: acctest.ErrorPage(http.StatusGatewayTimeout), After: true,
		}},
		{name: "dropped before acting", fault: mockserver.Fault{Drop: true}},
		{name: "dropped after acting", fault: mockserver.Fault{Drop: true, After: true}},
		// The answer comes after the write took effect and after the attempt timeout.
		{name: "slower than the attempt timeout", fault: mockserver.Fault{DelayMS: 4000, After: true}, requestTimeout: "2s"},
	}
}

// A fault on the listing that says nothing about any range: the run must stop with a
// diagnostic naming the portal URL, and nothing may leave the state.
type fmNotFound struct {
	name string
	body string
	// words must be in the diagnostic besides the portal URL.
	words string
}

func fmNotFoundFaults() []fmNotFound {
	return []fmNotFound{
		{name: "404 HTML", body: acctest.NotFoundPage, words: "404"},
		{name: "404 tenant not found", body: acctest.TenantNotFound, words: "tenant not found"},
	}
}

func TestAccFaultMatrix(t *testing.T) {
	for _, row := range fmTransientFaults() {
		t.Run(row.name, func(t *testing.T) { testAccFaultMatrixTransient(t, row) })
	}
	t.Run("truncated JSON on a 200", testAccFaultMatrixTruncated)
	for _, row := range fmNotFoundFaults() {
		t.Run(row.name+" on the listing, refresh update delete", func(t *testing.T) { testAccFaultMatrixNotFoundExisting(t, row) })
		t.Run(row.name+" on the listing, create close", func(t *testing.T) { testAccFaultMatrixNotFoundNew(t, row) })
	}
}

// testAccFaultMatrixTransient: the read (refresh), then create, update, delete and close
// in one apply, each meeting the fault once.
func testAccFaultMatrixTransient(t *testing.T, row fmTransient) {
	fx := newFaultMatrixFixture(t, row.requestTimeout)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             fx.checkDestroy(),
		Steps: []resource.TestStep{
			{Config: fx.configBefore(), Check: fx.checkRanges(fx.before())},
			{ // read
				PreConfig:    func() { fx.inject(row.fault, fmListRoute) },
				RefreshState: true,
				Check:        fx.all(fx.checkSpent(), fx.checkRanges(fx.before())),
			},
			{ // create, update, delete, close
				PreConfig: func() {
					fx.inject(row.fault, fmCreateRoute, fx.updateRoute(), fx.deleteRoute(), fmCloseRoute)
				},
				Config: fx.configAfter(true),
				Check:  fx.all(fx.checkSpent(), fx.checkRanges(fx.after()), fx.checkAlertClosed(true)),
			},
		},
	})
}

// testAccFaultMatrixTruncated: a 200 whose JSON is cut short. A read cannot use it and
// fails clearly, leaving the state as it was. The writes took effect (After): the create
// is looked up and adopted, the update and the delete need nothing from the body, and the
// close, whose answer carries its result, says it may have taken effect; the next apply
// finds the alert closed and adopts it without closing it again.
func testAccFaultMatrixTruncated(t *testing.T) {
	fx := newFaultMatrixFixture(t, "")
	truncated := mockserver.Fault{Status: http.StatusOK, Body: acctest.TruncatedJSON}
	truncatedAfter := truncated
	truncatedAfter.After = true
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             fx.checkDestroy(),
		Steps: []resource.TestStep{
			{Config: fx.configBefore(), Check: fx.checkRanges(fx.before())},
			{ // read
				PreConfig:    func() { fx.inject(truncated, fmListRoute) },
				RefreshState: true,
				ExpectError:  expectErrorWords(`IP range.*(?i:json)`),
			},
			{ // the failed refresh left the state as it was
				PreConfig:    func() { fx.requireSpent() },
				RefreshState: true,
				Check:        fx.checkRanges(fx.before()),
			},
			{ // create, update, delete
				PreConfig: func() { fx.inject(truncatedAfter, fmCreateRoute, fx.updateRoute(), fx.deleteRoute()) },
				Config:    fx.configAfter(false),
				Check:     fx.all(fx.checkSpent(), fx.checkRanges(fx.after())),
			},
			{ // close
				PreConfig:   func() { fx.inject(truncatedAfter, fmCloseRoute) },
				Config:      fx.configAfter(true),
				ExpectError: expectErrorWords(`close alert.*may have taken effect`),
			},
			{ // the next apply adopts the closed alert
				PreConfig: func() {
					fx.requireSpent()
					fx.requireAlertResolution(4)
					fx.m.ResetStats()
				},
				Config: fx.configAfter(true),
				Check:  fx.all(fx.checkRanges(fx.after()), fx.checkAlertClosed(false)),
			},
		},
	})
}

// testAccFaultMatrixNotFoundExisting: a 404 on the listing during a refresh, and so during
// the plan of an update or a delete, stops the run; and a 404 of that kind on the delete's
// own route is not a delete done. Nothing leaves the state, nothing changes on the server.
func testAccFaultMatrixNotFoundExisting(t *testing.T, row fmNotFound) {
	fx := newFaultMatrixFixture(t, "")
	// Enough for every retry and every later request of the step.
	notFound := mockserver.Fault{Status: http.StatusNotFound, Body: row.body, Count: 100}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             fx.checkDestroy(),
		Steps: []resource.TestStep{
			{Config: fx.configBefore(), Check: fx.checkRanges(fx.before())},
			{ // read (terraform apply -refresh-only)
				PreConfig:    func() { fx.inject(notFound, fmListRoute) },
				RefreshState: true,
				ExpectError:  fx.expectPortal(row.words),
			},
			{ // update and delete: the plan's refresh fails
				Config:      fx.configAfter(false),
				ExpectError: fx.expectPortal(row.words),
			},
			fx.unchanged(),
			{ // delete, the 404 on its own route
				PreConfig:   func() { fx.inject(notFound, fx.deleteRoute()) },
				Config:      fx.configBeforeWithoutDelete(),
				ExpectError: fx.expectPortal(row.words),
			},
			fx.unchanged(),
		},
	})
}

// testAccFaultMatrixNotFoundNew: a create looks its name up in the listing, and a close
// looks its alert up; a 404 there stops the run with nothing created or closed, and the
// next apply does the work once.
func testAccFaultMatrixNotFoundNew(t *testing.T, row fmNotFound) {
	fx := newFaultMatrixFixture(t, "")
	notFound := mockserver.Fault{Status: http.StatusNotFound, Body: row.body, Count: 100}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             fx.checkDestroy(),
		Steps: []resource.TestStep{
			{ // create
				PreConfig:   func() { fx.inject(notFound, fmListRoute) },
				Config:      fx.configNew(true, false),
				ExpectError: fx.expectPortal(row.words),
			},
			{ // close
				PreConfig: func() {
					fx.m.ClearFaults()
					if rs := testAccMockRangesNamed(fx.m, fx.name("new")); len(rs) != 0 {
						t.Errorf("the failed create left %d ranges named %s on the server", len(rs), fx.name("new"))
					}
					fx.inject(notFound, fmAlertsListRoute)
				},
				Config:      fx.configNew(false, true),
				ExpectError: fx.expectPortal(row.words),
			},
			{ // the next apply does both, once
				PreConfig: func() {
					fx.m.ClearFaults()
					fx.requireAlertResolution(0)
				},
				Config: fx.configNew(true, true),
				Check: fx.all(
					fx.checkRanges(map[string]int{fx.name("new"): fmRisky}),
					fx.checkAlertClosed(true),
				),
			},
		},
	})
}

// faultMatrixFixture is one cell's mock, names and configurations.
type faultMatrixFixture struct {
	t              *testing.T
	m              *acctest.Mock
	prefix         string
	alertID        string
	requestTimeout string
}

func newFaultMatrixFixture(t *testing.T, requestTimeout string) *faultMatrixFixture {
	t.Helper()
	m := acctest.StartMock(t)
	a := testAccPickAlerts(t, m, 1, func(a mockserver.Alert) bool { return a.Resolution == 0 })[0]
	return &faultMatrixFixture{t: t, m: m, prefix: acctest.RandomName("tfacc-fm"), alertID: a.ID, requestTimeout: requestTimeout}
}

func (fx *faultMatrixFixture) name(role string) string { return fx.prefix + "-" + role }

// unchanged is the step after a failed one: with the faults gone, the configuration of
// the first step plans nothing (no range left the state, none changed on the server),
// and the server holds what the state holds.
func (fx *faultMatrixFixture) unchanged() resource.TestStep {
	return resource.TestStep{
		PreConfig: fx.m.ClearFaults,
		Config:    fx.configBefore(),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: fx.checkRanges(fx.before()),
	}
}

// before is what the server holds before the writes: "upd" and "del".
func (fx *faultMatrixFixture) before() map[string]int {
	return map[string]int{fx.name("upd"): fmVPN, fx.name("del"): fmVPN}
}

// after is what it holds after them: "new" created, "upd" updated, "del" deleted.
func (fx *faultMatrixFixture) after() map[string]int {
	return map[string]int{fx.name("new"): fmRisky, fx.name("upd"): fmCorporate}
}

// provider has max_retries = 3: each fault hits once, and a retry must get past it.
func (fx *faultMatrixFixture) provider() string {
	timeout := ""
	if fx.requestTimeout != "" {
		timeout = fmt.Sprintf("  request_timeout     = %q\n", fx.requestTimeout)
	}
	return fmt.Sprintf(`
provider "mda" {
  portal_url          = %q
  api_token           = %q
  requests_per_minute = 6000
  max_retries         = 3
%s}
`, fx.m.URL(), acctest.Token, timeout)
}

func (fx *faultMatrixFixture) ipRange(role, category, cidr string) string {
	return fmt.Sprintf(`
resource "mda_ip_range" %[1]q {
  name     = %[2]q
  category = %[3]q
  subnets  = [%[4]q]
}
`, role, fx.name(role), category, cidr)
}

func (fx *faultMatrixFixture) alertClose() string {
	return fmt.Sprintf(`
resource "mda_alert_state" "close" {
  alert_id   = %q
  resolution = "benign"
}
`, fx.alertID)
}

func (fx *faultMatrixFixture) configBefore() string {
	return fx.provider() + fx.ipRange("upd", "vpn", "10.81.0.0/16") + fx.ipRange("del", "vpn", "10.82.0.0/16")
}

func (fx *faultMatrixFixture) configBeforeWithoutDelete() string {
	return fx.provider() + fx.ipRange("upd", "vpn", "10.81.0.0/16")
}

func (fx *faultMatrixFixture) configAfter(withAlert bool) string {
	cfg := fx.provider() + fx.ipRange("new", "risky", "10.83.0.0/16") + fx.ipRange("upd", "corporate", "10.81.0.0/16")
	if withAlert {
		cfg += fx.alertClose()
	}
	return cfg
}

func (fx *faultMatrixFixture) configNew(withRange, withAlert bool) string {
	cfg := fx.provider()
	if withRange {
		cfg += fx.ipRange("new", "risky", "10.83.0.0/16")
	}
	if withAlert {
		cfg += fx.alertClose()
	}
	return cfg
}

// id is the server's id of the range with this role; the test stops without one.
func (fx *faultMatrixFixture) id(role string) string {
	fx.t.Helper()
	s, ok := fx.m.FindSubnetByName(fx.name(role))
	if !ok {
		fx.t.Fatalf("the mock holds no range named %s", fx.name(role))
	}
	return s.ID
}

func (fx *faultMatrixFixture) updateRoute() string {
	return "POST /api/v1/subnet/" + fx.id("upd") + "/update_rule/"
}

func (fx *faultMatrixFixture) deleteRoute() string {
	return "DELETE /api/v1/subnet/" + fx.id("del") + "/"
}

// inject queues f once on each route (Count 1 unless f sets one).
func (fx *faultMatrixFixture) inject(f mockserver.Fault, routes ...string) {
	for _, r := range routes {
		f.Match = r
		fx.m.AddFault(f)
	}
}

// requireSpent, for a PreConfig after a step that expected an error, stops the test when
// that step's faults were never hit.
func (fx *faultMatrixFixture) requireSpent() {
	fx.t.Helper()
	if err := acctest.CheckFaultsSpent(fx.m); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *faultMatrixFixture) requireAlertResolution(want int) {
	fx.t.Helper()
	a, ok := fx.m.Alert(fx.alertID)
	if !ok {
		fx.t.Fatalf("the mock has no alert %s", fx.alertID)
	}
	if a.Resolution != want {
		fx.t.Fatalf("alert %s has resolution %d on the server, want %d", fx.alertID, a.Resolution, want)
	}
}

// expectPortal matches a diagnostic that names the portal URL and words, in either order.
func (fx *faultMatrixFixture) expectPortal(words string) *regexp.Regexp {
	url := regexp.QuoteMeta(fx.m.URL())
	w := regexp.MustCompile(` +`).ReplaceAllString(regexp.QuoteMeta(words), `\s+`)
	return regexp.MustCompile(fmt.Sprintf(`(?s)(?:%[1]s.*%[2]s|%[2]s.*%[1]s)`, url, w))
}

func (fx *faultMatrixFixture) all(checks ...resource.TestCheckFunc) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var errs []error
		for _, c := range checks {
			errs = append(errs, c(s))
		}
		return errors.Join(errs...)
	}
}

func (fx *faultMatrixFixture) checkSpent() resource.TestCheckFunc {
	return func(*terraform.State) error { return acctest.CheckFaultsSpent(fx.m) }
}

func (fx *faultMatrixFixture) checkRanges(want map[string]int) resource.TestCheckFunc {
	return func(s *terraform.State) error { return acctest.CheckIPRangesMatch(fx.m, s, fx.prefix, want) }
}

// checkAlertClosed checks that the alert is closed as benign on the server and in the
// state; with closedNow, that this run closed it (at least one close request since the
// stats were last reset); without, that it adopted the alert as found, sending no close.
func (fx *faultMatrixFixture) checkAlertClosed(closedNow bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, ok := fx.m.Alert(fx.alertID)
		if !ok {
			return fmt.Errorf("the mock has no alert %s", fx.alertID)
		}
		var errs []error
		if a.Resolution != 4 {
			errs = append(errs, fmt.Errorf("alert %s has resolution %d on the server, want 4 (benign)", a.ID, a.Resolution))
		}
		rs, ok := s.RootModule().Resources["mda_alert_state.close"]
		switch {
		case !ok:
			errs = append(errs, errors.New("the state holds no mda_alert_state.close"))
		case rs.Primary.ID != fx.alertID || rs.Primary.Attributes["current_resolution"] != "benign":
			errs = append(errs, fmt.Errorf("the state holds alert %s as %q, want %s as benign",
				rs.Primary.ID, rs.Primary.Attributes["current_resolution"], fx.alertID))
		}
		closes := fx.m.Stats().Routes[fmCloseRoute]
		if closedNow && closes == 0 {
			errs = append(errs, errors.New("no close request reached the server"))
		}
		if !closedNow && closes != 0 {
			errs = append(errs, fmt.Errorf("%d close requests for an alert already closed as wanted, want none", closes))
		}
		return errors.Join(errs...)
	}
}

func (fx *faultMatrixFixture) checkDestroy() resource.TestCheckFunc {
	return resource.ComposeAggregateTestCheckFunc(testAccCheckIPRangeDestroy(fx.m), testAccCheckAlertStateDestroy(fx.m))
}
