package clitest

import (
	"slices"
	"strings"
	"testing"
)

// The drift guide's examples register their checks here rather than in guide_examples_test.go,
// so that each guide's expectations sit in a file of their own. Exit codes alone would let
// a plan that exits 2 for another reason pass: these checks ask that the range added out
// of band is the one named, and that nothing was deleted.
func init() {
	guideExampleHooks["drift/exclusive"] = guideHooks{check: checkDriftExclusive}
	guideExampleHooks["drift/postcondition"] = guideHooks{check: checkDriftPostcondition}
}

// driftManaged are the ranges both drift examples manage; driftStranger is the one
// commands.sh adds through the API.
var (
	driftManaged  = []string{"Head office", "VPN egress"}
	driftStranger = "corporate"
)

// checkDriftExclusive: the drift plan removes the stranger from names and names its
// subnet; the apply refuses with an import block for it and deletes nothing.
func checkDriftExclusive(t *testing.T, r *guideRun) {
	t.Helper()
	plan := lastGuideResult(t, r, "terraform plan -detailed-exitcode")
	for _, want := range []string{`- "corporate",`, "100.64.0.0/10", "Apply will fail"} {
		if !strings.Contains(plan.output, want) {
			t.Errorf("the drift plan does not show %q:\n%s", want, plan.output)
		}
	}
	apply := lastGuideResult(t, r, "terraform apply")
	for _, want := range []string{"IP ranges not in names", "to = mda_ip_range.corporate"} {
		if !strings.Contains(apply.output, want) {
			t.Errorf("the refused apply does not show %q:\n%s", want, apply.output)
		}
	}
	checkDriftTenant(t, r)
}

// checkDriftPostcondition: the plan fails with the example's message naming the stranger,
// and the tenant is as it was.
func checkDriftPostcondition(t *testing.T, r *guideRun) {
	t.Helper()
	plan := lastGuideResult(t, r, "terraform plan -detailed-exitcode")
	if !strings.Contains(plan.output, "IP ranges nobody declared: corporate.") {
		t.Errorf("the failed plan does not name the range added out of band:\n%s", plan.output)
	}
	checkDriftTenant(t, r)
}

// checkDriftTenant: the managed ranges and the stranger are all still in the tenant.
func checkDriftTenant(t *testing.T, r *guideRun) {
	t.Helper()
	var names []string
	for _, s := range r.mock.customRanges(t) {
		names = append(names, s.Name)
	}
	want := sorted(append(slices.Clone(driftManaged), driftStranger))
	if got := sorted(names); !slices.Equal(got, want) {
		t.Errorf("the tenant holds %q, want %q: nothing may be created or deleted after the first apply", got, want)
	}
}

// lastGuideResult returns the result of the last line that starts with prefix.
func lastGuideResult(t *testing.T, r *guideRun, prefix string) guideStepResult {
	t.Helper()
	for _, res := range slices.Backward(r.results) {
		if strings.HasPrefix(res.step.line, prefix) {
			return res
		}
	}
	t.Fatalf("no line of examples/guides/%s/commands.sh starts with %q", r.ex.dir, prefix)
	return guideStepResult{}
}
