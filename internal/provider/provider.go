// Package provider implements the Terraform and OpenTofu provider for Microsoft Defender for
// Cloud Apps on terraform-plugin-framework. It builds no URLs and parses no HTTP: every API
// call goes through internal/mda, whose client is shared by all resources and data sources
// of one provider instance so that they spend one rate-limit budget.
package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ provider.Provider = (*mdaProvider)(nil)

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &mdaProvider{version: version}
	}
}

type mdaProvider struct {
	version string
}

// mdaProviderModel mirrors the provider block. Every attribute is optional because each
// has an environment variable; Configure merges the two and validates the result.
type mdaProviderModel struct {
	PortalURL            types.String `tfsdk:"portal_url"`
	APIToken             types.String `tfsdk:"api_token"`
	TenantID             types.String `tfsdk:"tenant_id"`
	ClientID             types.String `tfsdk:"client_id"`
	ClientSecret         types.String `tfsdk:"client_secret"`
	ClientSecretFilePath types.String `tfsdk:"client_secret_file_path"`
	AuthorityURL         types.String `tfsdk:"authority_url"`
	GraphURL             types.String `tfsdk:"graph_url"`
	RequestsPerMinute    types.Int64  `tfsdk:"requests_per_minute"`
	MaxRetries           types.Int64  `tfsdk:"max_retries"`
	RequestTimeout       types.String `tfsdk:"request_timeout"`

	mdaProviderAuthModel // certificate, OIDC, managed identity, Azure CLI, cloud: provider_auth.go
}

func (p *mdaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mda"
	resp.Version = p.version
}

func (p *mdaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `mda` provider manages the configuration of a Microsoft Defender for Cloud Apps " +
			"(MDA) tenant through its REST API. Configure exactly one credential kind: a Microsoft Entra application " +
			"(`tenant_id`, `client_id`) with a client secret, a client certificate or OIDC workload identity federation " +
			"(`use_oidc`); a managed identity (`use_msi`); the Azure CLI (`use_cli`); or a legacy API token (`api_token`). " +
			"Every attribute can also come from an environment variable, named in its description: the `ARM_*` " +
			"variables of the azurerm and azuread providers work here too. The credential kind comes from the first " +
			"of these that configures one: the provider block, then `MDA_*` variables, then `ARM_*` variables; so " +
			"`api_token` in the provider block is used even where a pipeline exports `ARM_CLIENT_SECRET` for azurerm. " +
			"An Entra credential is checked by signing in when the provider is configured, so a wrong one fails the plan.",
		Attributes: map[string]schema.Attribute{
			"portal_url": schema.StringAttribute{
				MarkdownDescription: "The tenant's MDA API URL, as shown in the Microsoft Defender portal under " +
					"Settings → Cloud Apps → System → About, for example `https://contoso.us2.portal.cloudappsecurity.com`. " +
					"The client appends `/api`; a trailing `/api` is accepted. `http://` is accepted only for loopback " +
					"hosts (the bundled mock). Environment variable: `MDA_PORTAL_URL`.",
				Optional: true,
			},
			"api_token": schema.StringAttribute{
				MarkdownDescription: "A legacy MDA API token, sent as `Authorization: Token <key>`. It carries the " +
					"permissions of the user who created it; use it where no Entra application is registered for MDA. The file data " +
					"sources (`mda_file`, `mda_files`) need it: MDA's Files API refuses Entra tokens. It is not " +
					"checked before the first request that needs it: only a request to MDA could check it, and that would " +
					"spend the tenant's budget. Environment variable: `MDA_API_TOKEN`.",
				Optional:  true,
				Sensitive: true,
			},
			"tenant_id": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Entra tenant (directory) ID of the application. Environment " +
					"variables: `MDA_TENANT_ID`, then `ARM_TENANT_ID`.",
				Optional: true,
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The application (client) ID of the Microsoft Entra application that has been " +
					"granted MDA application permissions. With `use_msi`, the client ID of a user-assigned managed identity. " +
					"Environment variables: `MDA_CLIENT_ID`, then `ARM_CLIENT_ID`.",
				Optional: true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "A client secret of the Microsoft Entra application. Conflicts with " +
					"`client_secret_file_path`. Environment variables: `MDA_CLIENT_SECRET`, then `ARM_CLIENT_SECRET`.",
				Optional:  true,
				Sensitive: true,
			},
			"client_secret_file_path": schema.StringAttribute{
				MarkdownDescription: "The path of a file holding the client secret (surrounding white space is " +
					"ignored), for secrets mounted by a CI system. Conflicts with `client_secret`. Environment " +
					"variables: `MDA_CLIENT_SECRET_FILE_PATH`, then `ARM_CLIENT_SECRET_FILE_PATH`.",
				Optional: true,
			},
			"authority_url": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Entra login host that issues tokens. Defaults to the login host " +
					"of `environment` (`https://login.microsoftonline.com` in the public cloud); set it to point at a " +
					"mock or a private endpoint. Environment variable: `MDA_AUTHORITY_URL`.",
				Optional: true,
			},
			"graph_url": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Graph host that serves discovered apps to `mda_discovered_apps` and " +
					"`mda_discovered_app` (Graph beta). Defaults to `https://graph.microsoft.com`, the only cloud where " +
					"Microsoft offers that API; set it to point at a mock or a proxy. Plain `http://` is accepted only for " +
					"loopback hosts. Environment variable: `MDA_GRAPH_URL`.",
				Optional: true,
			},
			"requests_per_minute": schema.Int64Attribute{
				MarkdownDescription: "How many API requests this provider may send in any 60-second window. MDA " +
					"allows 30 per minute for the whole tenant, shared by every integration, so lower it when other " +
					"tools use the API at the same time. Between 1 and 6000. Defaults to `30`. Environment " +
					"variable: `MDA_REQUESTS_PER_MINUTE`.",
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request that failed with a throttling response, a gateway " +
					"error or a network error is retried. Writes are retried only when MDA cannot have received them. " +
					"Between 0 and 20. Defaults to `5`. Environment variable: `MDA_MAX_RETRIES`.",
				Optional: true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP request may take, as a Go duration such as `30s` or `2m`. " +
					"Between 1s and 30m. Defaults to `20s` for reads and listings, so that a portal that does not answer " +
					"fails a plan quickly, and `60s` for writes and sign-ins, whose slow answer is better waited for. " +
					"Environment variable: `MDA_REQUEST_TIMEOUT`.",
				Optional: true,
			},
		},
	}
	maps.Copy(resp.Schema.Attributes, authAttributes())
}

func (p *mdaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewIPRangeResource,
		NewIPRangesExclusiveResource,
		NewAlertStateResource,
		NewDiscoveryLogUploadResource,
	}
}

func (p *mdaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewIPRangeDataSource,
		NewIPRangesDataSource,
		NewAlertDataSource,
		NewAlertsDataSource,
		NewActivityDataSource,
		NewActivitiesDataSource,
		NewEntityDataSource,
		NewEntitiesDataSource,
		NewFileDataSource,
		NewFilesDataSource,
		NewDiscoveryStreamsDataSource,
		NewDiscoveryCategoriesDataSource,
		NewDiscoveryBlockScriptDataSource,
		NewDiscoveredAppsDataSource,
		NewDiscoveredAppDataSource,
	}
}
