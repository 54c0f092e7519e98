package provider

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// An unused loopback port: Configure must refuse these settings before any request.
const testAccUnreachablePortal = "http://127.0.0.1:9"

// TestAccProvider_configRefusals runs a refusal end to end, through a real CLI; the other
// refusals are unit tests of Configure (TestConfigure_refusals), which take milliseconds.
func TestAccProvider_configRefusals(t *testing.T) {
	cases := map[string]struct {
		provider string
		want     string
	}{
		"no portal URL": {
			provider: `api_token = "tok"`,
			want:     `Missing MDA portal URL.*MDA_PORTAL_URL.*Settings → Cloud Apps → System → About`,
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

// TestResolveCredentials_precedence covers the order of the three levels (provider block,
// MDA_* variables, ARM_* variables): the first that configures a kind decides, lower
// levels are logged as ignored, and two kinds conflict only within one level. It sets
// process environment variables, so it cannot run in parallel.
func TestResolveCredentials_precedence(t *testing.T) {
	secretFile := testAccWriteFile(t, "secret", []byte(" from-file \n"))
	app := map[string]string{"ARM_TENANT_ID": "tenant-arm", "ARM_CLIENT_ID": "client-arm"}
	with := func(more map[string]string) map[string]string {
		env := maps.Clone(app)
		maps.Copy(env, more)
		return env
	}
	for _, tc := range []struct {
		name  string
		block mdaProviderModel
		env   map[string]string
		// want is credentialSummary of the client config.
		want       string
		wantSource string
		wantLevel  credentialLevel
		wantLog    []string
		wantErr    string // a pattern for the one error, instead of all of the above
	}{
		{
			name:       "api_token in the block beats ARM_CLIENT_SECRET",
			block:      mdaProviderModel{APIToken: types.StringValue("block-token")},
			env:        with(map[string]string{"ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "api_token block-token tenant= client=",
			wantSource: "`api_token`",
			wantLevel:  levelBlock,
			wantLog:    []string{"ARM_CLIENT_SECRET is set but the provider block configures api_token; using api_token"},
		},
		{
			name:       "MDA_API_TOKEN beats ARM_CLIENT_SECRET",
			env:        with(map[string]string{"MDA_API_TOKEN": "mda-token", "ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "api_token mda-token tenant= client=",
			wantSource: "environment variable MDA_API_TOKEN",
			wantLevel:  levelMDAEnv,
			wantLog:    []string{"ARM_CLIENT_SECRET is set but MDA_API_TOKEN takes precedence; using api_token"},
		},
		{
			name:       "client_secret in the block beats MDA_API_TOKEN and ARM_USE_MSI",
			block:      mdaProviderModel{ClientSecret: types.StringValue("block-secret")},
			env:        with(map[string]string{"MDA_API_TOKEN": "mda-token", "ARM_USE_MSI": "true"}),
			want:       "client_secret block-secret tenant=tenant-arm client=client-arm",
			wantSource: "`client_secret`",
			wantLevel:  levelBlock,
			wantLog: []string{
				"MDA_API_TOKEN is set but the provider block configures client_secret; using client_secret",
				"ARM_USE_MSI is set but the provider block configures client_secret; using client_secret",
			},
		},
		{
			name:       "a kind in MDA_* beats two kinds in ARM_*",
			env:        with(map[string]string{"MDA_USE_CLI": "true", "ARM_CLIENT_SECRET": "arm-secret", "ARM_USE_MSI": "1"}),
			want:       "azure_cli  tenant=tenant-arm client=",
			wantSource: "environment variable MDA_USE_CLI",
			wantLevel:  levelMDAEnv,
			wantLog: []string{
				"ARM_CLIENT_SECRET is set but MDA_USE_CLI takes precedence; using azure_cli",
				"ARM_USE_MSI is set but MDA_USE_CLI takes precedence; using azure_cli",
			},
		},
		{
			name:       "the same kind: MDA_CLIENT_SECRET beats ARM_CLIENT_SECRET",
			env:        with(map[string]string{"MDA_CLIENT_SECRET": "mda-secret", "ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "client_secret mda-secret tenant=tenant-arm client=client-arm",
			wantSource: "environment variable MDA_CLIENT_SECRET",
			wantLevel:  levelMDAEnv,
			wantLog:    []string{"ARM_CLIENT_SECRET is set but MDA_CLIENT_SECRET takes precedence; using client_secret"},
		},
		{
			name:       "the same kind: a secret file in the block beats ARM_CLIENT_SECRET",
			block:      mdaProviderModel{ClientSecretFilePath: types.StringValue(secretFile)},
			env:        with(map[string]string{"ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "client_secret from-file tenant=tenant-arm client=client-arm",
			wantSource: "`client_secret_file_path`",
			wantLevel:  levelBlock,
			wantLog:    []string{"ARM_CLIENT_SECRET is set but the provider block configures client_secret_file_path; using client_secret"},
		},
		{
			name:       "ARM_* alone, as azurerm reads it",
			env:        with(map[string]string{"ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "client_secret arm-secret tenant=tenant-arm client=client-arm",
			wantSource: "environment variable ARM_CLIENT_SECRET",
			wantLevel:  levelARMEnv,
		},
		{
			name:       "use_msi = false in the block beats ARM_USE_MSI=true",
			block:      mdaProviderModel{mdaProviderAuthModel: mdaProviderAuthModel{UseMSI: types.BoolValue(false)}},
			env:        with(map[string]string{"ARM_USE_MSI": "true", "ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "client_secret arm-secret tenant=tenant-arm client=client-arm",
			wantSource: "environment variable ARM_CLIENT_SECRET",
			wantLevel:  levelARMEnv,
		},
		{
			name:       "MDA_USE_MSI=false beats ARM_USE_MSI=true",
			env:        with(map[string]string{"MDA_USE_MSI": "false", "ARM_USE_MSI": "true", "ARM_CLIENT_SECRET": "arm-secret"}),
			want:       "client_secret arm-secret tenant=tenant-arm client=client-arm",
			wantSource: "environment variable ARM_CLIENT_SECRET",
			wantLevel:  levelARMEnv,
		},
		{
			name:    "use_msi = false and nothing else",
			block:   mdaProviderModel{mdaProviderAuthModel: mdaProviderAuthModel{UseMSI: types.BoolValue(false)}},
			env:     map[string]string{"ARM_USE_MSI": "true"},
			wantErr: `No MDA credentials configured`,
		},
		{
			name:    "two kinds in the block",
			block:   mdaProviderModel{APIToken: types.StringValue("t"), mdaProviderAuthModel: mdaProviderAuthModel{UseMSI: types.BoolValue(true)}},
			env:     with(map[string]string{"MDA_USE_CLI": "true"}),
			wantErr: "Conflicting MDA credentials: Both an API token \\(from `api_token`\\) and a managed identity \\(from `use_msi`\\) are configured in the provider block. .*remove all but one of them from the provider block",
		},
		{
			name:    "two kinds in MDA_*",
			env:     with(map[string]string{"MDA_API_TOKEN": "t", "MDA_CLIENT_SECRET": "s", "ARM_USE_MSI": "true"}),
			wantErr: `Conflicting MDA credentials: Both an API token \(from environment variable MDA_API_TOKEN\) and a client secret \(from environment variable MDA_CLIENT_SECRET\) are configured in MDA_\* environment variables. .*configure the credential to use in the provider block`,
		},
		{
			name:    "two kinds in ARM_*",
			env:     with(map[string]string{"ARM_CLIENT_SECRET": "s", "ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": "x"}),
			wantErr: `Conflicting MDA credentials: Both a client secret \(from environment variable ARM_CLIENT_SECRET\) and OIDC workload identity federation \(from environment variable ARM_USE_OIDC\) are configured in ARM_\* environment variables. .*in the provider block or in MDA_\* variables, which take precedence over ARM_\*`,
		},
		{
			name:    "a secret twice in one level",
			block:   mdaProviderModel{ClientSecret: types.StringValue("s"), ClientSecretFilePath: types.StringValue(secretFile)},
			env:     app,
			wantErr: "Conflicting client secret settings: Both `client_secret` and `client_secret_file_path` are set",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range testAccAuthEnvVars {
				t.Setenv(v, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var diags diag.Diagnostics
			var out mda.Config
			choice := resolveCredentials(&diags, tc.block, &out)
			if tc.wantErr != "" {
				if len(diags) != 1 || !regexp.MustCompile(tc.wantErr).MatchString(diags[0].Summary()+": "+diags[0].Detail()) {
					t.Fatalf("diagnostics %v, want one matching %s", diags, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("diagnostics: %v", diags)
			}
			if got := credentialSummary(out); got != tc.want {
				t.Errorf("credential %q, want %q", got, tc.want)
			}
			if choice.source != tc.wantSource || choice.level != tc.wantLevel {
				t.Errorf("chosen by %s at level %d, want %s at %d", choice.source, choice.level, tc.wantSource, tc.wantLevel)
			}
			if !slices.Equal(choice.ignored, tc.wantLog) {
				t.Errorf("ignored lines:\n%q\nwant:\n%q", choice.ignored, tc.wantLog)
			}
		})
	}
}

// credentialSummary says which credential a client config holds and its values, for
// comparison.
func credentialSummary(c mda.Config) string {
	return fmt.Sprintf("%s %s%s tenant=%s client=%s", credentialKindName(c), c.APIToken, c.ClientSecret, c.TenantID, c.ClientID)
}

// TestAddSignInError_namesTheWinningSource: when a pipeline's ARM_* credential was passed
// over, a refused sign-in says which credential was used instead.
func TestAddSignInError_namesTheWinningSource(t *testing.T) {
	te := &mda.TokenError{TenantID: "t", ClientID: "c", Method: "a client secret", StatusCode: 401,
		Code: "invalid_client", Description: "AADSTS7000215: Invalid client secret provided."}
	for _, tc := range []struct {
		name   string
		choice credentialChoice
		want   string
		absent string
	}{
		{
			name:   "nothing ignored",
			choice: credentialChoice{source: "environment variable ARM_CLIENT_SECRET", level: levelARMEnv},
			want:   `AADSTS7000215: Invalid client secret provided.*Value, not its Secret ID\.$`,
			absent: "ignored",
		},
		{
			name: "ARM_* ignored",
			choice: credentialChoice{source: "`client_secret`", level: levelBlock,
				ignoredNames: []string{"ARM_CLIENT_SECRET", "ARM_USE_MSI"}},
			want: "AADSTS7000215.*The credential came from `client_secret`; ARM_CLIENT_SECRET, ARM_USE_MSI were ignored, " +
				`because the provider block comes before MDA_\* variables, which come before ARM_\*\.$`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addSignInError(&diags, fmt.Errorf("configure: %w", te), tc.choice)
			if len(diags) != 1 || diags[0].Summary() != "Unable to sign in to MDA" {
				t.Fatalf("diagnostics %v, want one", diags)
			}
			detail := diags[0].Detail()
			if !regexp.MustCompile(tc.want).MatchString(detail) {
				t.Errorf("detail %q does not match %s", detail, tc.want)
			}
			if tc.absent != "" && strings.Contains(detail, tc.absent) {
				t.Errorf("detail %q mentions %q", detail, tc.absent)
			}
		})
	}
}
