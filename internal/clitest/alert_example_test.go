package clitest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccAlertStateForEachExample runs the for_each example of mda_alert_state's docs as
// written, with the provider pointed at the mock. It lives here, on the real CLI, because
// terraform-plugin-testing cannot read instances keyed by strings. Every alert of the
// test policy that is open is closed as benign and read, the ones already benign are
// adopted as they are, the ones closed another way are left out (not refused), and the
// next plan is empty.
func TestAccAlertStateForEachExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	example, err := os.ReadFile("../../examples/resources/mda_alert_state/for_each.tf")
	if err != nil {
		t.Fatal(err)
	}
	const policy = "5bfd18bfab73c36ba10d38ca" // the example's policy_id
	m := acctest.StartMock(t)
	var open, benign, other []mockserver.Alert
	for _, a := range m.Alerts() {
		switch {
		case a.PolicyID != policy:
		case a.Resolution == 0:
			open = append(open, a)
		case a.Resolution == 4:
			benign = append(benign, a)
		default:
			other = append(other, a)
		}
	}
	if len(open) == 0 || len(other) == 0 {
		t.Fatalf("the mock seeds %d open and %d otherwise closed alerts of policy %s; the test needs both", len(open), len(other), policy)
	}
	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t,
		fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000", m.URL(), acctest.Token),
		string(example))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	state, err := work.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	managed := map[string]bool{}
	for _, r := range state {
		if r.Type == "mda_alert_state" {
			managed[fmt.Sprint(r.Values["id"])] = true
		}
	}
	if len(managed) != len(open)+len(benign) {
		t.Errorf("%d alert states, want %d open and %d benign", len(managed), len(open), len(benign))
	}
	for _, a := range open {
		x, _ := m.Alert(a.ID)
		if !managed[a.ID] || x.Resolution != 4 || x.Reason == nil || *x.Reason != 6 || x.Status == 0 ||
			x.Comment != "Raised by the detection test policy." {
			t.Errorf("open alert %s (managed %v): resolution %d, reason %v, status %d, comment %q; want benign, triggered_by_test, read",
				a.ID, managed[a.ID], x.Resolution, x.Reason, x.Status, x.Comment)
		}
	}
	for _, a := range append(benign, other...) {
		x, _ := m.Alert(a.ID)
		if x.Resolution != a.Resolution || x.Comment != a.Comment || !x.ResolveTime.Equal(*a.ResolveTime) {
			t.Errorf("alert %s, closed before, was closed again: %+v", a.ID, x)
		}
	}
	for _, a := range other {
		if managed[a.ID] {
			t.Errorf("alert %s, closed as %d, is managed", a.ID, a.Resolution)
		}
	}
	// -detailed-exitcode: 0 is an empty plan, 2 a planned change, 1 an error.
	if plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Errorf("the plan after the apply is not empty (exit %d):\n%s", plan.ExitCode, plan)
	}
}
