package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

const (
	defaultRequestsPerMinute = 30
	defaultMaxRetries        = 5
)

// setting is one provider setting after merging the configuration with the environment:
// its value and where it came from, so that diagnostics can name what the user wrote.
type setting struct {
	value  string
	source string // `portal_url` or an environment variable name; "" when unset
}

func (s setting) set() bool { return s.value != "" }

// resolveString takes the attribute when it is set and otherwise the first environment
// variable that is, in the order given (MDA_* before ARM_*).
func resolveString(attr string, v types.String, envs ...string) setting {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return setting{value: v.ValueString(), source: "`" + attr + "`"}
	}
	for _, e := range envs {
		if val := strings.TrimSpace(os.Getenv(e)); val != "" {
			return setting{value: val, source: "environment variable " + e}
		}
	}
	return setting{}
}

func (p *mdaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg mdaProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if refuseUnknown(&resp.Diagnostics, cfg) {
		return
	}

	clientCfg, choice := buildClientConfig(cfg, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	secrets := choice.secrets
	// Masking here covers only Configure's own log lines; the client's logger masks the
	// same values on every line it writes for later requests.
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	for _, line := range choice.ignored {
		tflog.Info(ctx, line)
	}

	clientCfg.Logger = newTFLogLogger(secrets)
	clientCfg.UserAgent = "terraform-provider-mda/" + p.version + " (+https://registry.terraform.io/providers/mda-terraform/mda)"
	clientCfg.WindowStateDir = limiterStateDir()

	client, err := mda.New(clientCfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create the MDA client",
			fmt.Sprintf("The provider settings were accepted but the client refused them: %s. Check the provider block and the MDA_* / ARM_* environment variables.", err))
		return
	}
	tflog.Debug(ctx, "configured MDA client", map[string]any{
		"portal_url":          clientCfg.PortalURL,
		"credential":          credentialKindName(clientCfg),
		"credential_source":   choice.source,
		"requests_per_minute": clientCfg.RequestsPerMinute,
		"max_retries":         clientCfg.MaxRetries,
	})
	// Sign in now, so that a refused credential fails the plan rather than the apply of
	// a configuration whose plan sends no request. The token is cached for the requests
	// that follow; a legacy token is not checked, since only an MDA request could.
	if err := client.CheckCredentials(ctx); err != nil {
		addSignInError(&resp.Diagnostics, err, choice)
		return
	}
	resp.DataSourceData = client
	resp.ResourceData = client
}

// addSignInError reports a failed sign-in during Configure, naming where the credential
// came from when a lower level's credential settings were passed over for it: a pipeline
// that exports ARM_CLIENT_SECRET for azurerm may not know which one was used.
func addSignInError(diags *diag.Diagnostics, err error, choice credentialChoice) {
	var detail string
	var tokenErr *mda.TokenError
	if errors.As(err, &tokenErr) {
		detail = tokenErrorDetail(err, tokenErr)
	} else {
		detail = fmt.Sprintf("Signing in to Microsoft Entra ID did not finish, so no request reached MDA: %s. "+
			"Check the network path to the login host (authority_url) and retry.", err)
	}
	if len(choice.ignoredNames) > 0 {
		detail += fmt.Sprintf(" The credential came from %s; %s %s ignored, because the provider block comes "+
			"before MDA_* variables, which come before ARM_*.", choice.source,
			strings.Join(choice.ignoredNames, ", "), pluralVerb(len(choice.ignoredNames)))
	}
	diags.AddError("Unable to sign in to MDA", detail)
}

