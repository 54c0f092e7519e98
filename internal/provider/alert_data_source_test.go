package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

func TestAccAlertDataSource_lookup(t *testing.T) {
	m := acctest.StartMock(t)
	var open, closed mockserver.Alert
	for _, a := range m.Alerts() {
		switch {
		case open.ID == "" && a.Resolution == 0:
			open = a
		case closed.ID == "" && a.Resolution == 3 && a.PolicyID != "":
			closed = a
		}
	}
	if open.ID == "" || closed.ID == "" {
		t.Fatal("the mock seeds no open alert or no alert closed as false positive")
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_alert" "missing" {
  id = "000000000000000000000000"
}
`,
				ExpectError: expectErrorWords(`Alert not found.*"000000000000000000000000"`),
			},
			{
				Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_alert" "open" {
  id = %q
}

# As Defender XDR shows it: the ca prefix is stripped before asking MDA.
data "mda_alert" "closed" {
  id = "ca%s"
}
`, open.ID, closed.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("title"), knownvalue.StringExact(open.Title)),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("resolution"), knownvalue.StringExact("open")),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("resolved_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("status"), knownvalue.StringExact(alertStatusNames[open.Status])),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("severity"), knownvalue.StringExact(severityNames[open.Severity])),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("created"), knownvalue.StringExact(formatMillis(open.Timestamp))),
					statecheck.ExpectKnownValue("data.mda_alert.open", tfjsonpath.New("entities"), knownvalue.ListSizeExact(len(open.Entities))),

					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("id"), knownvalue.StringExact("ca"+closed.ID)),
					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("title"), knownvalue.StringExact(closed.Title)),
					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("resolution"), knownvalue.StringExact("false_positive")),
					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("resolved_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("policy").AtMapKey("id"), knownvalue.StringExact(closed.PolicyID)),
					statecheck.ExpectKnownValue("data.mda_alert.closed", tfjsonpath.New("raw_json"), knownvalue.StringRegexp(testAccContains(closed.ID))),
				},
			},
		},
	})
}
