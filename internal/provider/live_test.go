package provider

// The live tests (TestAccLive_*) run only with MDA_LIVE=1, against the tenant that
// MDA_PORTAL_URL and the usual credential variables name: `MDA_LIVE=1 make testacc-live`.
// They are what is safe on a real tenant: everything they create is named with their own
// tfacc-<random>- prefix, they change nothing else, out-of-band edits go through the real
// API, and they spend as few of the tenant's 30 requests a minute as their assertions
// allow (the GNUmakefile's LIVE_REQUESTS counts them). Alerts are only read, unless
// MDA_LIVE_ALERTS=1 and MDA_LIVE_ALERT_IDS name the alerts that may be marked read and
// unread; nothing here ever closes an alert.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// newLiveClient builds the client of out-of-band edits and checks the way the provider
// builds its own for a live test's provider block: the provider's Configure, with
// requests_per_minute = 30 and everything else from the environment. Both clients then
// share the limiter's window file, so together they stay within the tenant's budget.
func newLiveClient(ctx context.Context) (*mda.Client, error) {
	resp, err := configureModel(ctx, mdaProviderModel{RequestsPerMinute: types.Int64Value(acctest.LiveRequestsPerMinute)})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return nil, fmt.Errorf("configuring the provider from the environment: %w", err)
	}
	client, ok := resp.ResourceData.(*mda.Client)
	if !ok {
		return nil, errors.New("the provider's Configure returned no MDA client")
	}
	return client, nil
}

// testAccLiveClient is newLiveClient for a test; it fails the test when the environment
// does not configure a tenant.
func testAccLiveClient(t *testing.T) *mda.Client {
	t.Helper()
	c, err := newLiveClient(t.Context())
	if err != nil {
		t.Fatalf("live mode needs MDA_PORTAL_URL and a credential in the environment, as the provider reads them: %s", err)
	}
	return c
}

// testAccLiveNetwork is a random /29 inside a documentation block (RFC 5737), which no
// tenant routes: a live range neither overlaps the tenant's own ranges nor, almost
// always, another run's.
func testAccLiveNetwork(block string) string {
	return fmt.Sprintf("%s.%d/29", block, rand.IntN(32)*8)
}

const testAccLiveRangeAddr = "mda_ip_range.test"

// TestAccLive_IPRange is an IP range's life on a real tenant: create, an empty plan,
// update, import by id and by name, an out-of-band change through the API that plans an
// update, an out-of-band delete that plans a re-create, and destroy. The mda_ip_range and
// mda_ip_ranges data sources read the range back along the way. About 33 requests.
func TestAccLive_IPRange(t *testing.T) {
	acctest.SkipUnlessLive(t)
	client := testAccLiveClient(t)
	name := acctest.LivePrefix() + "range"
	net1, net2 := testAccLiveNetwork("192.0.2"), testAccLiveNetwork("198.51.100")
	var id string // set by the first step, the range's id in MDA

	config := func(category, subnets, extra string) string {
		return acctest.LiveProviderConfig() + fmt.Sprintf(`
resource "mda_ip_range" "test" {
  name     = %[1]q
  category = %[2]q
  subnets  = %[3]s
%[4]s
}

data "mda_ip_range" "by_name" {
  name       = mda_ip_range.test.name
  depends_on = [mda_ip_range.test]
}

data "mda_ip_ranges" "custom" {
  built_in   = false
  depends_on = [mda_ip_range.test]
}
`, name, category, subnets, extra)
	}
	created := config("vpn", fmt.Sprintf("[%q]", net1), "")
	updated := config("corporate", fmt.Sprintf("[%q, %q]", net1, net2), `  organization = "tfacc"`)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccLiveCheckIPRangeDestroy(client),
		Steps: []resource.TestStep{
			{ // Created; the harness's plan after the apply must be empty.
				Config: created,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_ip_range.by_name", tfjsonpath.New("category"), knownvalue.StringExact("vpn")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						id = s.RootModule().Resources[testAccLiveRangeAddr].Primary.ID
						return nil
					},
					resource.TestCheckResourceAttrPair("data.mda_ip_range.by_name", "id", testAccLiveRangeAddr, "id"),
					resource.TestCheckTypeSetElemAttr("data.mda_ip_ranges.custom", "names.*", name),
					resource.TestCheckTypeSetElemAttrPair("data.mda_ip_ranges.custom", "ids.*", testAccLiveRangeAddr, "id"),
					testAccLiveCheckIPRange(client, &id, name, "vpn", net1),
				),
			},
			{ // Updated in place.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccLiveRangeAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(testAccLiveRangeAddr, "id", &id),
					testAccLiveCheckIPRange(client, &id, name, "corporate", net1, net2),
				),
			},
			{ResourceName: testAccLiveRangeAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: testAccLiveRangeAddr, ImportState: true, ImportStateVerify: true, ImportStateId: "name:" + name},
			{ // Changed through the API: the plan updates it back, and the plan after that is empty.
				PreConfig: func() {
					err := client.UpdateSubnet(t.Context(), id, mda.SubnetInput{
						Name: name, Category: categoryCodes["risky"], Subnets: []string{net1, net2}, Organization: "tfacc",
					})
					if err != nil {
						t.Fatalf("changing range %s through the API: %s", id, err)
					}
				},
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccLiveRangeAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: testAccLiveCheckIPRange(client, &id, name, "corporate", net1, net2),
			},
			{ // Deleted through the API: the plan re-creates it, never an error.
				PreConfig: func() {
					if err := client.DeleteSubnet(t.Context(), id); err != nil {
						t.Fatalf("deleting range %s through the API: %s", id, err)
					}
				},
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccLiveRangeAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// testAccLiveCheckIPRange reads range *id through the API, from a fresh listing, and
// compares it with what the configuration asked for.
func testAccLiveCheckIPRange(client *mda.Client, id *string, name, category string, subnets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		client.InvalidateSubnets()
		s, err := client.LookupSubnet(context.Background(), *id)
		if err != nil {
			return fmt.Errorf("reading range %s through the API: %w", *id, err)
		}
		var got []string
		for _, c := range s.Subnets {
			got = append(got, c.OriginalString)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(subnets))
		if s.Name != name || s.Category != categoryCodes[category] || !slices.Equal(got, want) {
			return fmt.Errorf("the tenant holds range %s as name %q, category %d, subnets %q; want %q, %d (%s), %q",
				*id, s.Name, s.Category, got, name, categoryCodes[category], category, want)
		}
		return nil
	}
}