func pluralVerb(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// refuseUnknown reports settings that are not known yet (computed from another resource):
// the client cannot be built from them, and guessing would send requests to the wrong place.
func refuseUnknown(diags *diag.Diagnostics, cfg mdaProviderModel) bool {
	unknown := map[string]bool{
		"portal_url":              cfg.PortalURL.IsUnknown(),
		"api_token":               cfg.APIToken.IsUnknown(),
		"tenant_id":               cfg.TenantID.IsUnknown(),
		"client_id":               cfg.ClientID.IsUnknown(),
		"client_secret":           cfg.ClientSecret.IsUnknown(),
		"client_secret_file_path": cfg.ClientSecretFilePath.IsUnknown(),
		"authority_url":           cfg.AuthorityURL.IsUnknown(),
		"graph_url":               cfg.GraphURL.IsUnknown(),
		"requests_per_minute":     cfg.RequestsPerMinute.IsUnknown(),
		"max_retries":             cfg.MaxRetries.IsUnknown(),
		"request_timeout":         cfg.RequestTimeout.IsUnknown(),
	}
	maps.Copy(unknown, cfg.authUnknown())
	// Sorted: the same configuration gives the same diagnostics in the same order.
	for _, attr := range slices.Sorted(maps.Keys(unknown)) {
		if unknown[attr] {
			diags.AddAttributeError(path.Root(attr), "Unknown MDA provider setting",
				fmt.Sprintf("`%s` depends on a value that is not known until apply, so the provider cannot be configured "+
					"during plan. Set it to a literal or a variable, or apply the resource it depends on first with -target.", attr))
		}
	}
	return diags.HasError()
}

// buildClientConfig merges configuration and environment and validates the result. It
// returns how the credential was chosen too, with the secret values that logging must
// mask.
func buildClientConfig(cfg mdaProviderModel, diags *diag.Diagnostics) (mda.Config, credentialChoice) {
	var out mda.Config

	portal := resolveString("portal_url", cfg.PortalURL, "MDA_PORTAL_URL")
	out.PortalURL = validatePortalURL(diags, portal)
	out.Environment = resolveEnvironment(diags, cfg, portal, out.PortalURL)

	authority := resolveString("authority_url", cfg.AuthorityURL, "MDA_AUTHORITY_URL")
	if authority.set() {
		out.AuthorityURL = validateHTTPSURL(diags, path.Root("authority_url"), authority,
			"the Microsoft Entra login host, such as https://login.microsoftonline.com")
	}

	if graph := resolveString("graph_url", cfg.GraphURL, "MDA_GRAPH_URL"); graph.set() {
		out.GraphURL = validateHTTPSURL(diags, path.Root("graph_url"), graph,
			"the Microsoft Graph host, such as https://graph.microsoft.com (without /beta)")
	}

	choice := resolveCredentials(diags, cfg, &out)

	out.RequestsPerMinute = int(resolveInt(diags, "requests_per_minute", cfg.RequestsPerMinute, "MDA_REQUESTS_PER_MINUTE",
		defaultRequestsPerMinute, 1, 6000,
		"MDA allows 30 requests per minute per tenant; set a value between 1 and 6000, usually 30 or less."))
	out.MaxRetries = int(resolveInt(diags, "max_retries", cfg.MaxRetries, "MDA_MAX_RETRIES",
		defaultMaxRetries, 0, 20, "Set a value between 0 (never retry) and 20."))
	out.RequestTimeout = resolveDuration(diags, "request_timeout", cfg.RequestTimeout, "MDA_REQUEST_TIMEOUT",
		// Unset stays 0: the client then gives reads a short attempt timeout (a black-holed
		// portal fails a plan quickly) and writes and sign-ins a long one.
		0, time.Second, 30*time.Minute)
	return out, choice
}

func validatePortalURL(diags *diag.Diagnostics, s setting) string {
	attr := path.Root("portal_url")
	if !s.set() {
		diags.AddAttributeError(attr, "Missing MDA portal URL",
			"Set `portal_url` in the provider block, or the MDA_PORTAL_URL environment variable, to your tenant's API URL. "+
				"It is shown in the Microsoft Defender portal under Settings → Cloud Apps → System → About, for example "+
				"https://contoso.us2.portal.cloudappsecurity.com.")
		return ""
	}
	u := validateHTTPSURL(diags, attr, s, "your tenant's API URL, such as https://contoso.us2.portal.cloudappsecurity.com")
	// The API lives under /api; users often paste the "API url" shown in the portal, which
	// already ends in /api, so accept it and let the client add the prefix once.
	return strings.TrimSuffix(u, "/api")
}

// validateHTTPSURL checks an absolute http(s) URL without query or fragment, refusing
// plain http except to loopback hosts (the mock), and returns it without a trailing slash.
func validateHTTPSURL(diags *diag.Diagnostics, attr path.Path, s setting, want string) string {
	u, err := url.Parse(s.value)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		diags.AddAttributeError(attr, "Malformed URL",
			fmt.Sprintf("%s is %q, which is not an absolute https:// URL. Set it to %s.", s.source, s.value, want))
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		diags.AddAttributeError(attr, "Malformed URL",
			fmt.Sprintf("%s is %q; it must not contain credentials, a query or a fragment. Set it to %s.", s.source, s.value, want))
		return ""
	}
	if u.Scheme == "http" && !mda.IsLoopback(u.Hostname()) {
		diags.AddAttributeError(attr, "Insecure URL",
			fmt.Sprintf("%s is %q, which uses plain http:// to %s. Credentials would cross the network unencrypted: "+
				"use https://. Plain http:// is accepted only for loopback hosts, such as the bundled mock on 127.0.0.1.",
				s.source, s.value, u.Hostname()))
		return ""
	}
	return strings.TrimSuffix(u.String(), "/")
}

func resolveInt(diags *diag.Diagnostics, attr string, v types.Int64, env string, def, lo, hi int64, fix string) int64 {
	var (
		val    int64
		source string
	)
	switch {
	case !v.IsNull() && !v.IsUnknown():
		val, source = v.ValueInt64(), "`"+attr+"`"
	case os.Getenv(env) != "":
		n, err := strconv.ParseInt(strings.TrimSpace(os.Getenv(env)), 10, 64)
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid number",
				fmt.Sprintf("Environment variable %s is %q, which is not a whole number. %s", env, os.Getenv(env), fix))
			return def
		}
		val, source = n, "environment variable "+env
	default:
		return def
	}
	if val < lo || val > hi {
		diags.AddAttributeError(path.Root(attr), "Value out of range",
			fmt.Sprintf("%s is %d, outside %d to %d. %s", source, val, lo, hi, fix))
	}
	return val
}

func resolveDuration(diags *diag.Diagnostics, attr string, v types.String, env string, def, lo, hi time.Duration) time.Duration {
	s := resolveString(attr, v, env)
	if !s.set() {
		return def
	}
	d, err := time.ParseDuration(s.value)
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Invalid duration",
			fmt.Sprintf("%s is %q, which is not a duration. Write a number with a unit, such as \"30s\" or \"2m\".", s.source, s.value))
		return def
	}
	if d < lo || d > hi {
		diags.AddAttributeError(path.Root(attr), "Value out of range",
			fmt.Sprintf("%s is %s, outside %s to %s. Write a duration in that range, such as \"60s\".", s.source, d, lo, hi))
	}
	return d
}

// limiterStateDir is where the limiter remembers its window between provider processes:
// Terraform starts one process for plan and another for apply, and each would otherwise
// believe the tenant's budget is untouched. MDA_LIMITER_STATE_DIR overrides it; "off"
// disables the file.
func limiterStateDir() string {
	if d := os.Getenv("MDA_LIMITER_STATE_DIR"); d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "terraform-provider-mda")
}
