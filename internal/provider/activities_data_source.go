package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure        = (*activitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*activitiesDataSource)(nil)
)

// maxActivityResults is mda_activities' max_results cap: 200 requests, under seven
// minutes at MDA's 30 a minute, well inside dataSourceTimeout.
const maxActivityResults = 20000

// activityFilterFields are the API fields mda_activities' typed attributes set (mda-api.md §4).
var activityFilterFields = []filterField{
	{Attribute: "app_id", Field: "service"},
	{Attribute: "instance", Field: "instance"},
	{Attribute: "action_type", Field: "actionType"},
	{Attribute: "event_type", Field: "activity.eventActionType"},
	{Attribute: "user", Field: "user.username"},
	{Attribute: "user_prefix", Field: "user.username"},
	{Attribute: "user_domain", Field: "user.domain"},
	{Attribute: "ip_address", Field: "ip.address"},
	{Attribute: "ip_prefix", Field: "ip.address"},
	{Attribute: "ip_category", Field: "ip.category"},
	{Attribute: "ip_tags", Field: "ip.tags"},
	{Attribute: "country", Field: "location.country"},
	{Attribute: "since", Field: "date"},
	{Attribute: "until", Field: "date"},
	{Attribute: "created_since", Field: "created"},
	{Attribute: "admin_only", Field: "activity.type"},
	{Attribute: "impersonated", Field: "activity.impersonated"},
	{Attribute: "alert_id", Field: "activity.alertId"},
	{Attribute: "policy_id", Field: "policy"},
	{Attribute: "file_id", Field: "fileId"},
	{Attribute: "source", Field: "source"},
	{Attribute: "device_type", Field: "device.type"},
	{Attribute: "text", Field: "text"},
}

// NewActivitiesDataSource is the constructor for mda_activities.
func NewActivitiesDataSource() datasource.DataSource { return &activitiesDataSource{} }

// activitiesDataSource lists activities matching typed filters and raw API filters.
type activitiesDataSource struct{ client *mda.Client }

type activitiesDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	AppID         types.Set    `tfsdk:"app_id"`
	Instance      types.Set    `tfsdk:"instance"`
	ActionType    types.Set    `tfsdk:"action_type"`
	EventType     types.Set    `tfsdk:"event_type"`
	User          types.Set    `tfsdk:"user"`
	UserPrefix    types.String `tfsdk:"user_prefix"`
	UserDomain    types.Set    `tfsdk:"user_domain"`
	IPAddress     types.Set    `tfsdk:"ip_address"`
	IPPrefix      types.Set    `tfsdk:"ip_prefix"`
	IPCategory    types.Set    `tfsdk:"ip_category"`
	IPTags        types.Set    `tfsdk:"ip_tags"`
	Country       types.Set    `tfsdk:"country"`
	Since         types.String `tfsdk:"since"`
	Until         types.String `tfsdk:"until"`
	CreatedSince  types.String `tfsdk:"created_since"`
	AdminOnly     types.Bool   `tfsdk:"admin_only"`
	Impersonated  types.Bool   `tfsdk:"impersonated"`
	AlertID       types.String `tfsdk:"alert_id"`
	PolicyID      types.String `tfsdk:"policy_id"`
	FileID        types.String `tfsdk:"file_id"`
	Source        types.Set    `tfsdk:"source"`
	DeviceType    types.Set    `tfsdk:"device_type"`
	Text          types.String `tfsdk:"text"`
	SortField     types.String `tfsdk:"sort_field"`
	SortDirection types.String `tfsdk:"sort_direction"`
	IncludeRaw    types.Bool   `tfsdk:"include_raw_json"`
	listFilterModel
	Activities []activityDataModel `tfsdk:"activities"`
}

var countryCodePattern = regexp.MustCompile(`^[A-Z]{2}$`)

func (d *activitiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activities"
}

