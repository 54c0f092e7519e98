package clitest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestMain removes the provider binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	acctest.RemoveProviderBuild()
	os.Exit(code)
}

const (
	interruptRanges = 10
	// interruptSlowAnswer holds back every create's answer, after MDA has stored the
	// range, for longer than the default write timeout (60 s): a provider that waited for
	// the answer instead of stopping would overrun interruptExitBound.
	interruptSlowAnswer = 3 * time.Minute
	// interruptExitBound is how long the CLI may take to exit after SIGINT: enough to
	// start a plugin and look the names up on a loaded machine, far less than the slow
	// answer or a write timeout.
	interruptExitBound = 40 * time.Second
)

// TestAccIPRangeInterrupt is Ctrl-C during an apply: ten creates are in flight, MDA has
// stored all ten ranges but not yet answered, and the CLI gets SIGINT. Terraform asks the
// provider to stop (its contexts end) and waits for the creates to return. However they
// return, nothing may be orphaned: every range in the tenant must be in state under its
// id, and the next plan must be empty.
func TestAccIPRangeInterrupt(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{
		Match:   "POST /api/v1/subnet/create_rule/",
		After:   true,
		DelayMS: int(interruptSlowAnswer / time.Millisecond),
		Count:   interruptRanges,
	})
	work := cli.NewWorkdir(t,
		fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000", m.URL(), acctest.Token),
		fmt.Sprintf(`
resource "mda_ip_range" "r" {
  count    = %d
  name     = "interrupted-${count.index}"
  category = "corporate"
  subnets  = ["10.20.${count.index}.0/24"]
}
`, interruptRanges))

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	// The default -parallelism of 10 puts all ten creates in flight at once.
	apply, err := work.Start(ctx, "apply", "-auto-approve", "-input=false")
	if err != nil {
		t.Fatal(err)
	}

	// Interrupt only once MDA holds every range: then all ten creates have acted and are
	// waiting for their answers, whatever the machine's speed.
	if err := waitUntil(ctx, apply, func() bool { return len(customRanges(m)) == interruptRanges }); err != nil {
		t.Fatalf("waiting for MDA to store %d ranges: %s (it holds %d)\n%s", interruptRanges, err, len(customRanges(m)), apply.Output())
	}
	if err := apply.Interrupt(); err != nil {
		t.Fatal(err)
	}
	interrupted := time.Now()
	select {
	case <-apply.Done():
	case <-time.After(interruptExitBound):
		// A second interrupt makes the CLI exit at once (and stop its plugins) instead of
		// being killed with them left behind.
		_ = apply.Interrupt()
		<-apply.Done()
		t.Fatalf("the CLI was still running %s after SIGINT: the provider waited for the creates' answers instead of stopping\n%s",
			interruptExitBound, apply.Output())
	}
	res := apply.Wait()
	t.Logf("apply exited %d, %s after SIGINT:\n%s", res.ExitCode, time.Since(interrupted).Round(time.Millisecond), fromInterrupt(res.Output))

	// From here on MDA answers at once.
	m.ClearFaults()
	tenant := customRanges(m)
	if len(tenant) != interruptRanges {
		t.Errorf("the tenant holds %d custom ranges after the interrupted apply, want %d", len(tenant), interruptRanges)
	}
	state, err := work.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inState := map[string]string{}
	for _, r := range state {
		if r.Type == "mda_ip_range" {
			id, _ := r.Values["id"].(string)
			inState[id] = r.Address
		}
	}
	var orphans []string
	for id, name := range tenant {
		if _, ok := inState[id]; !ok {
			orphans = append(orphans, fmt.Sprintf("%s (%s)", name, id))
		}
	}
	sort.Strings(orphans)
	if len(orphans) > 0 {
		t.Errorf("%d of %d ranges are in the tenant but not in state (orphaned by the interrupt): %s",
			len(orphans), len(tenant), strings.Join(orphans, ", "))
	}
	for id, addr := range inState {
		if _, ok := tenant[id]; !ok {
			t.Errorf("%s is in state with id %q, which the tenant does not hold", addr, id)
		}
	}

	// -detailed-exitcode: 0 is an empty plan, 2 a planned change (a range to create again,
	// a tainted one to replace), 1 an error.
	plan := work.Run(ctx, "plan", "-input=false", "-detailed-exitcode")
	if plan.Err != nil || plan.ExitCode != 0 {
		t.Errorf("the plan after the interrupted apply is not empty (exit %d, %v):\n%s", plan.ExitCode, plan.Err, tail(plan.Output, 3000))
	}
}

// customRanges maps the id of every range created in the tenant to its name.
func customRanges(m *acctest.Mock) map[string]string {
	out := map[string]string{}
	for _, s := range m.Subnets() {
		if !s.BuiltIn {
			out[s.ID] = s.Name
		}
	}
	return out
}

// waitUntil polls cond until it holds, the CLI exits or ctx ends.
func waitUntil(ctx context.Context, p *acctest.Process, cond func() bool) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.Done():
			if cond() {
				return nil
			}
			return fmt.Errorf("the CLI exited first (exit %d)", p.Wait().ExitCode)
		case <-tick.C:
		}
	}
	return nil
}

// fromInterrupt is the CLI's output from the interrupt on: the plan before it says nothing
// the test does not already know.
func fromInterrupt(out string) string {
	if i := strings.Index(out, "Interrupt received"); i >= 0 {
		return out[i:]
	}
	return tail(out, 3000)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}
