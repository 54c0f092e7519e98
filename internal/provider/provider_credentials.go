package provider

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// credentialLevel is where a credential kind is configured. A pipeline exports ARM_* for
// azurerm and may want another credential here, so kinds are not merged across levels:
// the provider block comes first, then MDA_* variables, then ARM_* (and the other CI and
// Azure variables); the first level that configures any kind decides, and two kinds
// conflict only within one level.
type credentialLevel int

const (
	levelBlock credentialLevel = iota
	levelMDAEnv
	levelARMEnv
	levelCount
)

// in names the level in a sentence: "configured in the provider block".
func (l credentialLevel) in() string {
	switch l {
	case levelBlock:
		return "in the provider block"
	case levelMDAEnv:
		return "in MDA_* environment variables"
	}
	return "in ARM_* environment variables"
}

// envLevel says which level an environment variable belongs to.
func envLevel(name string) credentialLevel {
	if strings.HasPrefix(name, "MDA_") {
		return levelMDAEnv
	}
	return levelARMEnv
}

// leveledSetting is a setting split by level: the value each level gives it, if any.
type leveledSetting [levelCount]setting

// stringLevels reads a string setting at every level. Within a level the environment
// variables are read in the order given.
func stringLevels(attr string, v types.String, envs ...string) leveledSetting {
	var ls leveledSetting
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		ls[levelBlock] = setting{value: v.ValueString(), source: "`" + attr + "`"}
	}
	for _, e := range envs {
		l := envLevel(e)
		if ls[l].set() {
			continue
		}
		if val := strings.TrimSpace(os.Getenv(e)); val != "" {
			ls[l] = setting{value: val, source: "environment variable " + e}
		}
	}
	return ls
}

// flagLevels reads a boolean switch. The first explicit value, from the provider block,
// then each variable in order, decides: an explicit false switches the kind off at every
// level below, so that a configuration can opt out of what a pipeline exports
// (use_msi = false beats ARM_USE_MSI=true). A true is evidence at its own level only.
func flagLevels(diags *diag.Diagnostics, attr string, v types.Bool, envs ...string) leveledSetting {
	var ls leveledSetting
	if !v.IsNull() && !v.IsUnknown() {
		if v.ValueBool() {
			ls[levelBlock] = setting{value: "true", source: "`" + attr + "`"}
		}
		return ls
	}
	for _, e := range envs {
		raw := strings.TrimSpace(os.Getenv(e))
		if raw == "" {
			continue
		}
		b, err := strconv.ParseBool(raw)
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid boolean",
				fmt.Sprintf("Environment variable %s is %q, which is not a boolean. Set it to true or false.", e, raw))
			return ls
		}
		if b {
			ls[envLevel(e)] = setting{value: "true", source: "environment variable " + e}
		}
		return ls
	}
	return ls
}

// credentialKind is one way to authenticate. A kind counts as configured at a level when
// a setting that only it uses is present there: its secret, or its use_* switch.
// Pipelines often export ARM_CLIENT_ID or ARM_TENANT_ID for other providers, GitHub
// Actions runners carry ACTIONS_ID_TOKEN_REQUEST_URL, Azure hosts IDENTITY_ENDPOINT, and
// developers a logged-in Azure CLI: none of those alone selects a kind.
type credentialKind struct {
	name  string // words for diagnostics: "an API token"
	short string // for log lines: "api_token"
	// evidence holds the settings that show the kind is configured, each split by level.
	evidence []leveledSetting
	// resolve fills the credential part of the client config from the evidence at the
	// chosen level (in the order of evidence) and returns the secret values, for log
	// masking.
	resolve func(at []setting) []string
}

// at returns the kind's evidence at level l, and whether there is any.
func (k credentialKind) at(l credentialLevel) ([]setting, bool) {
	at := make([]setting, len(k.evidence))
	configured := false
	for i, ls := range k.evidence {
		at[i] = ls[l]
		configured = configured || ls[l].set()
	}
	return at, configured
}

