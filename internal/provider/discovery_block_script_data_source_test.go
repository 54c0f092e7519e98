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
	m := acctest.StartMock(t)
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("a refused configuration reached the API: %v", st.Routes)
		}
	})
	cases := map[string]struct{ body, want string }{
		"appliance":   {`appliance = "checkpoint"`, `Invalid Attribute Value Match.*appliance.*"bluecoat".*"cisco_asa".*"fortigate".*"palo_alto".*"zscaler".*"juniper_srx".*"websense".*"checkpoint"`},
		"format code": {`appliance = "102"`, `Invalid Attribute Value Match.*appliance`},
		"type":        {`appliance = "bluecoat"` + "\n" + `type = "allowed"`, `Invalid Attribute Value Match.*type.*"banned".*"allowed"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + "data \"mda_discovery_block_script\" \"x\" {\n" + c.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: expectErrorWords(c.want),
				}},
			})
		})
	}
}

// TestAccDiscoveryBlockScript_htmlPage: a 200 HTML page (a sign-in page from a proxy, the
// portal's shell) is not a script.
func TestAccDiscoveryBlockScript_htmlPage(t *testing.T) {
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{Match: testAccBlockScriptRoute, Status: http.StatusOK, Count: 100, Body: "<html><body>Sign in</body></html>"})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig(m) + `data "mda_discovery_block_script" "x" { appliance = "bluecoat" }`,
			ExpectError: expectErrorWords(`Unable to generate the Cloud Discovery block script.*HTML page instead of the expected text.*portal URL`),
		}},
	})
}

func TestAccDiscoveryBlockScript_faults(t *testing.T) {
	testAccDiscoveryFaultMatrix(t, testAccBlockScriptRoute, "Unable to generate the Cloud Discovery block script",
		func(*acctest.Mock) string { return `data "mda_discovery_block_script" "x" { appliance = "websense" }` })
}

// TestAccDiscoveryBlockScript_empty: a tenant without unsanctioned apps may well get an
// empty script; it is read as it came, not refused like an empty JSON answer.
func TestAccDiscoveryBlockScript_empty(t *testing.T) {
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{Match: testAccBlockScriptRoute, Status: http.StatusOK, Count: 100, Body: "\n"})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `data "mda_discovery_block_script" "x" { appliance = "palo_alto" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_discovery_block_script.x", tfjsonpath.New("content"), knownvalue.StringExact("\n")),
				statecheck.ExpectKnownValue("data.mda_discovery_block_script.x", tfjsonpath.New("content_sha256"),
					knownvalue.StringExact("01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b")),
			},
		}},
	})
}
