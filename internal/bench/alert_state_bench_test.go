package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// alertBatchBound is how many requests 60 alert states should cost to refresh, or to
// close the same way: lookups and closes that arrive together share requests of up to 100
// alerts, and Terraform's walk (parallelism 10) hands them over in a few waves. How many
// waves depends on scheduling, which is why this bound is measured here, at the real
// limit and alone on the machine, while the acceptance test keeps a loose one.
const alertBatchBound = 8

// BenchmarkAlertState60 applies 60 mda_alert_state resources (read = true), then plans
// them (a refresh of 60), then closes all 60 as benign in one apply.
func BenchmarkAlertState60(b *testing.B) {
	cli := acctest.NewCLI(b)
	for range b.N {
		b.StopTimer()
		m := startBenchMock(b)
		var ids []string
		for _, a := range m.Alerts() {
			if a.Resolution == 0 && len(ids) < 60 {
				ids = append(ids, fmt.Sprintf("%q", a.ID))
			}
		}
		if len(ids) < 60 {
			b.Fatalf("the mock seeds %d open alerts, want 60", len(ids))
		}
		config := func(body string) string {
			return fmt.Sprintf(`
locals {
  alert_ids = [%s]
}

resource "mda_alert_state" "r" {
  for_each = toset(local.alert_ids)
  alert_id = each.value
%s
}
`, strings.Join(ids, ", "), body)
		}
		work := benchWorkdir(b, cli, m, config("  read = true"))
		runTerraform(b, work, "apply", "-auto-approve", "-input=false")

		m.ResetStats()
		b.StartTimer()
		elapsed := runTerraform(b, work, "plan", "-input=false", "-detailed-exitcode", "-lock=false")
		b.StopTimer()
		st := m.Stats()
		reportAgainstLimit(b, "refresh of 60 alert states", elapsed, st)
		if st.Total > alertBatchBound {
			b.Errorf("refreshing 60 alert states cost %d requests (%v), want at most %d", st.Total, st.Routes, alertBatchBound)
		}

		work.WriteFile("main.tf", config(`  read       = true
  resolution = "benign"
  reason     = "triggered_by_test"`))
		m.ResetStats()
		b.StartTimer()
		elapsed = runTerraform(b, work, "apply", "-auto-approve", "-input=false")
		b.StopTimer()
		st = m.Stats()
		closes := st.Routes["POST /api/v1/alerts/close_benign/"]
		reportAgainstLimit(b, "close of 60 alerts as benign (plan and apply)", elapsed, st)
		b.ReportMetric(float64(closes), "close-requests")
		if closes > alertBatchBound {
			b.Errorf("closing 60 alerts cost %d close requests (%v), want at most %d", closes, st.Routes, alertBatchBound)
		}
		for _, id := range ids {
			if a, ok := m.Alert(strings.Trim(id, `"`)); !ok || a.Resolution != 4 {
				b.Errorf("alert %s is not closed as benign: %+v", id, a)
			}
		}
		m.Close()
	}
}