// testAccLiveCheckIPRangeDestroy asks the tenant, through a fresh listing and the client's
// confirmation of a missing range, whether any range in the state survived the destroy.
func testAccLiveCheckIPRangeDestroy(client *mda.Client) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		client.InvalidateSubnets()
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "mda_ip_range" {
				continue
			}
			_, err := client.LookupSubnet(context.Background(), rs.Primary.ID)
			switch {
			case err == nil:
				return fmt.Errorf("IP range %s still exists in the tenant after destroy", rs.Primary.ID)
			case !mda.IsNotFound(err):
				return fmt.Errorf("checking that IP range %s is gone: %w", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// TestAccLive_Alerts reads the newest alert through mda_alerts and again through
// mda_alert; a tenant without alerts reads an empty list. Nothing is changed. About 6
// requests.
func TestAccLive_Alerts(t *testing.T) {
	acctest.SkipUnlessLive(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.LiveProviderConfig() + `
data "mda_alerts" "newest" {
  max_results = 1
}

data "mda_alert" "newest" {
  count = length(data.mda_alerts.newest.alerts)
  id    = data.mda_alerts.newest.alerts[0].id
}
`,
			Check: func(s *terraform.State) error {
				list := s.RootModule().Resources["data.mda_alerts.newest"].Primary.Attributes
				n, err := strconv.Atoi(list["alerts.#"])
				if err != nil || n > 1 {
					return fmt.Errorf("mda_alerts with max_results = 1 read %q alerts", list["alerts.#"])
				}
				if n == 0 {
					return nil
				}
				one := s.RootModule().Resources["data.mda_alert.newest.0"].Primary.Attributes
				for _, attr := range []string{"id", "title", "severity", "created"} {
					if one[attr] != list["alerts.0."+attr] {
						return fmt.Errorf("mda_alert read %s %q, mda_alerts %q", attr, one[attr], list["alerts.0."+attr])
					}
				}
				return nil
			},
		}},
	})
}

// TestAccLive_DiscoveryStreams reads the Cloud Discovery streams and checks them against
// the API's own listing. About 4 requests.
func TestAccLive_DiscoveryStreams(t *testing.T) {
	acctest.SkipUnlessLive(t)
	client := testAccLiveClient(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.LiveProviderConfig() + `data "mda_discovery_streams" "all" {}`,
			Check: func(s *terraform.State) error {
				streams, err := client.ListDiscoveryStreams(context.Background())
				if err != nil {
					return fmt.Errorf("listing the streams through the API: %w", err)
				}
				attrs := s.RootModule().Resources["data.mda_discovery_streams.all"].Primary.Attributes
				if attrs["streams.#"] != strconv.Itoa(len(streams)) {
					return fmt.Errorf("mda_discovery_streams read %s streams, the API lists %d", attrs["streams.#"], len(streams))
				}
				for i, st := range streams {
					if got := attrs[fmt.Sprintf("streams.%d.id", i)]; got != st.ID {
						return fmt.Errorf("stream %d is %q in the data source, %q in the API's listing", i, got, st.ID)
					}
				}
				return nil
			},
		}},
	})
}