// credentialChoice is the credential kind the resolver chose, and why.
type credentialChoice struct {
	// secrets are the values to mask in logs; never empty strings.
	secrets []string
	// source is the setting that chose the kind: "`api_token`", "environment variable ARM_USE_MSI".
	source string
	level  credentialLevel
	// ignored are the log lines for credential settings of lower levels that lost.
	ignored []string
	// ignoredNames are those settings' names, for diagnostics.
	ignoredNames []string
}

// resolveCredentials fills the credential part of out from the first level that
// configures a credential kind, refusing no credential and more than one kind within
// that level.
func resolveCredentials(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config) credentialChoice {
	token := stringLevels("api_token", cfg.APIToken, "MDA_API_TOKEN")
	secret := stringLevels("client_secret", cfg.ClientSecret, "MDA_CLIENT_SECRET", "ARM_CLIENT_SECRET")
	secretFile := stringLevels("client_secret_file_path", cfg.ClientSecretFilePath,
		"MDA_CLIENT_SECRET_FILE_PATH", "ARM_CLIENT_SECRET_FILE_PATH")
	cert := stringLevels("client_certificate", cfg.ClientCertificate, envClientCertificate...)
	certPath := stringLevels("client_certificate_path", cfg.ClientCertificatePath, envClientCertificatePath...)
	useOIDC := flagLevels(diags, "use_oidc", cfg.UseOIDC, envUseOIDC...)
	useMSI := flagLevels(diags, "use_msi", cfg.UseMSI, envUseMSI...)
	useCLI := flagLevels(diags, "use_cli", cfg.UseCLI, envUseCLI...)
	if diags.HasError() {
		return credentialChoice{}
	}

	kinds := []credentialKind{
		{name: "an API token", short: "api_token", evidence: []leveledSetting{token}, resolve: func(at []setting) []string {
			out.APIToken = at[0].value
			return []string{at[0].value}
		}},
		{name: "a client secret", short: "client_secret", evidence: []leveledSetting{secret, secretFile}, resolve: func(at []setting) []string {
			return resolveClientSecret(diags, cfg, out, at[0], at[1])
		}},
		{name: "a client certificate", short: "client_certificate", evidence: []leveledSetting{cert, certPath}, resolve: func(at []setting) []string {
			return resolveClientCertificate(diags, cfg, out, at[0], at[1])
		}},
		{name: "OIDC workload identity federation", short: "oidc", evidence: []leveledSetting{useOIDC}, resolve: func(at []setting) []string {
			return resolveOIDC(diags, cfg, out, at[0])
		}},
		{name: "a managed identity", short: "managed_identity", evidence: []leveledSetting{useMSI}, resolve: func(_ []setting) []string {
			return resolveMSI(diags, cfg, out)
		}},
		{name: "the Azure CLI", short: "azure_cli", evidence: []leveledSetting{useCLI}, resolve: func(_ []setting) []string {
			out.UseCLI = true
			// az signs in as its own account; a tenant only narrows it.
			out.TenantID = resolveString("tenant_id", cfg.TenantID, envTenantID...).value
			return nil
		}},
	}

	for level := range levelCount {
		type found struct {
			kind credentialKind
			at   []setting
		}
		var configured []found
		for _, k := range kinds {
			if at, ok := k.at(level); ok {
				configured = append(configured, found{k, at})
			}
		}
		switch len(configured) {
		case 0:
			continue
		case 1:
		default:
			parts := make([]string, len(configured))
			for i, f := range configured {
				parts[i] = fmt.Sprintf("%s (from %s)", f.kind.name, firstSet(f.at...).source)
			}
			diags.AddError("Conflicting MDA credentials", conflictSentence(parts)+" "+level.in()+
				". The provider authenticates one way only: "+conflictAdvice(level))
			return credentialChoice{}
		}
		winner := configured[0]
		by := firstSet(winner.at...)
		choice := credentialChoice{source: by.source, level: level}
		for lower := level + 1; lower < levelCount; lower++ {
			for _, k := range kinds {
				for _, ls := range k.evidence {
					if s := ls[lower]; s.set() {
						name := strings.TrimPrefix(s.source, "environment variable ")
						choice.ignoredNames = append(choice.ignoredNames, name)
						choice.ignored = append(choice.ignored, ignoredLine(name, level, by, winner.kind.short))
					}
				}
			}
		}
		// An empty string must never reach log masking: it would match between every
		// two characters of every line.
		for _, s := range winner.kind.resolve(winner.at) {
			if s != "" {
				choice.secrets = append(choice.secrets, s)
			}
		}
		return choice
	}

	diags.AddError("No MDA credentials configured",
		"Configure exactly one credential kind, in the provider block or the environment:\n"+
			"  - an Entra application: tenant_id and client_id (or ARM_TENANT_ID, ARM_CLIENT_ID) with client_secret "+
			"(ARM_CLIENT_SECRET), client_certificate (ARM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE_PATH), or "+
			"use_oidc = true (ARM_USE_OIDC) for workload identity federation from GitHub Actions, Azure DevOps, HCP Terraform or Kubernetes;\n"+
			"  - a managed identity: use_msi = true (ARM_USE_MSI) on an Azure resource;\n"+
			"  - the Azure CLI: use_cli = true (ARM_USE_CLI) after `az login`;\n"+
			"  - a legacy API token: api_token (or MDA_API_TOKEN), created in the Microsoft Defender portal under "+
			"Settings → Cloud Apps → API tokens."+ambientHint())
	return credentialChoice{}
}

