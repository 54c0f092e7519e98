package provider

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// credentialKind is one way to authenticate. A kind counts as configured when the setting
// that only it uses (its secret) is present: pipelines often export ARM_CLIENT_ID or
// ARM_TENANT_ID for other providers, and those alone must not select a kind.
type credentialKind struct {
	name     string  // words for diagnostics: "an API token"
	evidence setting // the setting that shows the kind is configured
}

// resolveCredentials fills the credential part of out, refusing no credential and more than
// one kind, and returns the secret values for log masking.
func resolveCredentials(diags *diag.Diagnostics, cfg mdaProviderModel, out *mda.Config) []string {
	token := resolveString("api_token", cfg.APIToken, "MDA_API_TOKEN")
	secret := resolveString("client_secret", cfg.ClientSecret, "MDA_CLIENT_SECRET", "ARM_CLIENT_SECRET")
	secretFile := resolveString("client_secret_file_path", cfg.ClientSecretFilePath,
		"MDA_CLIENT_SECRET_FILE_PATH", "ARM_CLIENT_SECRET_FILE_PATH")

	clientSecretEvidence := secret
	if !clientSecretEvidence.set() {
		clientSecretEvidence = secretFile
	}
	kinds := []credentialKind{
		{name: "an API token", evidence: token},
		{name: "a client secret", evidence: clientSecretEvidence},
	}
	var configured []credentialKind
	for _, k := range kinds {
		if k.evidence.set() {
			configured = append(configured, k)
		}
	}
	switch len(configured) {
	case 0:
		diags.AddError("No MDA credentials configured",
			"Configure exactly one credential kind, in the provider block or the environment:\n"+
				"  - an Entra application: tenant_id, client_id and client_secret (or ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET);\n"+
				"  - a legacy API token: api_token (or MDA_API_TOKEN), created in the Microsoft Defender portal under "+
				"Settings → Cloud Apps → API tokens.")
		return nil
	case 1:
	default:
		diags.AddError("Conflicting MDA credentials",
			fmt.Sprintf("Both %s (from %s) and %s (from %s) are configured. The provider authenticates one way only: "+
				"remove one of them from the provider block or the environment.",
				configured[0].name, configured[0].evidence.source, configured[1].name, configured[1].evidence.source))
		return nil
	}

	if token.set() {
		out.APIToken = token.value
		return []string{token.value}
	}

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
	tenant := resolveString("tenant_id", cfg.TenantID, "MDA_TENANT_ID", "ARM_TENANT_ID")
	client := resolveString("client_id", cfg.ClientID, "MDA_CLIENT_ID", "ARM_CLIENT_ID")
	if !tenant.set() {
		diags.AddAttributeError(path.Root("tenant_id"), "Missing tenant ID",
			"A client secret is configured, so the Entra tenant must be known too. Set `tenant_id` or ARM_TENANT_ID to the "+
				"directory (tenant) ID of the application.")
	}
	if !client.set() {
		diags.AddAttributeError(path.Root("client_id"), "Missing client ID",
			"A client secret is configured, so the application must be known too. Set `client_id` or ARM_CLIENT_ID to the "+
				"application (client) ID.")
	}
	out.TenantID, out.ClientID, out.ClientSecret = tenant.value, client.value, secret.value
	return []string{secret.value}
}

// credentialKindName says which credential a client config uses, for logs.
func credentialKindName(c mda.Config) string {
	if c.APIToken != "" {
		return "api_token"
	}
	return "client_secret"
}
