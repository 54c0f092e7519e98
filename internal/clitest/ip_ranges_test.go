package clitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// ipRangesProvider is the body of the provider block for m.
func ipRangesProvider(m *acctest.Mock) string {
	return fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000", m.URL(), acctest.Token)
}

// TestAccIPRangesAdoptForEach adopts a tenant's custom ranges the way the mda_ip_ranges
// docs suggest: for_each over the data source, keyed by id, and one import block per
// range. The ranges have every shape an adoption meets (no tags, tags given by id,
// organization, IPv6, several subnets, quotes and non-ASCII in names). Nothing may be
// updated: with tags = [] for untagged ranges, every one of them planned an update, each
// a request. It runs here, on the real CLI, because terraform-plugin-testing cannot read
// instances keyed by strings.
func TestAccIPRangesAdoptForEach(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	m := acctest.StartMock(t)
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
		{name: "aws egress", category: 5, cidrs: []string{"203.0.113.0/24"}, tags: []string{"000000290000000000000000", "egress"}, org: "Amazon.com, Inc."},
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
	var imports strings.Builder
	var ids []string
	untagged := 0
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			continue
		}
		ids = append(ids, s.ID)
		if len(s.Tags) == 0 {
			untagged++
		}
		fmt.Fprintf(&imports, "\nimport {\n  to = mda_ip_range.adopted[%q]\n  id = %q\n}\n", s.ID, s.ID)
	}
	if untagged < 2 || untagged == len(ids) {
		t.Fatalf("%d of %d ranges are untagged; the test needs both kinds", untagged, len(ids))
	}
	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t, ipRangesProvider(m), `
data "mda_ip_ranges" "custom" {
  built_in = false
}

resource "mda_ip_range" "adopted" {
  for_each = { for r in data.mda_ip_ranges.custom.ip_ranges : r.id => r }

  name         = each.value.name
  category     = each.value.category
  subnets      = each.value.subnets
  organization = each.value.organization
  tags         = each.value.tags
}
`+imports.String())
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	plan := work.MustRun(ctx, "plan", "-input=false")
	want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(ids))
	if !strings.Contains(plan.Output, want) {
		t.Errorf("the adoption plan does not say %q:\n%s", want, plan)
	}
	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	state, err := work.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var adopted []string
	for _, r := range state {
		if r.Type == "mda_ip_range" {
			adopted = append(adopted, fmt.Sprint(r.Values["id"]))
		}
	}
	slices.Sort(adopted)
	slices.Sort(ids)
	if !slices.Equal(adopted, ids) {
		t.Errorf("adopted %v, want %v", adopted, ids)
	}
	if plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Errorf("the plan after the adoption is not empty (exit %d):\n%s", plan.ExitCode, plan)
	}
	for route, n := range m.Stats().Routes {
		if strings.Contains(route, "_rule/") || strings.HasPrefix(route, "DELETE ") {
			t.Errorf("adopting sent %d requests to %s, want no write", n, route)
		}
	}
}

// TestAccIPRangesExamples runs the mda_ip_ranges examples of the docs as written against
// the mock: the listing example's outputs, and the names check, which passes after the
// apply that creates the configured ranges and fails the plan, naming the range, once a
// corporate range appears in the portal.
func TestAccIPRangesExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	example := func(name string) string {
		b, err := os.ReadFile("../../examples/data-sources/mda_ip_ranges/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	m := acctest.StartMock(t)
	if _, err := m.AddSubnet("Remote access", 4, []string{"198.51.100.0/24", "2001:db8:1::/48"}); err != nil {
		t.Fatal(err)
	}
	cli := acctest.NewCLI(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	listing := cli.NewWorkdir(t, ipRangesProvider(m), example("data-source.tf"))
	listing.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	out := listing.MustRun(ctx, "output", "-json")
	var outputs map[string]struct {
		Value []string `json:"value"`
	}
	if err := json.Unmarshal([]byte(out.Stdout), &outputs); err != nil {
		t.Fatalf("decoding the outputs: %v\n%s", err, out)
	}
	if got := outputs["vpn_subnets"].Value; !slices.Equal(got, []string{"198.51.100.0/24", "2001:db8:1::/48"}) {
		t.Errorf("vpn_subnets = %q", got)
	}
	if got := outputs["aws_range_names"].Value; !slices.Equal(got, []string{"Amazon Web Services"}) {
		t.Errorf("aws_range_names = %q", got)
	}

	check := cli.NewWorkdir(t, ipRangesProvider(m), example("check-names.tf"))
	check.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	if plan := check.Run(ctx, "plan", "-input=false", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Errorf("with every corporate range managed, the plan is not empty (exit %d):\n%s", plan.ExitCode, plan)
	}
	if _, err := m.AddSubnet("Totally corporate", 1, []string{"100.64.0.0/10"}); err != nil {
		t.Fatal(err)
	}
	plan := check.Run(ctx, "plan", "-input=false", "-detailed-exitcode")
	if plan.ExitCode != 1 || !strings.Contains(strings.Join(strings.Fields(plan.Output), " "),
		"Corporate IP ranges not managed here: Totally corporate.") {
		t.Errorf("with an unmanaged corporate range, the plan does not fail naming it (exit %d):\n%s", plan.ExitCode, plan)
	}
}
