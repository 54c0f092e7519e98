package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// mdaProviderAuthModel holds the settings for signing in without a long-lived secret
// (certificate, OIDC workload identity federation, managed identity, Azure CLI) and the
// cloud. It is embedded in mdaProviderModel; the names and environment variables are
// those of the azurerm and azuread providers, so a pipeline that configures those
// configures this one too.
type mdaProviderAuthModel struct {
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	ADOServiceConnectionID    types.String `tfsdk:"ado_pipeline_service_connection_id"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	MSIEndpoint               types.String `tfsdk:"msi_endpoint"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	Environment               types.String `tfsdk:"environment"`
}

// The environment variables of each setting, in the order they are read.
var (
	envTenantID                  = []string{"MDA_TENANT_ID", "ARM_TENANT_ID"}
	envClientID                  = []string{"MDA_CLIENT_ID", "ARM_CLIENT_ID"}
	envClientCertificate         = []string{"MDA_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE"}
	envClientCertificatePath     = []string{"MDA_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PATH"}
	envClientCertificatePassword = []string{"MDA_CLIENT_CERTIFICATE_PASSWORD", "ARM_CLIENT_CERTIFICATE_PASSWORD"}
	envUseOIDC                   = []string{"MDA_USE_OIDC", "ARM_USE_OIDC"}
	// TFC_WORKLOAD_IDENTITY_TOKEN is where HCP Terraform puts a workload identity token
	// when a workspace sets TFC_WORKLOAD_IDENTITY_AUDIENCE.
	envOIDCToken         = []string{"MDA_OIDC_TOKEN", "ARM_OIDC_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN"}
	envOIDCTokenFilePath = []string{"MDA_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"}
	// GitHub's variables come before Azure DevOps' unless a service connection is set.
	envOIDCRequestURLGitHub   = []string{"MDA_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"}
	envOIDCRequestURLADO      = []string{"MDA_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_URL", "SYSTEM_OIDCREQUESTURI", "ACTIONS_ID_TOKEN_REQUEST_URL"}
	envOIDCRequestTokenGitHub = []string{"MDA_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"}
	envOIDCRequestTokenADO    = []string{"MDA_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}
	envADOServiceConnectionID = []string{"MDA_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"}
	envUseMSI                 = []string{"MDA_USE_MSI", "ARM_USE_MSI"}
	envMSIEndpoint            = []string{"MDA_MSI_ENDPOINT", "ARM_MSI_ENDPOINT"}
	envUseCLI                 = []string{"MDA_USE_CLI", "ARM_USE_CLI"}
	envEnvironment            = []string{"MDA_ENVIRONMENT", "ARM_ENVIRONMENT"}
)

// envNames renders environment variable names for a description.
func envNames(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	if len(quoted) == 1 {
		return "Environment variable: " + quoted[0] + "."
	}
	return "Environment variables, in this order: " + strings.Join(quoted, ", ") + "."
}

// authAttributes are the schema attributes of mdaProviderAuthModel.
func authAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"client_certificate": schema.StringAttribute{
			MarkdownDescription: "The Microsoft Entra application's certificate with its private key: a PKCS#12 archive " +
				"(`.pfx`/`.p12`) encoded in base64, or PEM text holding the certificate and an unencrypted RSA private key. " +
				"The key signs a short-lived client assertion; the secret never leaves the machine. Upload the certificate's " +
				"public part to the application under *Certificates & secrets*. Conflicts with `client_certificate_path`. " +
				envNames(envClientCertificate),
			Optional:  true,
			Sensitive: true,
		},
		"client_certificate_path": schema.StringAttribute{
			MarkdownDescription: "The path of a file holding the certificate and private key, as PKCS#12 (binary or base64) " +
				"or PEM. Conflicts with `client_certificate`. " + envNames(envClientCertificatePath),
			Optional: true,
		},
		"client_certificate_password": schema.StringAttribute{
			MarkdownDescription: "The password of a PKCS#12 `client_certificate`. " + envNames(envClientCertificatePassword),
			Optional:            true,
			Sensitive:           true,
		},
		"use_oidc": schema.BoolAttribute{
			MarkdownDescription: "Sign in with OpenID Connect workload identity federation: a token from GitHub Actions, " +
				"Azure DevOps, HCP Terraform or Kubernetes is exchanged for an Entra ID token, with `tenant_id` and `client_id`. " +
				"The token comes from `oidc_token`, else `oidc_token_file_path`, else the CI system's token endpoint " +
				"(`oidc_request_url` and `oidc_request_token`, which GitHub Actions and Azure DevOps provide). " +
				"Defaults to `false`. " + envNames(envUseOIDC),
			Optional: true,
		},
		"oidc_token": schema.StringAttribute{
			MarkdownDescription: "A federated token to exchange, given directly. Tokens are short-lived: prefer " +
				"`oidc_token_file_path` or the CI system's token endpoint for long runs. " + envNames(envOIDCToken),
			Optional:  true,
			Sensitive: true,
		},
		"oidc_token_file_path": schema.StringAttribute{
			MarkdownDescription: "The path of a file holding a federated token. It is read again every time a new Entra ID " +
				"token is needed, so a file that is rotated in place (Kubernetes, HCP Terraform) keeps working. " +
				envNames(envOIDCTokenFilePath),
			Optional: true,
		},
		"oidc_request_url": schema.StringAttribute{
			MarkdownDescription: "The URL that issues federated tokens in a CI run: GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` " +
				"(the job needs `permissions: id-token: write`) or Azure DevOps' `SYSTEM_OIDCREQUESTURI`. A fresh token is " +
				"requested, with the audience `api://AzureADTokenExchange`, every time a new Entra ID token is needed. " +
				envNames(envOIDCRequestURLGitHub) + " With `ado_pipeline_service_connection_id` set, `SYSTEM_OIDCREQUESTURI` " +
				"is read before `ACTIONS_ID_TOKEN_REQUEST_URL`.",
			Optional: true,
		},
		"oidc_request_token": schema.StringAttribute{
			MarkdownDescription: "The bearer token for `oidc_request_url`: GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_TOKEN` or " +
				"Azure DevOps' `SYSTEM_ACCESSTOKEN` (map it into the task's `env:`). " + envNames(envOIDCRequestTokenGitHub) +
				" With `ado_pipeline_service_connection_id` set, `SYSTEM_ACCESSTOKEN` is read before `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.",
			Optional:  true,
			Sensitive: true,
		},
		"ado_pipeline_service_connection_id": schema.StringAttribute{
			MarkdownDescription: "The ID of the Azure DevOps service connection whose workload identity federation to use. " +
				"Setting it makes `oidc_request_url` an Azure DevOps endpoint. " + envNames(envADOServiceConnectionID),
			Optional: true,
		},
		"use_msi": schema.BoolAttribute{
			MarkdownDescription: "Sign in as the managed identity of the Azure resource the provider runs on (a virtual " +
				"machine, a self-hosted agent, App Service, Functions, Container Apps). `client_id` picks a user-assigned " +
				"identity; without it the system-assigned identity is used. Defaults to `false`. " + envNames(envUseMSI),
			Optional: true,
		},
		"msi_endpoint": schema.StringAttribute{
			MarkdownDescription: "The managed identity token endpoint. Defaults to the instance metadata service, " +
				"`" + mda.DefaultMSIEndpoint + "`, or to `IDENTITY_ENDPOINT` when App Service sets it " +
				"(with `IDENTITY_HEADER`). " + envNames(envMSIEndpoint),
			Optional: true,
		},
		"use_cli": schema.BoolAttribute{
			MarkdownDescription: "Sign in as the account logged in to the Azure CLI (`az login`), for use at a terminal. " +
				"Never chosen unless set, so that a CI runner with a logged-in CLI does not change identity by surprise. " +
				"`tenant_id`, when set, is passed to `az account get-access-token --tenant`. Defaults to `false`. " +
				envNames(envUseCLI),
			Optional: true,
		},
		"environment": schema.StringAttribute{
			MarkdownDescription: "The Microsoft cloud: `public` (login.microsoftonline.com; commercial and GCC tenants), " +
				"`usgovernment` (login.microsoftonline.us; GCC High) or `china` (login.chinacloudapi.cn). It picks the login " +
				"host (unless `authority_url` is set) and the audience of federated tokens, and `portal_url` must belong to it. " +
				"Defaults to `public`. " + envNames(envEnvironment),
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(mda.CloudNames()...)},
		},
	}
}