// ignoredLine is the log line for a lower level's credential setting that lost to the
// kind chosen by setting by at level.
func ignoredLine(name string, level credentialLevel, by setting, kind string) string {
	if level == levelBlock {
		return fmt.Sprintf("%s is set but the provider block configures %s; using %s", name, strings.Trim(by.source, "`"), kind)
	}
	return fmt.Sprintf("%s is set but %s takes precedence; using %s", name, strings.TrimPrefix(by.source, "environment variable "), kind)
}

func conflictSentence(parts []string) string {
	if len(parts) > 2 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " are all configured"
	}
	return "Both " + strings.Join(parts, " and ") + " are configured"
}

// conflictAdvice is the next step for two kinds within one level: only a higher level
// can settle it without touching what other tools read.
func conflictAdvice(level credentialLevel) string {
	switch level {
	case levelBlock:
		return "remove all but one of them from the provider block."
	case levelMDAEnv:
		return "unset all but one of these MDA_* variables, or configure the credential to use in the provider block, " +
			"which takes precedence over the environment."
	}
	return "unset all but one of them, or, when other tools such as azurerm need them, configure the credential for MDA " +
		"in the provider block or in MDA_* variables, which take precedence over ARM_*."
}

// ambientHint names CI or Azure variables that suggest a kind the user may have meant to
// switch on.
func ambientHint() string {
	switch {
	case os.Getenv("ARM_OIDC_TOKEN") != "" || os.Getenv("ARM_OIDC_TOKEN_FILE_PATH") != "" || os.Getenv("AZURE_FEDERATED_TOKEN_FILE") != "":
		return "\nA federated token is configured in the environment: set use_oidc = true (or ARM_USE_OIDC=true) with tenant_id and client_id to use it."
	case os.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL") != "":
		return "\nThis looks like a GitHub Actions job that may request OIDC tokens: set use_oidc = true (or ARM_USE_OIDC=true) with tenant_id and client_id to use them."
	case os.Getenv("SYSTEM_OIDCREQUESTURI") != "":
		return "\nThis looks like an Azure DevOps pipeline: set use_oidc = true (or ARM_USE_OIDC=true), ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID and SYSTEM_ACCESSTOKEN to use its service connection."
	case os.Getenv("IDENTITY_ENDPOINT") != "":
		return "\nThis host offers a managed identity (IDENTITY_ENDPOINT is set): set use_msi = true (or ARM_USE_MSI=true) to use it."
	}
	return ""
}

