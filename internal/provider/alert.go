package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// alertDataModel is one alert as the mda_alert and mda_alerts data sources show it.
type alertDataModel struct {
	ID            types.String       `tfsdk:"id"`
	Title         types.String       `tfsdk:"title"`
	Description   types.String       `tfsdk:"description"`
	Severity      types.String       `tfsdk:"severity"`
	Status        types.String       `tfsdk:"status"`
	Resolution    types.String       `tfsdk:"resolution"`
	Created       types.String       `tfsdk:"created"`
	ResolvedAt    types.String       `tfsdk:"resolved_at"`
	ThreatScore   types.Int64        `tfsdk:"threat_score"`
	IsSystemAlert types.Bool         `tfsdk:"is_system_alert"`
	URL           types.String       `tfsdk:"url"`
	Policy        *alertPolicyModel  `tfsdk:"policy"`
	Entities      []alertEntityModel `tfsdk:"entities"`
	RawJSON       types.String       `tfsdk:"raw_json"`
}

type alertPolicyModel struct {
	ID    types.String `tfsdk:"id"`
	Label types.String `tfsdk:"label"`
}

type alertEntityModel struct {
	Type  types.String `tfsdk:"type"`
	ID    types.String `tfsdk:"id"`
	Label types.String `tfsdk:"label"`
}

// alertDataAttributes describes one alert in the data sources; the singular data source
// replaces id with its input.
func alertDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The alert's id in MDA (24 hexadecimal characters, without the `ca` prefix Defender XDR shows).",
			Computed:            true,
		},
		"title":       schema.StringAttribute{MarkdownDescription: "The alert's title.", Computed: true},
		"description": schema.StringAttribute{MarkdownDescription: "The alert's description; it may contain HTML.", Computed: true},
		"severity": schema.StringAttribute{
			MarkdownDescription: "`low`, `medium`, `high` or `informational`.",
			Computed:            true,
		},
		"status": schema.StringAttribute{
			MarkdownDescription: "`unread`, `read` or `archived`.",
			Computed:            true,
		},
		"resolution": schema.StringAttribute{
			MarkdownDescription: "`open`, or how the alert was closed: `benign`, `false_positive`, `true_positive`, or the " +
				"legacy `dismissed` and `resolved`. `resolved` also stands for a closed alert whose kind MDA does not say " +
				"(it sends a resolve time and no resolution code).",
			Computed: true,
		},
		"created": schema.StringAttribute{
			MarkdownDescription: "When the alert was raised, as an RFC 3339 timestamp in UTC.",
			Computed:            true,
		},
		"resolved_at": schema.StringAttribute{
			MarkdownDescription: "When the alert was closed, as an RFC 3339 timestamp in UTC; null while it is open.",
			Computed:            true,
		},
		"threat_score": schema.Int64Attribute{MarkdownDescription: "MDA's threat score of the alert.", Computed: true},
		"is_system_alert": schema.BoolAttribute{
			MarkdownDescription: "Whether this is one of MDA's system alerts, about MDA itself (an app connector failing, " +
				"say) rather than about activity in the tenant.",
			Computed: true,
		},
		"url": schema.StringAttribute{MarkdownDescription: "The alert's page in the portal.", Computed: true},
		"policy": schema.SingleNestedAttribute{
			MarkdownDescription: "The policy that raised the alert; null when MDA names none.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"id":    schema.StringAttribute{MarkdownDescription: "The policy's id, as the `policy_id` filter takes it.", Computed: true},
				"label": schema.StringAttribute{MarkdownDescription: "The policy's name.", Computed: true},
			},
		},
		"entities": schema.ListNestedAttribute{
			MarkdownDescription: "The users, accounts, apps, IP addresses, devices and files the alert concerns.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{
					MarkdownDescription: "The entity's kind as MDA names it, such as `account`, `user`, `service`, `ip`, " +
						"`device`, `file` or `policyRule`.",
					Computed: true,
				},
				"id":    schema.StringAttribute{MarkdownDescription: "The entity's id; app (`service`) ids are numbers written as strings.", Computed: true},
				"label": schema.StringAttribute{MarkdownDescription: "The entity's display name.", Computed: true},
			}},
		},
		"raw_json": schema.StringAttribute{
			MarkdownDescription: "The alert as MDA sent it, as JSON, for fields this provider does not map; read it with `jsondecode`.",
			Computed:            true,
		},
	}
}

// alertDataFromAPI maps an API alert for the data sources.
func alertDataFromAPI(a mda.Alert) alertDataModel {
	m := alertDataModel{
		ID:            types.StringValue(a.ID),
		Title:         stringOrNull(a.Title),
		Description:   stringOrNull(a.Description),
		Severity:      types.StringValue(enumWord(severityNames, a.Severity)),
		Status:        types.StringValue(enumWord(alertStatusNames, a.Status)),
		Resolution:    types.StringValue(enumWord(resolutionNames, a.Resolution)),
		Created:       types.StringValue(formatMillis(a.Timestamp)),
		ResolvedAt:    types.StringNull(),
		ThreatScore:   types.Int64Value(int64(a.ThreatScore)),
		IsSystemAlert: types.BoolValue(a.IsSystemAlert),
		URL:           stringOrNull(a.URL),
		Entities:      make([]alertEntityModel, 0, len(a.Entities)),
		RawJSON:       types.StringValue(string(a.Raw)),
	}
	if a.ResolveTime != nil {
		m.ResolvedAt = types.StringValue(formatTime(*a.ResolveTime))
	}
	if a.Policy != nil {
		m.Policy = &alertPolicyModel{ID: stringOrNull(a.Policy.ID), Label: stringOrNull(a.Policy.Label)}
	}
	for _, e := range a.Entities {
		m.Entities = append(m.Entities, alertEntityModel{
			Type:  stringOrNull(e.Type),
			ID:    stringOrNull(e.ID),
			Label: stringOrNull(e.Label),
		})
	}
	if len(a.Raw) == 0 {
		m.RawJSON = types.StringNull()
	}
	return m
}

// alertIDValidator checks an alert id attribute at plan time, either spelling accepted.
func alertIDValidator() validator.String {
	return stringvalidator.RegexMatches(mda.AlertIDPattern, "must be an alert id: 24 hexadecimal characters, optionally prefixed with ca")
}

// normalizeAlertID writes an alert id as MDA does (mda.NormalizeAlertID); an id the
// validators let through is always valid, and anything else is kept as written so that
// the client's error names it.
func normalizeAlertID(id string) string {
	if n, err := mda.NormalizeAlertID(id); err == nil {
		return n
	}
	return id
}
