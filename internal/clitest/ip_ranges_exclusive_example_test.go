package clitest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// TestAccIPRangesExclusiveExample runs the example of mda_ip_ranges_exclusive's docs as
// written (its for_each keys are strings, which terraform-plugin-testing cannot read). A
// range nobody owns in another category and one in ignore_names pass; a corporate range
// added in the portal makes the plan exit 2 and the apply fail with its import block;
// with on_unmanaged = "delete" it is deleted and the next plan is empty; destroy deletes
// only the ranges the configuration manages.
func TestAccIPRangesExclusiveExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	raw, err := os.ReadFile("../../examples/resources/mda_ip_ranges_exclusive/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	example := string(raw)
	deleting := strings.Replace(example, `on_unmanaged = "fail"`, `on_unmanaged = "delete"`, 1)
	if deleting == example {
		t.Fatal(`the example no longer sets on_unmanaged = "fail"`)
	}
	m := acctest.StartMock(t)
	for _, r := range []struct {
		name     string
		category int
		cidr     string
	}{{"Branch offices (synced)", 1, "192.0.2.0/24"}, {"Risky thing", 3, "203.0.113.128/25"}} {
		if _, err := m.AddSubnet(r.name, r.category, []string{r.cidr}); err != nil {
			t.Fatal(err)
		}
	}
	has := func(name string) bool { _, ok := m.FindSubnetByName(name); return ok }

	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t,
		fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000", m.URL(), acctest.Token),
		example)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	if plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Fatalf("the plan after the apply is not empty (exit %d):\n%s", plan.ExitCode, plan)
	}

	added, err := m.AddSubnet("Totally corporate", 1, []string{"100.64.0.0/10"})
	if err != nil {
		t.Fatal(err)
	}
	plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode")
	if plan.ExitCode != 2 || !regexp.MustCompile(`(?s)~ names\s+= \[\s+- "Totally corporate",.*Warning: Apply will fail`).MatchString(plan.Output) {
		t.Errorf("plan with a range added in the portal: want exit 2, the name removed from names and a warning:\n%s", plan)
	}
	apply := work.Run(ctx, "apply", "-auto-approve", "-input=false")
	want := regexp.MustCompile(`(?s)Error: IP ranges not in names.*"Totally corporate" \(category corporate, subnets 100\.64\.0\.0/10, id ` +
		added.ID + `\).*import \{\s+to = mda_ip_range\.totally_corporate\s+id = "` + added.ID + `"`)
	if apply.ExitCode == 0 || !want.MatchString(apply.Output) {
		t.Errorf("apply with on_unmanaged = \"fail\": want an error naming the range with its import block:\n%s", apply)
	}
	if !has("Totally corporate") {
		t.Fatal("the failed apply deleted the unmanaged range")
	}

	work.WriteFile("main.tf", deleting)
	apply = work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	if has("Totally corporate") || !strings.Contains(apply.Output, "Warning: Deleted IP ranges not in names") {
		t.Errorf("apply with on_unmanaged = \"delete\": want the range deleted, with a warning:\n%s", apply)
	}
	if plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Errorf("the plan after the delete is not empty (exit %d):\n%s", plan.ExitCode, plan)
	}

	work.MustRun(ctx, "destroy", "-auto-approve", "-input=false")
	for name, want := range map[string]bool{"Head office": false, "VPN egress": false, "Branch offices (synced)": true, "Risky thing": true} {
		if has(name) != want {
			t.Errorf("after destroy, the mock holds %q: %v, want %v", name, has(name), want)
		}
	}
}