// firstSet returns the first setting that is set, or an unset one.
func firstSet(settings ...setting) setting {
	for _, s := range settings {
		if s.set() {
			return s
		}
	}
	return setting{}
}

// requireApplication resolves the Entra application's tenant and client IDs, which every
// application credential (secret, certificate, federated token) needs. what names the
// credential in diagnostics: "A client secret".
func requireApplication(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config, what string) {
	tenant := resolveString("tenant_id", cfg.TenantID, envTenantID...)
	client := resolveString("client_id", cfg.ClientID, envClientID...)
	if !tenant.set() {
		diags.AddAttributeError(path.Root("tenant_id"), "Missing tenant ID",
			what+" is configured, so the Entra tenant must be known too. Set `tenant_id` or ARM_TENANT_ID to the "+
				"directory (tenant) ID of the application.")
	}
	if !client.set() {
		diags.AddAttributeError(path.Root("client_id"), "Missing client ID",
			what+" is configured, so the application must be known too. Set `client_id` or ARM_CLIENT_ID to the "+
				"application (client) ID.")
	}
	out.TenantID, out.ClientID = tenant.value, client.value
}

func resolveClientSecret(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config, secret, secretFile setting) []string {
	if secret.set() && secretFile.set() {
		diags.AddAttributeError(path.Root("client_secret_file_path"), "Conflicting client secret settings",
			fmt.Sprintf("Both %s and %s are set. Set only one of them.", secret.source, secretFile.source))
		return nil
	}
	if secretFile.set() {
		b, err := os.ReadFile(secretFile.value)
		if err != nil {
			diags.AddAttributeError(path.Root("client_secret_file_path"), "Unable to read the client secret file",
				fmt.Sprintf("%s is %q, which cannot be read: %s. Point it at a readable file that holds the secret.",
					secretFile.source, secretFile.value, err))
			return nil
		}
		secret = setting{value: strings.TrimSpace(string(b)), source: secretFile.source}
		if !secret.set() {
			diags.AddAttributeError(path.Root("client_secret_file_path"), "Empty client secret file",
				fmt.Sprintf("%s names %q, which is empty. Write the client secret into it.", secretFile.source, secretFile.value))
			return nil
		}
	}
	requireApplication(diags, cfg, out, "A client secret")
	out.ClientSecret = secret.value
	return []string{secret.value}
}

func resolveClientCertificate(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config, cert, certPath setting) []string {
	if cert.set() && certPath.set() {
		diags.AddAttributeError(path.Root("client_certificate_path"), "Conflicting client certificate settings",
			fmt.Sprintf("Both %s and %s are set. Set only one of them.", cert.source, certPath.source))
		return nil
	}
	password := resolveString("client_certificate_password", cfg.ClientCertificatePassword, envClientCertificatePassword...)
	attr, from, data := path.Root("client_certificate"), cert, []byte(cert.value)
	if certPath.set() {
		attr, from = path.Root("client_certificate_path"), certPath
		var err error
		// Read as is: a binary PKCS#12 archive must not be trimmed.
		if data, err = os.ReadFile(certPath.value); err != nil {
			diags.AddAttributeError(attr, "Unable to read the client certificate file",
				fmt.Sprintf("%s is %q, which cannot be read: %s. Point it at the PKCS#12 (.pfx) or PEM file of the application's certificate.",
					certPath.source, certPath.value, err))
			return nil
		}
	}
	secrets := []string{cert.value, password.value}
	if err := mda.CheckClientCertificate(data, password.value); err != nil {
		diags.AddAttributeError(attr, "Unusable client certificate",
			fmt.Sprintf("%s does not hold a usable certificate: %s. Provide the application's certificate with its RSA private key, "+
				"as a PKCS#12 archive (base64 in client_certificate, or a file in client_certificate_path) with client_certificate_password, "+
				"or as PEM.", from.source, err))
		return secrets
	}
	requireApplication(diags, cfg, out, "A client certificate")
	out.ClientCertificate, out.ClientCertificatePassword = data, password.value
	return secrets
}