// authUnknown reports which of the auth settings are unknown during plan.
func (m mdaProviderAuthModel) authUnknown() map[string]bool {
	return map[string]bool{
		"client_certificate":                 m.ClientCertificate.IsUnknown(),
		"client_certificate_path":            m.ClientCertificatePath.IsUnknown(),
		"client_certificate_password":        m.ClientCertificatePassword.IsUnknown(),
		"use_oidc":                           m.UseOIDC.IsUnknown(),
		"oidc_token":                         m.OIDCToken.IsUnknown(),
		"oidc_token_file_path":               m.OIDCTokenFilePath.IsUnknown(),
		"oidc_request_url":                   m.OIDCRequestURL.IsUnknown(),
		"oidc_request_token":                 m.OIDCRequestToken.IsUnknown(),
		"ado_pipeline_service_connection_id": m.ADOServiceConnectionID.IsUnknown(),
		"use_msi":                            m.UseMSI.IsUnknown(),
		"msi_endpoint":                       m.MSIEndpoint.IsUnknown(),
		"use_cli":                            m.UseCLI.IsUnknown(),
		"environment":                        m.Environment.IsUnknown(),
	}
}

// describeEnvs names where a setting may come from, for diagnostics.
func describeEnvs(attr string, envs []string) string {
	return fmt.Sprintf("`%s` or %s", attr, strings.Join(envs, " / "))
}

// resolveEnvironment reads `environment` and checks that the portal URL belongs to that
// cloud: a GCC High portal signed in to through the public cloud would only ever answer
// 401, and the diagnostic here says why.
func resolveEnvironment(diags *diag.Diagnostics, cfg mdaProviderModel, portal setting, portalURL string) string {
	env := resolveString("environment", cfg.Environment, envEnvironment...)
	name := strings.ToLower(env.value)
	cloud, ok := mda.LookupCloud(name)
	if !ok {
		diags.AddAttributeError(path.Root("environment"), "Unknown Microsoft cloud",
			fmt.Sprintf("%s is %q. Set it to one of: %s.", env.source, env.value, strings.Join(mda.CloudNames(), ", ")))
		return ""
	}
	if portalURL == "" {
		return name
	}
	if err := cloud.CheckPortalURL(portalURL); err != nil {
		from := "the default environment (public)"
		if env.set() {
			from = env.source
		}
		diags.AddAttributeError(path.Root("portal_url"), "MDA portal URL does not match the cloud",
			fmt.Sprintf("%s: %s. The cloud comes from %s.", portal.source, err, from))
	}
	return name
}
