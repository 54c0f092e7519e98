package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// discoveredAppModel is one app of a Cloud Discovery report as mda_discovered_apps lists
// it and mda_discovered_app shows it at its top level (which embeds this model).
type discoveredAppModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Category      types.String `tfsdk:"category"`
	RiskScore     types.Int64  `tfsdk:"risk_score"`
	Tags          []string     `tfsdk:"tags"`
	Domains       []string     `tfsdk:"domains"`
	Users         types.Int64  `tfsdk:"users"`
	IPAddresses   types.Int64  `tfsdk:"ip_addresses"`
	Transactions  types.Int64  `tfsdk:"transactions"`
	UploadBytes   types.Int64  `tfsdk:"upload_bytes"`
	DownloadBytes types.Int64  `tfsdk:"download_bytes"`
	LastSeen      types.String `tfsdk:"last_seen"`
	DeviceCount   types.Int64  `tfsdk:"device_count"`
	RawJSON       types.String `tfsdk:"raw_json"`
}

func computedInt64(desc string) schema.Attribute {
	return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
}

// discoveredAppAttributes describes one discovered app; mda_discovered_app replaces id
// with its input.
func discoveredAppAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":       computedString("The app's id in MDA's cloud app catalogue, such as `11760`: what `mda_discovered_app` takes."),
		"name":     computedString("The app's name (Graph's `displayName`)."),
		"category": computedString("The app's category as Graph writes it, in camelCase, such as `generativeAi` or `codeHosting`; new categories appear over time and are passed through as they come. Null when Graph sends none."),
		"risk_score": computedInt64("MDA's risk score of the app, from 1 to 10, where **10 is the most trustworthy** and 1 the riskiest; " +
			"null when Graph sends none."),
		"tags": schema.ListAttribute{
			MarkdownDescription: "The app's tags as Graph writes them: `Sanctioned`, `Unsanctioned`, `Monitored` or custom tags; often empty.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"domains": schema.ListAttribute{
			MarkdownDescription: "The domains MDA attributes to the app.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"users":          computedInt64("How many users used the app in the period (Graph's `userCount`); 0 on streams that see IP addresses only."),
		"ip_addresses":   computedInt64("How many IP addresses used the app in the period (Graph's `ipAddressCount`)."),
		"transactions":   computedInt64("How many transactions were seen in the period (Graph's `transactionCount`)."),
		"upload_bytes":   computedInt64("Bytes uploaded to the app in the period (Graph's `uploadNetworkTrafficInBytes`)."),
		"download_bytes": computedInt64("Bytes downloaded from the app in the period (Graph's `downloadNetworkTrafficInBytes`)."),
		"last_seen":      computedString("When the app was last seen, as an RFC 3339 timestamp in UTC (Graph reports whole days, at midnight); null when Graph sends none."),
		"device_count": computedInt64("How many devices used the app (Graph's `deviceCount`): set on Defender for Endpoint " +
			"streams (\"Defender-managed endpoints\"), null on every other stream."),
		"raw_json": computedString("The app as Graph sent it, as JSON, for fields this provider does not map (such as `@odata.type`); " +
			"read it with `jsondecode`."),
	}
}

// discoveredAppFromAPI maps one app. Absent numbers stay null rather than 0: Graph marks
// them all optional, and a missing count is not a zero count.
func discoveredAppFromAPI(a mda.DiscoveredApp) discoveredAppModel {
	m := discoveredAppModel{
		ID:            types.StringValue(a.ID),
		Name:          stringOrNull(a.Name),
		Category:      stringOrNull(a.Category),
		RiskScore:     types.Int64PointerValue(a.RiskScore),
		Tags:          append([]string{}, a.Tags...),
		Domains:       append([]string{}, a.Domains...),
		Users:         types.Int64PointerValue(a.UserCount),
		IPAddresses:   types.Int64PointerValue(a.IPAddressCount),
		Transactions:  types.Int64PointerValue(a.TransactionCount),
		UploadBytes:   types.Int64PointerValue(a.UploadBytes),
		DownloadBytes: types.Int64PointerValue(a.DownloadBytes),
		LastSeen:      types.StringNull(),
		DeviceCount:   types.Int64PointerValue(a.DeviceCount),
		RawJSON:       types.StringNull(),
	}
	if a.LastSeen != nil {
		m.LastSeen = types.StringValue(formatTime(*a.LastSeen))
	}
	if len(a.Raw) > 0 {
		m.RawJSON = types.StringValue(compactJSON(a.Raw))
	}
	return m
}

// checkGraphAvailable reports, before any request, a provider configuration that cannot
// call Microsoft Graph (legacy token, Azure CLI, a national cloud), as one plan-time
// error naming what to configure. It returns false when the read must stop.
func checkGraphAvailable(diags *diag.Diagnostics, client *mda.Client, typeName string) bool {
	err := client.GraphAvailable()
	if err == nil {
		return true
	}
	diags.AddError("Microsoft Graph cannot be used with this provider configuration", fmt.Sprintf(
		"%s reads Cloud Discovery reports from Microsoft Graph, with the Graph application permission %s. %s "+
			"No request was sent.", typeName, mda.GraphPermission, sentence(err.Error())))
	return false
}