// resolveOIDC picks the federated token's source: a token, a file, or the CI system's
// endpoint, in that order.
func resolveOIDC(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config, useOIDC setting) []string {
	ado := resolveString("ado_pipeline_service_connection_id", cfg.ADOServiceConnectionID, envADOServiceConnectionID...)
	urlEnvs, tokenEnvs := envOIDCRequestURLGitHub, envOIDCRequestTokenGitHub
	if ado.set() {
		urlEnvs, tokenEnvs = envOIDCRequestURLADO, envOIDCRequestTokenADO
	}
	tok := resolveString("oidc_token", cfg.OIDCToken, envOIDCToken...)
	file := resolveString("oidc_token_file_path", cfg.OIDCTokenFilePath, envOIDCTokenFilePath...)
	reqURL := resolveString("oidc_request_url", cfg.OIDCRequestURL, urlEnvs...)
	reqToken := resolveString("oidc_request_token", cfg.OIDCRequestToken, tokenEnvs...)
	secrets := []string{tok.value, reqToken.value}

	switch {
	case tok.set():
		out.OIDCToken = tok.value
	case file.set():
		if _, err := os.Stat(file.value); err != nil {
			diags.AddAttributeError(path.Root("oidc_token_file_path"), "Unable to read the federated token file",
				fmt.Sprintf("%s is %q, which cannot be read: %s. Point it at the file your platform writes the token to "+
					"(on AKS, AZURE_FEDERATED_TOKEN_FILE).", file.source, file.value, err))
			return secrets
		}
		out.OIDCTokenFilePath = file.value
	case reqURL.set():
		if !reqToken.set() {
			diags.AddAttributeError(path.Root("oidc_request_token"), "Missing OIDC request token",
				fmt.Sprintf("%s is set, but no token to call it with: set %s. In GitHub Actions the job needs "+
					"`permissions: id-token: write`; in Azure DevOps map SYSTEM_ACCESSTOKEN into the task's env: block "+
					"(SYSTEM_ACCESSTOKEN: $(System.AccessToken)).", reqURL.source, describeEnvs("oidc_request_token", tokenEnvs)))
			return secrets
		}
		if !ado.set() && reqURL.source == "environment variable SYSTEM_OIDCREQUESTURI" {
			diags.AddAttributeError(path.Root("ado_pipeline_service_connection_id"), "Missing Azure DevOps service connection",
				"The OIDC request URL comes from SYSTEM_OIDCREQUESTURI (Azure DevOps), which issues tokens for a service "+
					"connection: set `ado_pipeline_service_connection_id` or ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID to its ID.")
			return secrets
		}
		if msg := checkRequestURL(reqURL.value); msg != "" {
			diags.AddAttributeError(path.Root("oidc_request_url"), "Malformed OIDC request URL",
				fmt.Sprintf("%s is %q, %s.", reqURL.source, reqURL.value, msg))
			return secrets
		}
		out.OIDCRequestURL, out.OIDCRequestToken, out.ADOServiceConnectionID = reqURL.value, reqToken.value, ado.value
	default:
		diags.AddError("No federated token for OIDC",
			fmt.Sprintf("%s turns on workload identity federation, but no token or token source was found. Provide one of:\n"+
				"  - %s: the token itself;\n"+
				"  - %s: a file holding it (Kubernetes workload identity sets AZURE_FEDERATED_TOKEN_FILE);\n"+
				"  - in GitHub Actions, give the job `permissions: id-token: write`, which sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN;\n"+
				"  - in Azure DevOps, map SYSTEM_ACCESSTOKEN and SYSTEM_OIDCREQUESTURI into the task's env: block and set ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID.",
				useOIDC.source, describeEnvs("oidc_token", envOIDCToken), describeEnvs("oidc_token_file_path", envOIDCTokenFilePath)))
		return secrets
	}
	requireApplication(diags, cfg, out, "OIDC workload identity federation")
	return secrets
}

