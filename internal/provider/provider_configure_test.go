package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// An unused loopback port: Configure must refuse these settings before any request.
const testAccUnreachablePortal = "http://127.0.0.1:9"

func TestAccProvider_configRefusals(t *testing.T) {
	cases := map[string]struct {
		provider string
		want     string
	}{
		"no portal URL": {
			provider: `api_token = "tok"`,
			want:     `Missing MDA portal URL.*MDA_PORTAL_URL.*Settings → Cloud Apps → System → About`,
		},
		"malformed portal URL": {
			provider: `portal_url = "contoso.portal.cloudappsecurity.com"
api_token = "tok"`,
			want: `Malformed URL.*portal_url.*not an absolute https:// URL`,
		},
		"portal URL with a query": {
			provider: `portal_url = "https://contoso.us2.portal.cloudappsecurity.com/?x=1"
api_token = "tok"`,
			want: `Malformed URL.*must not contain credentials, a query or a fragment`,
		},
		"plain http to a remote host": {
			provider: `portal_url = "http://contoso.us2.portal.cloudappsecurity.com"
api_token = "tok"`,
			want: `Insecure URL.*plain http:// to contoso.us2.portal.cloudappsecurity.com.*use https://`,
		},
		"plain http authority": {
			provider: fmt.Sprintf(`portal_url = %q
authority_url = "http://login.example.com"
tenant_id = "t"
client_id = "c"
client_secret = "s"`, testAccUnreachablePortal),
			want: `Insecure URL.*authority_url`,
		},
		"no credential": {
			provider: fmt.Sprintf(`portal_url = %q`, testAccUnreachablePortal),
			want:     `No MDA credentials configured.*client_secret.*api_token`,
		},
		"two credential kinds": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
tenant_id = "t"
client_id = "c"
client_secret = "s"`, testAccUnreachablePortal),
			want: `Conflicting MDA credentials.*an API token \(from ` + "`api_token`" + `\).*a client secret \(from ` + "`client_secret`" + `\)`,
		},
		"client secret without tenant": {
			provider: fmt.Sprintf(`portal_url = %q
client_id = "c"
client_secret = "s"`, testAccUnreachablePortal),
			want: `Missing tenant ID.*tenant_id`,
		},
		"client secret twice": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_secret = "s"
client_secret_file_path = "/nonexistent"`, testAccUnreachablePortal),
			want: `Conflicting client secret settings.*Set only one`,
		},
		"unreadable secret file": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_secret_file_path = "/nonexistent/secret"`, testAccUnreachablePortal),
			want: `Unable to read the client secret file.*/nonexistent/secret`,
		},
		"requests per minute too low": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
requests_per_minute = 0`, testAccUnreachablePortal),
			want: `Value out of range.*requests_per_minute.*is 0, outside 1 to 6000`,
		},
		"too many retries": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
max_retries = 50`, testAccUnreachablePortal),
			want: `Value out of range.*max_retries.*is 50, outside 0 to 20`,
		},
		"negative retries": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
max_retries = -1`, testAccUnreachablePortal),
			want: `Value out of range.*max_retries`,
		},
		"bad timeout": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
request_timeout = "soon"`, testAccUnreachablePortal),
			want: `Invalid duration.*request_timeout.*"30s"`,
		},
		"timeout out of range": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
request_timeout = "2h"`, testAccUnreachablePortal),
			want: `Value out of range.*request_timeout.*2h0m0s, outside 1s to 30m0s`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccProviderConfig_raw(tc.provider),
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

// TestAccProvider_acceptsAPIURL proves the accepting side of the checks above: the URL as
// the portal shows it ("…/api", with a trailing slash) reaches the mock and lists ranges.
func TestAccProvider_acceptsAPIURL(t *testing.T) {
	m := acctest.StartMock(t)
	seeded := m.SeedSubnets(3, "accept")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig_raw(fmt.Sprintf(`portal_url = "%s/api/"
api_token = %q
request_timeout = "10s"`, m.URL(), acctest.Token)) + `
data "mda_ip_ranges" "custom" {
  built_in = false
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ip_ranges"), knownvalue.ListSizeExact(len(seeded))),
				statecheck.ExpectKnownValue("data.mda_ip_ranges.custom", tfjsonpath.New("ip_ranges").AtSliceIndex(0).AtMapKey("name"),
					knownvalue.StringExact(seeded[0].Name)),
			},
		}},
	})
}

// expectErrorWords compiles a pattern whose spaces match any white space: the CLI wraps
// diagnostic text at its terminal width, so a phrase may span lines.
func expectErrorWords(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// testAccProviderConfig_raw wraps provider settings in a provider block, with a data
// source so that Terraform configures the provider during plan.
func testAccProviderConfig_raw(settings string) string {
	return fmt.Sprintf(`
provider "mda" {
%s
}

data "mda_ip_ranges" "probe" {}
`, settings)
}
