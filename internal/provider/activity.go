package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Activity enums: words in Terraform, codes or upper-case names in the API (mda-api.md §4).

// activitySourceCodes are the source filter's codes: how MDA learnt of an activity (there
// is no 4).
var activitySourceCodes = map[string]int{
	"access_control":         0,
	"session_control":        1,
	"app_connector":          2,
	"app_connector_analysis": 3,
	"discovery":              5,
	"defender_for_endpoint":  6,
}

var (
	activitySourceNames = invert(activitySourceCodes)
	activitySourceWords = wordsByCode(activitySourceCodes)
)

// deviceTypeWords are device.type's values, in lower case; the API writes them in upper
// case (DESKTOP, MOBILE, TABLET, OTHER).
var deviceTypeWords = []string{"desktop", "mobile", "tablet", "other"}

// activityDataModel is one activity as mda_activity and mda_activities show it.
type activityDataModel struct {
	ID          types.String `tfsdk:"id"`
	Time        types.String `tfsdk:"time"`
	Created     types.String `tfsdk:"created"`
	AppID       types.Int64  `tfsdk:"app_id"`
	AppName     types.String `tfsdk:"app_name"`
	EventType   types.String `tfsdk:"event_type"`
	ActionType  types.String `tfsdk:"action_type"`
	Description types.String `tfsdk:"description"`
	Severity    types.String `tfsdk:"severity"`
	UserName    types.String `tfsdk:"user_name"`
	IPAddress   types.String `tfsdk:"ip_address"`
	Country     types.String `tfsdk:"country"`
	City        types.String `tfsdk:"city"`
	ISP         types.String `tfsdk:"isp"`
	UserAgent   types.String `tfsdk:"user_agent"`
	DeviceType  types.String `tfsdk:"device_type"`
	Source      types.String `tfsdk:"source"`
	AlertIDs    []string     `tfsdk:"alert_ids"`
	PolicyIDs   []string     `tfsdk:"policy_ids"`
	RawJSON     types.String `tfsdk:"raw_json"`
}

// computedString is a read-only string attribute of an item the data sources list.
func computedString(desc string) schema.Attribute {
	return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
}

// activityDataAttributes describes one activity; the singular data source makes id its
// input.
func activityDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": computedString("The activity's id in MDA (its `_id`), as `mda_activity` takes it."),
		"time": computedString("When the activity happened, as an RFC 3339 timestamp in UTC: what `since` and `until` " +
			"compare and `sort_field = \"date\"` orders by."),
		"created": computedString("When MDA stored the activity, as an RFC 3339 timestamp in UTC; it can be minutes or hours " +
			"after `time`. What `created_since` compares."),
		"app_id":     schema.Int64Attribute{MarkdownDescription: "The id of the app the activity happened in, such as `11161` for Microsoft Office 365.", Computed: true},
		"app_name":   computedString("The app's name."),
		"event_type": computedString("MDA's name for the kind of event (`eventTypeValue`), such as `EVENT_O365_ONEDRIVE_GENERIC`."),
		"action_type": computedString("The app's own name for the operation (`mainInfo.rawOperationName`), such as `FilePreviewed`: " +
			"what the `action_type` filter matches."),
		"description": computedString("MDA's description of the activity."),
		"severity":    computedString("`info`, `low`, `medium` or `high`, as MDA rates the activity."),
		"user_name":   computedString("Who performed the activity (`user.userName`, usually a user principal name); null when MDA names no one."),
		"ip_address":  computedString("The IP address the activity came from."),
		"country":     computedString("The country of the IP address, as an ISO 3166 code such as `US`."),
		"city":        computedString("The city of the IP address."),
		"isp":         computedString("The internet service provider or organisation that holds the IP address."),
		"user_agent":  computedString("The user agent the app reported."),
		"device_type": computedString("`desktop`, `mobile`, `tablet` or `other`, from the user agent."),
		"source": computedString("How MDA learnt of the activity: `" + strings.Join(activitySourceWords, "`, `") +
			"` (`unknown_<n>` for a code this provider does not know)."),
		"alert_ids": schema.ListAttribute{
			MarkdownDescription: "The alerts the activity is part of; empty for most activities.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"policy_ids": schema.ListAttribute{
			MarkdownDescription: "The policies the activity matched; empty for most activities.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"raw_json": computedString("The activity as MDA sent it, as JSON, for fields this provider does not map; read it with " +
			"`jsondecode`. Null in `mda_activities` with `include_raw_json = false`."),
	}
}

// activityDataFromAPI maps an API activity for the data sources.
func activityDataFromAPI(a mda.Activity) activityDataModel {
	m := activityDataModel{
		ID:          types.StringValue(a.ID),
		Time:        activityTime(a.Timestamp),
		Created:     activityTime(a.Created),
		AppID:       types.Int64Value(int64(a.AppID)),
		AppName:     stringOrNull(a.AppName),
		EventType:   activityText(a.EventType),
		ActionType:  activityText(a.MainInfo.RawOperationName),
		Description: activityText(a.Description),
		Severity:    activityText(strings.ToLower(a.Severity)),
		UserName:    activityText(a.User.UserName),
		IPAddress:   activityText(a.Device.ClientIP),
		Country:     activityText(a.Location.CountryCode),
		City:        activityText(a.Location.City),
		ISP:         activityText(a.Location.Organization),
		UserAgent:   activityText(a.Device.UserAgent),
		DeviceType:  activityText(strings.ToLower(a.UserAgent.DeviceType)),
		Source:      types.StringValue(enumWord(activitySourceNames, int(a.Source))),
		AlertIDs:    activityIDList(a.AlertIDs),
		PolicyIDs:   activityIDList(a.PolicyIDs),
		RawJSON:     types.StringValue(string(a.Raw)),
	}
	if m.AppID.ValueInt64() == 0 {
		m.AppID = types.Int64Null()
	}
	if len(a.Raw) == 0 {
		m.RawJSON = types.StringNull()
	}
	return m
}

// activityText is stringOrNull for the activity's strings, where MDA also writes "null"
// (location.categoryValue, for one) to mean there is none.
func activityText(s string) types.String {
	if s == "null" {
		return types.StringNull()
	}
	return stringOrNull(s)
}

func activityTime(t mda.FlexTime) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(formatTime(t.Time))
}

func activityIDList(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
