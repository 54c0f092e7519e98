package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestConfigure_refusals runs the provider's Configure, as Terraform calls it, on
// settings it must refuse before any request: each gives exactly one error, matching
// want (spaces match any white space). They used to start a CLI each; a few remain end to
// end in TestAccProvider_configRefusals and TestAccProviderAuth_configRefusals, for what
// only a CLI runs (schema validators) and to prove the diagnostics reach the user.
func TestConfigure_refusals(t *testing.T) {
	key, cert := testAccCert(t)
	pfxPath := testAccWriteFile(t, "c.pfx", testAccPFX(t, key, cert))
	cases := map[string]struct {
		provider string
		want     string
	}{
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
		"plain http Graph URL": {
			provider: fmt.Sprintf(`portal_url = %q
graph_url = "http://graph.example.com"
tenant_id = "t"
client_id = "c"
client_secret = "s"`, testAccUnreachablePortal),
			want: `graph_url.*Insecure URL.*plain http:// to graph.example.com`,
		},
		"Graph URL with a path query": {
			provider: fmt.Sprintf(`portal_url = %q
graph_url = "https://graph.microsoft.com/?x=1"
api_token = "tok"`, testAccUnreachablePortal),
			want: `graph_url.*Malformed URL.*must not contain credentials, a query or a fragment`,
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
		"certificate given twice": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_certificate = "x"
client_certificate_path = %q`, testAccUnreachablePortal, pfxPath),
			want: `Conflicting client certificate settings.*Set only one`,
		},
		"wrong certificate password": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_certificate_path = %q
client_certificate_password = "not-it"`, testAccUnreachablePortal, pfxPath),
			want: `Unusable client certificate.*client_certificate_path.*password does not open the PKCS#12 archive`,
		},
		"unreadable certificate file": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_certificate_path = "/nonexistent/cert.pfx"`, testAccUnreachablePortal),
			want: `Unable to read the client certificate file.*/nonexistent/cert.pfx`,
		},
		"certificate without its key": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_certificate = %q`, testAccUnreachablePortal, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))),
			want: `Unusable client certificate.*no PRIVATE KEY block`,
		},
		"OIDC without tenant": {
			provider: fmt.Sprintf(`portal_url = %q
client_id = "c"
use_oidc = true
oidc_token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"`, testAccUnreachablePortal),
			want: `Missing tenant ID.*OIDC workload identity federation is configured`,
		},
		"three kinds": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
use_msi = true
use_cli = true`, testAccUnreachablePortal),
			want: `Conflicting MDA credentials.*an API token .*, a managed identity .* and the Azure CLI .* are all configured`,
		},
		"portal of another cloud": {
			provider: `portal_url = "https://contoso.us2.portal.cloudappsecurity.com"
api_token = "tok"
environment = "usgovernment"`,
			want: `MDA portal URL does not match the cloud.*belongs to the public cloud.*` + "`environment`",
		},
		"generic portal host": {
			provider: `portal_url = "https://portal.cloudappsecurity.com"
api_token = "tok"`,
			want: `MDA portal URL does not match the cloud.*generic portal host.*Settings → Cloud Apps → System → About`,
		},
		"plain http managed identity endpoint": {
			provider: fmt.Sprintf(`portal_url = %q
use_msi = true
msi_endpoint = "http://metadata.example.com/token"`, testAccUnreachablePortal),
			want: `Malformed managed identity endpoint.*neither loopback nor link-local`,
		},
		"plain http OIDC request URL": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
use_oidc = true
oidc_request_url = "http://ci.example.com/token"
oidc_request_token = "r"`, testAccUnreachablePortal),
			want: `Malformed OIDC request URL.*plain http://`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			diags := configureWith(t, tc.provider)
			errs := diags.Errors()
			if len(errs) != 1 {
				t.Fatalf("want one error matching %s, got %d: %v", tc.want, len(errs), diags)
			}
			text := errs[0].Summary() + ": " + errs[0].Detail()
			if p, ok := errs[0].(diag.DiagnosticWithPath); ok {
				text = p.Path().String() + ": " + text
			}
			if !expectErrorWords(tc.want).MatchString(text) {
				t.Errorf("error %q does not match %s", text, tc.want)
			}
		})
	}
}

// configureWith calls Configure with a provider block's settings (one `name = value` per
// line: quoted strings, numbers, true/false), every MDA_* and ARM_* variable unset.
func configureWith(t *testing.T, settings string) diag.Diagnostics {
	t.Helper()
	for _, v := range testAccAuthEnvVars {
		t.Setenv(v, "")
	}
	resp, err := configureModel(t.Context(), modelFromSettings(t, settings))
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// configureModel calls the provider's Configure, as Terraform would, with model as the
// provider block: the unit tests of Configure and the live tests' client share it.
func configureModel(ctx context.Context, model mdaProviderModel) (provider.ConfigureResponse, error) {
	p := New("test")()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	// A Plan can be set from a model; Configure reads the same raw value as a Config.
	plan := tfsdk.Plan{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
	var resp provider.ConfigureResponse
	if diags := plan.Set(ctx, &model); diags.HasError() {
		return resp, fmt.Errorf("building the provider configuration: %v", diags)
	}
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: plan.Raw}}, &resp)
	return resp, nil
}

var settingLine = regexp.MustCompile(`^\s*([a-z_]+)\s*=\s*(.+?)\s*$`)

// modelFromSettings fills the model's fields by their tfsdk names.
func modelFromSettings(t *testing.T, settings string) mdaProviderModel {
	t.Helper()
	var model mdaProviderModel
	fields := map[string]reflect.Value{}
	var collect func(v reflect.Value)
	collect = func(v reflect.Value) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Anonymous {
				collect(v.Field(i))
				continue
			}
			fields[f.Tag.Get("tfsdk")] = v.Field(i)
		}
	}
	collect(reflect.ValueOf(&model).Elem())
	for _, line := range strings.Split(strings.TrimSpace(settings), "\n") {
		m := settingLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("setting line %q is not `name = value`", line)
		}
		field, ok := fields[m[1]]
		if !ok {
			t.Fatalf("%s is not a provider attribute", m[1])
		}
		var v attr.Value
		switch field.Interface().(type) {
		case types.String:
			s, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			v = types.StringValue(s)
		case types.Bool:
			v = types.BoolValue(m[2] == "true")
		case types.Int64:
			n, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			v = types.Int64Value(n)
		default:
			t.Fatalf("%s: unsupported field type %T", m[1], field.Interface())
		}
		field.Set(reflect.ValueOf(v))
	}
	return model
}