// checkRequestURL accepts https, or http to a loopback host (the mock). The URL may have
// a query: GitHub's carries api-version.
func checkRequestURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "which is not an absolute https:// URL"
	case u.Scheme == "http" && !mda.IsLoopback(u.Hostname()):
		return "which uses plain http://: the request token would cross the network unencrypted"
	case u.Scheme != "https" && u.Scheme != "http":
		return "which is not an https:// URL"
	}
	return ""
}

// resolveMSI picks the managed-identity endpoint: msi_endpoint, else App Service's
// IDENTITY_ENDPOINT, else the instance metadata service. App Service's form (with its
// X-IDENTITY-HEADER) is used whenever IDENTITY_HEADER is set.
func resolveMSI(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config) []string {
	out.UseMSI = true
	// A user-assigned identity is named by its client ID; the tenant is the resource's own.
	out.ClientID = resolveString("client_id", cfg.ClientID, envClientID...).value
	endpoint := resolveString("msi_endpoint", cfg.MSIEndpoint, envMSIEndpoint...)
	header := strings.TrimSpace(os.Getenv("IDENTITY_HEADER"))
	if header != "" {
		out.MSIIdentityHeader = header
		if !endpoint.set() {
			endpoint = resolveString("msi_endpoint", types.StringNull(), "IDENTITY_ENDPOINT")
		}
		if !endpoint.set() {
			diags.AddAttributeError(path.Root("msi_endpoint"), "Missing managed identity endpoint",
				"IDENTITY_HEADER is set (App Service), but IDENTITY_ENDPOINT is not: set `msi_endpoint` or ARM_MSI_ENDPOINT to the identity endpoint.")
			return []string{header}
		}
	}
	if endpoint.set() {
		if msg := checkMSIEndpoint(endpoint.value); msg != "" {
			diags.AddAttributeError(path.Root("msi_endpoint"), "Malformed managed identity endpoint",
				fmt.Sprintf("%s is %q, %s. It is usually detected: leave it unset on Azure virtual machines and App Service.",
					endpoint.source, endpoint.value, msg))
		}
		out.MSIEndpoint = endpoint.value
	}
	return []string{header}
}

// checkMSIEndpoint accepts https, or http to loopback (App Service, the mock) and
// link-local hosts (the instance metadata service at 169.254.169.254).
func checkMSIEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "which is not an absolute http:// or https:// URL"
	}
	if u.Scheme == "http" && !mda.IsLoopback(u.Hostname()) && !strings.HasPrefix(u.Hostname(), "169.254.") {
		return "which uses plain http:// to a host that is neither loopback nor link-local"
	}
	return ""
}

// credentialKindName says which credential a client config uses, for logs.
func credentialKindName(c mda.Config) string {
	switch {
	case c.APIToken != "":
		return "api_token"
	case c.ClientSecret != "":
		return "client_secret"
	case len(c.ClientCertificate) > 0:
		return "client_certificate"
	case c.OIDCToken != "":
		return "oidc (token)"
	case c.OIDCTokenFilePath != "":
		return "oidc (token file)"
	case c.ADOServiceConnectionID != "":
		return "oidc (Azure DevOps)"
	case c.OIDCRequestURL != "":
		return "oidc (GitHub Actions)"
	case c.UseMSI && c.MSIIdentityHeader != "":
		return "managed identity (App Service)"
	case c.UseMSI:
		return "managed identity (IMDS)"
	case c.UseCLI:
		return "azure_cli"
	}
	return "none"
}
