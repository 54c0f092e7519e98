package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const testAccBlockScriptRoute = "GET /api/discovery_block_scripts/"

// TestAccDiscoveryBlockScript_appliances reads the script of every appliance and expects
// the mock's text byte for byte, its hash and the format code.
func TestAccDiscoveryBlockScript_appliances(t *testing.T) {
	m := acctest.StartMock(t)
	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	var checks []statecheck.StateCheck
	for _, word := range blockScriptApplianceWords {
		format := mda.BlockScriptFormats[word]
		script := m.BlockScript(format)
		if script == "" {
			t.Fatalf("the mock has no script for %s (%d)", word, format)
		}
		sum := sha256.Sum256([]byte(script))
		typ := ""
		if word == "zscaler" {
			typ = `type = "banned"`
		}
		fmt.Fprintf(&cfg, "data \"mda_discovery_block_script\" %q {\n  appliance = %q\n  %s\n}\n", word, word, typ)
		addr := "data.mda_discovery_block_script." + word
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("content"), knownvalue.StringExact(script)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("content_sha256"), knownvalue.StringExact(hex.EncodeToString(sum[:]))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("format"), knownvalue.Int64Exact(int64(format))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact("banned")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(word+"/banned")),
		)
	}
	if m.BlockScript(135) == m.BlockScript(102) {
		t.Fatal("websense and bluecoat scripts are the same, so the test cannot tell formats apart")
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// TestAccDiscoveryBlockScript_validation refuses an unknown appliance, naming the valid
// words, and an unknown type, at plan time with no request.
func TestAccDiscoveryBlockScript_validation(t *testing.T) {
	testAccRefusedAtPlan(t, "mda_discovery_block_script", map[string]testAccRefusal{
		"appliance":   {`appliance = "checkpoint"`, `Invalid Attribute Value Match.*appliance.*"bluecoat".*"cisco_asa".*"fortigate".*"palo_alto".*"zscaler".*"juniper_srx".*"websense".*"checkpoint"`},
		"format code": {`appliance = "102"`, `Invalid Attribute Value Match.*appliance`},
		"type":        {`appliance = "bluecoat"` + "\n" + `type = "allowed"`, `Invalid Attribute Value Match.*type.*"banned".*"allowed"`},
	})
}

// TestAccDiscoveryBlockScript_answers: what may come in place of a script. A 200 HTML page
// (a proxy's sign-in page, the portal's shell) is not a script and is an error; an empty
// answer, which a tenant without unsanctioned apps may well get, is an empty script, read
// as it came rather than refused like an empty JSON answer.
func TestAccDiscoveryBlockScript_answers(t *testing.T) {
	const addr = "data.mda_discovery_block_script.x"
	cases := map[string]struct {
		body string
		step resource.TestStep
	}{
		"html page": {"<html><body>Sign in</body></html>", resource.TestStep{
			ExpectError: expectErrorWords(`Unable to generate the Cloud Discovery block script.*HTML page instead of the expected text.*portal URL`),
		}},
		"empty": {"\n", resource.TestStep{ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("content"), knownvalue.StringExact("\n")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("content_sha256"),
				knownvalue.StringExact("01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b")),
		}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := acctest.StartMock(t)
			m.AddFault(mockserver.Fault{Match: testAccBlockScriptRoute, Status: http.StatusOK, Count: 100, Body: c.body})
			step := c.step
			step.Config = acctest.ProviderConfig(m) + `data "mda_discovery_block_script" "x" { appliance = "palo_alto" }`
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}

func TestAccDiscoveryBlockScript_faults(t *testing.T) {
	testAccDiscoveryFaultMatrix(t, testAccBlockScriptRoute, "Unable to generate the Cloud Discovery block script",
		func(*acctest.Mock) string { return `data "mda_discovery_block_script" "x" { appliance = "websense" }` })
}