func (d *activitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	stringSet := func(desc string, more ...validator.String) schema.Attribute {
		return schema.SetAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(append([]validator.String{stringvalidator.LengthAtLeast(1)}, more...)...),
			},
		}
	}
	intSet := func(desc string) schema.Attribute {
		return schema.SetAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			ElementType:         types.Int64Type,
			Validators:          []validator.Set{setvalidator.SizeAtLeast(1)},
		}
	}
	oneString := func(desc string, more ...validator.String) schema.Attribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			Validators:          append([]validator.String{stringvalidator.LengthAtLeast(1)}, more...),
		}
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
			Computed:            true,
		},
		"app_id": intSet("Only activities in one of these apps, by MDA app id (such as `11161` for Microsoft Office 365, " +
			"`15600` for OneDrive for Business, `11770` for Google Workspace)."),
		"instance": intSet("Only activities in these instances of their app (`0` is the first; a second Salesforce org, say, is `1`)."),
		"action_type": stringSet("Only activities whose app calls the operation one of these names, exactly (an " +
			"activity's `action_type`, such as `FileDownloaded` or `UserLoggedIn`)."),
		"event_type": stringSet("Only activities of these activity types, as MDA's `activity.eventActionType` filter " +
			"names them (such as `login`, `failedLogin`, `download`, `assignPrivilege`)."),
		"user": stringSet("Only activities performed by one of these users, by user name (usually the user principal " +
			"name, `alice@contoso.com`)."),
		"user_prefix": oneString("Only activities performed by users whose user name starts with this text, such as `svc-` for service accounts."),
		"user_domain": stringSet("Only activities performed by users of these domains, such as `contoso.com`."),
		"ip_address":  stringSet("Only activities from one of these IP addresses, exactly."),
		"ip_prefix": stringSet("Only activities from IP addresses that start with one of these texts, such as `203.0.113.` " +
			"(a prefix of the address as written, not a CIDR)."),
		"ip_category": stringSet("Only activities from IP addresses of these categories (as `mda_ip_range` sets them): `"+
			strings.Join(categoryWords, "`, `")+"`.", stringvalidator.OneOf(categoryWords...)),
		"ip_tags": stringSet("Only activities from IP addresses with one of these tags, by tag id (the Tor tag is `2dfa95cd7922d979d66fcff5`)."),
		"country": stringSet("Only activities from these countries, as ISO 3166 codes in upper case, such as `US` or `NL`.",
			stringvalidator.RegexMatches(countryCodePattern, "must be a two-letter ISO 3166 country code in upper case, such as US")),
		"since": oneString("Only activities that happened at or after this time, an RFC 3339 timestamp such as "+
			"`2025-01-31T08:00:00Z` (or `timeadd(plantimestamp(), \"-24h\")` for the last day).", rfc3339Validator{}),
		"until": oneString("Only activities that happened at or before this time, an RFC 3339 timestamp.", rfc3339Validator{}),
		"created_since": oneString("Only activities MDA stored at or after this time, an RFC 3339 timestamp. MDA can store "+
			"an activity hours after it happened, so this, not `since`, finds everything new since a previous run.", rfc3339Validator{}),
		"admin_only": schema.BoolAttribute{
			MarkdownDescription: "`true` for only administrative activities, `false` for only the others. Unset lists both.",
			Optional:            true,
		},
		"impersonated": schema.BoolAttribute{
			MarkdownDescription: "`true` for only activities performed in another user's name, `false` for only the others. Unset lists both.",
			Optional:            true,
		},
		"alert_id":  oneString("Only the activities of this alert, by alert id (24 hexadecimal characters, as `mda_alerts` shows it).", alertIDValidator()),
		"policy_id": oneString("Only activities that matched this policy, by policy id."),
		"file_id":   oneString("Only activities on this file, by MDA file id."),
		"source": stringSet("Only activities MDA learnt of in one of these ways: `"+strings.Join(activitySourceWords, "`, `")+"`.",
			stringvalidator.OneOf(activitySourceWords...)),
		"device_type": stringSet("Only activities from these kinds of device: `"+strings.Join(deviceTypeWords, "`, `")+"`.",
			stringvalidator.OneOf(deviceTypeWords...)),
		"text": oneString("Only activities that mention this text, as the portal's search box finds it."),
		"include_raw_json": schema.BoolAttribute{
			MarkdownDescription: "Whether each activity carries `raw_json`. Defaults to `true`. An activity's JSON is a few " +
				"kilobytes, so a pull of 20 000 keeps tens of megabytes in the state and makes every plan slower; set " +
				"`false` for large pulls that need only the mapped attributes.",
			Optional: true,
		},
		"activities": schema.ListNestedAttribute{
			MarkdownDescription: "The matching activities, newest first unless `sort_field` says otherwise.",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: activityDataAttributes()},
		},
	}
	maps.Copy(attrs, sortAttributes("activities", []string{"date", "created"}))
	maps.Copy(attrs, listFilterAttributes("activities", activityFilterFields))
	attrs["max_results"] = schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("The most activities to return, between 1 and %d. Defaults to `%d`. MDA sends at most "+
			"100 items per request, so this also bounds the requests the data source spends: ceil(max_results / 100), "+
			"against a tenant budget of 30 requests a minute (20 000 activities take about seven minutes). Above %d, the "+
			"data source lists in MDA's scan mode, which returns each activity once even while new ones arrive. When more "+
			"activities match, `truncated` is `true`.", maxActivityResults, defaultMaxResults, mda.ActivityScanThreshold),
		Optional:   true,
		Computed:   true,
		Validators: []validator.Int64{int64validator.Between(1, maxActivityResults)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's activities (the activity log) that match every filter given, newest first " +
			"unless `sort_field` is set. Typed attributes cover the common filters; `filters` takes any other in the API's own " +
			"syntax. At most `max_results` activities are returned (100 by default), one API request per 100.",
		Attributes: attrs,
	}
}