// TestAccLive_AlertState marks the alerts named in MDA_LIVE_ALERT_IDS read or unread,
// whichever they are not, then back, and checks each change through the API; a cleanup
// puts back whatever a failure left changed. It runs only when acctest.LiveAlertIDs
// allows it (MDA_LIVE=1, MDA_LIVE_ALERTS=1 and the ids), and it never closes an alert: its
// configurations set no resolution. About 14 requests per alert.
func TestAccLive_AlertState(t *testing.T) {
	ids := acctest.SkipUnlessLiveAlerts(t)
	for _, id := range ids {
		if !mda.AlertIDPattern.MatchString(id) {
			t.Fatalf("MDA_LIVE_ALERT_IDS holds %q, which is not an alert id (24 hexadecimal characters)", id)
		}
	}
	client := testAccLiveClient(t)
	wasRead := map[string]bool{}
	for _, id := range ids {
		a, err := client.GetAlert(t.Context(), normalizeAlertID(id))
		if err != nil {
			t.Fatalf("reading alert %s named in MDA_LIVE_ALERT_IDS: %s", id, err)
		}
		wasRead[id] = a.Status != alertStatusCodes["unread"]
	}
	t.Cleanup(func() { testAccLiveRestoreAlerts(t, client, wasRead) })

	config := func(flip bool) string {
		var b strings.Builder
		b.WriteString(acctest.LiveProviderConfig())
		for i, id := range ids {
			fmt.Fprintf(&b, "\nresource \"mda_alert_state\" \"a%d\" {\n  alert_id = %q\n  read     = %t\n}\n", i, id, wasRead[id] != flip)
		}
		return b.String()
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(true), Check: testAccLiveCheckAlertsRead(client, wasRead, true)},
			{Config: config(false), Check: testAccLiveCheckAlertsRead(client, wasRead, false)},
		},
	})
}

// testAccLiveCheckAlertsRead checks through the API that each alert is read when it was
// unread (and the other way round) if flipped, and as it was otherwise.
func testAccLiveCheckAlertsRead(client *mda.Client, wasRead map[string]bool, flipped bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for id, was := range wasRead {
			a, err := client.GetAlert(context.Background(), normalizeAlertID(id))
			if err != nil {
				return fmt.Errorf("reading alert %s through the API: %w", id, err)
			}
			if isRead := a.Status != alertStatusCodes["unread"]; isRead != (was != flipped) {
				return fmt.Errorf("alert %s is read: %t through the API, want %t", id, isRead, was != flipped)
			}
		}
		return nil
	}
}

// testAccLiveRestoreAlerts marks each alert read or unread as it was before the test.
func testAccLiveRestoreAlerts(t *testing.T, client *mda.Client, wasRead map[string]bool) {
	ctx := context.Background() // t.Context is already cancelled in a cleanup
	for id, was := range wasRead {
		a, err := client.GetAlert(ctx, normalizeAlertID(id))
		if err != nil {
			t.Errorf("reading alert %s to restore it: %s", id, err)
			continue
		}
		if isRead := a.Status != alertStatusCodes["unread"]; isRead == was {
			continue
		}
		mark := client.MarkAlertUnread
		if was {
			mark = client.MarkAlertRead
		}
		if err := mark(ctx, normalizeAlertID(id)); err != nil {
			t.Errorf("alert %s was left read: %t; restoring it failed: %s", id, !was, err)
		}
	}
}

// TestLiveAlertGuard proves the guard of TestAccLive_AlertState without a CLI: with
// MDA_LIVE=1 but either alert variable missing, the test skips before it sends a single
// request, so nothing can mark or close an alert. The environment points at a mock whose
// request log would show any request.
func TestLiveAlertGuard(t *testing.T) {
	m := acctest.StartMock(t)
	alert := m.Alerts()[0].ID
	for name, env := range map[string]map[string]string{
		"no MDA_LIVE_ALERTS":    {acctest.EnvLiveAlertIDs: alert},
		"no MDA_LIVE_ALERT_IDS": {acctest.EnvLiveAlerts: "1"},
		"MDA_LIVE_ALERTS=true":  {acctest.EnvLiveAlerts: "true", acctest.EnvLiveAlertIDs: alert},
	} {
		t.Run(name, func(t *testing.T) {
			for _, v := range testAccAuthEnvVars {
				t.Setenv(v, "")
			}
			t.Setenv("MDA_PORTAL_URL", m.URL())
			t.Setenv("MDA_API_TOKEN", acctest.Token)
			// TF_ACC set: were the guard gone, the harness would run rather than skip.
			t.Setenv("TF_ACC", "1")
			t.Setenv(acctest.EnvLive, "1")
			t.Setenv(acctest.EnvLiveAlerts, env[acctest.EnvLiveAlerts])
			t.Setenv(acctest.EnvLiveAlertIDs, env[acctest.EnvLiveAlertIDs])
			m.ResetStats()
			var skipped bool
			t.Run("TestAccLive_AlertState", func(t *testing.T) {
				defer func() { skipped = t.Skipped() }() // t.Skip ends the function through Goexit
				TestAccLive_AlertState(t)
			})
			if !skipped {
				t.Fatal("TestAccLive_AlertState did not skip")
			}
			if st := m.Stats(); st.Total != 0 {
				t.Fatalf("TestAccLive_AlertState sent %d requests without both alert variables: %v", st.Total, st.Routes)
			}
		})
	}
}
