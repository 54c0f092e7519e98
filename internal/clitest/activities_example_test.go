package clitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccActivitiesExample runs the mda_activities docs example as written against the
// mock's 5 000 seeded activities, and checks its outputs against the seed: the failed
// sign-ins of the last day from risky or other addresses, and the week's pull, which is
// large enough for scan mode.
func TestAccActivitiesExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	example, err := os.ReadFile("../../examples/data-sources/mda_activities/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	m := acctest.StartMock(t)
	scans := 0
	m.OnActivityScanPage(func(p mockserver.ActivityScanPage) {
		if p.First {
			scans++
		}
	})
	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t, fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000",
		m.URL(), acctest.Token), string(example))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	before := time.Now()
	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	after := time.Now()
	out := work.MustRun(ctx, "output", "-json")
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(out.Stdout), &outputs); err != nil {
		t.Fatalf("reading the outputs: %v\n%s", err, out.Stdout)
	}

	all := m.Activities()
	failedLogins := func(now time.Time) []string {
		var want []string
		for _, a := range all {
			if a.EventActionType == "failedLogin" && (a.IPCategory == 3 || a.IPCategory == 6) &&
				a.Timestamp >= now.Add(-24*time.Hour).UnixMilli() && len(want) < 100 {
				want = append(want, fmt.Sprintf("%s %s from %s (%s)", time.UnixMilli(a.Timestamp).UTC().Format("2006-01-02T15:04:05.999Z07:00"), a.User, a.IP, a.Country))
			}
		}
		return want
	}
	var got []string
	if err := json.Unmarshal(outputs["failed_logins"].Value, &got); err != nil {
		t.Fatal(err)
	}
	// plantimestamp() falls between before and after; only when the two bounds agree is
	// the expectation independent of the instant.
	if want := failedLogins(before); slices.Equal(want, failedLogins(after)) && !slices.Equal(got, want) {
		t.Errorf("failed_logins = %q, want %q", got, want)
	}
	if len(got) == 0 {
		t.Error("failed_logins is empty, so the example shows nothing against the seed")
	}

	week := func(now time.Time) string {
		n := 0
		for _, a := range all {
			if a.Created >= now.Add(-168*time.Hour).UnixMilli() {
				n++
			}
		}
		return fmt.Sprintf("%d of %d", n, n)
	}
	var gotWeek string
	if err := json.Unmarshal(outputs["week"].Value, &gotWeek); err != nil {
		t.Fatal(err)
	}
	if want := week(before); want == week(after) && gotWeek != want {
		t.Errorf("week = %q, want %q", gotWeek, want)
	}
	if scans == 0 {
		t.Error("the week's pull did not use scan mode")
	}
}