func (d *activitiesDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{filtersConflictValidator{fields: activityFilterFields}}
}

func (d *activitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *activitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg activitiesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typed, diags := activityTypedFilters(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	filters, maxResults, diags := cfg.query(typed, activityFilterFields)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	d.logCost(ctx, maxResults)
	res, err := d.client.ListActivities(ctx, mda.Query{
		Filters:       filters,
		SortField:     cfg.SortField.ValueString(),
		SortDirection: cfg.SortDirection.ValueString(),
		Max:           maxResults,
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "list activities", err)
		return
	}
	withRaw := cfg.IncludeRaw.IsNull() || cfg.IncludeRaw.ValueBool()
	cfg.Activities = make([]activityDataModel, 0, len(res.Items))
	for _, a := range res.Items {
		m := activityDataFromAPI(a)
		if !withRaw {
			m.RawJSON = types.StringNull()
		}
		cfg.Activities = append(cfg.Activities, m)
	}
	cfg.setResult(res.Total, res.Truncated)
	cfg.ID = types.StringValue("activities")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// logCost says, before a pull of more than one page, what it may cost, so a plan that
// waits minutes for the rate limit says why rather than seeming to hang.
func (d *activitiesDataSource) logCost(ctx context.Context, maxResults int) {
	requests, wait := d.client.ListingCost(maxResults)
	if requests <= 1 {
		return
	}
	mode := "skip and limit"
	if maxResults > mda.ActivityScanThreshold {
		mode = "scan mode"
	}
	msg := fmt.Sprintf("mda_activities: listing up to %d activities (%s) takes up to %d requests", maxResults, mode, requests)
	if wait > 0 {
		msg += fmt.Sprintf("; at %d requests a minute the rate limit spreads them over at least %s", d.client.RequestsPerMinute(), wait)
	}
	tflog.Info(ctx, msg, map[string]any{
		"max_results":         maxResults,
		"requests":            requests,
		"requests_per_minute": d.client.RequestsPerMinute(),
		"rate_limit_wait":     wait.String(),
	})
}

// activityTypedFilters turns mda_activities' typed attributes into API filters: words
// into codes, RFC 3339 into milliseconds.
func activityTypedFilters(ctx context.Context, cfg activitiesDataSourceModel) (mda.Filters, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := mda.Filters{}
	strs := func(set types.Set) []string {
		if set.IsNull() || set.IsUnknown() {
			return nil
		}
		var out []string
		diags.Append(set.ElementsAs(ctx, &out, false)...)
		slices.Sort(out)
		return out
	}
	ints := func(set types.Set) []int64 {
		if set.IsNull() || set.IsUnknown() {
			return nil
		}
		var out []int64
		diags.Append(set.ElementsAs(ctx, &out, false)...)
		slices.Sort(out)
		return out
	}
	if ids := ints(cfg.AppID); ids != nil {
		f = f.With("service", mda.OpEq, ids)
	}
	if ids := ints(cfg.Instance); ids != nil {
		f = f.With("instance", mda.OpEq, ids)
	}
	for _, s := range []struct {
		set   types.Set
		field string
		op    string
		conv  func(string) string
	}{
		{cfg.ActionType, "actionType", mda.OpEq, nil},
		{cfg.EventType, "activity.eventActionType", mda.OpEq, nil},
		{cfg.User, "user.username", mda.OpEq, nil},
		{cfg.UserDomain, "user.domain", mda.OpEq, strings.ToLower},
		{cfg.IPAddress, "ip.address", mda.OpEq, nil},
		{cfg.IPPrefix, "ip.address", mda.OpStartsWith, nil},
		{cfg.IPTags, "ip.tags", mda.OpEq, nil},
		{cfg.Country, "location.country", mda.OpEq, nil},
		{cfg.DeviceType, "device.type", mda.OpEq, strings.ToUpper},
	} {
		vals := strs(s.set)
		if vals == nil {
			continue
		}
		if s.conv != nil {
			for i := range vals {
				vals[i] = s.conv(vals[i])
			}
		}
		f = f.With(s.field, s.op, vals)
	}
	if !cfg.UserPrefix.IsNull() && !cfg.UserPrefix.IsUnknown() {
		f = f.With("user.username", mda.OpStartsWith, []string{cfg.UserPrefix.ValueString()})
	}
	for _, w := range []struct {
		set   types.Set
		codes map[string]int
		field string
	}{{cfg.IPCategory, categoryCodes, "ip.category"}, {cfg.Source, activitySourceCodes, "source"}} {
		codes, d := wordCodes(ctx, w.set, w.codes)
		diags.Append(d...)
		if len(codes) > 0 {
			f = f.With(w.field, mda.OpEq, codes)
		}
	}
	for _, t := range []struct {
		v     types.String
		attr  string
		field string
		op    string
	}{
		{cfg.Since, "since", "date", mda.OpGte},
		{cfg.Until, "until", "date", mda.OpLte},
		{cfg.CreatedSince, "created_since", "created", mda.OpGte},
	} {
		if t.v.IsNull() || t.v.IsUnknown() {
			continue
		}
		ms, err := rfc3339Millis(t.v)
		if err != nil {
			diags.AddAttributeError(path.Root(t.attr), "Invalid timestamp", err.Error())
			continue
		}
		f = f.With(t.field, t.op, ms)
	}
	for _, b := range []struct {
		v     types.Bool
		field string
	}{{cfg.AdminOnly, "activity.type"}, {cfg.Impersonated, "activity.impersonated"}} {
		if !b.v.IsNull() && !b.v.IsUnknown() {
			f = f.With(b.field, mda.OpEq, b.v.ValueBool())
		}
	}
	for _, s := range []struct {
		v     types.String
		field string
		conv  func(string) string
	}{
		{cfg.AlertID, "activity.alertId", normalizeAlertID},
		{cfg.PolicyID, "policy", nil},
		{cfg.FileID, "fileId", nil},
	} {
		if s.v.IsNull() || s.v.IsUnknown() {
			continue
		}
		v := s.v.ValueString()
		if s.conv != nil {
			v = s.conv(v)
		}
		f = f.With(s.field, mda.OpEq, []string{v})
	}
	if !cfg.Text.IsNull() && !cfg.Text.IsUnknown() {
		f = f.With("text", mda.OpText, cfg.Text.ValueString())
	}
	return f, diags
}
