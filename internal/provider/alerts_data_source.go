package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure        = (*alertsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*alertsDataSource)(nil)
)

// alertFilterFields are the API fields mda_alerts' typed attributes set (mda-api.md 3.1).
var alertFilterFields = []filterField{
	{Attribute: "severity", Field: "severity"},
	{Attribute: "resolution", Field: "resolutionStatus"},
	{Attribute: "open", Field: "alertOpen"},
	{Attribute: "read", Field: "read"},
	{Attribute: "since", Field: "date"},
	{Attribute: "until", Field: "date"},
	{Attribute: "policy_id", Field: "entity.policy"},
	{Attribute: "service_id", Field: "entity.service"},
	{Attribute: "entity_ip", Field: "entity.ip"},
	{Attribute: "source", Field: "source"},
}

// NewAlertsDataSource is the constructor for mda_alerts.
func NewAlertsDataSource() datasource.DataSource { return &alertsDataSource{} }

// alertsDataSource lists alerts matching typed filters and raw API filters.
type alertsDataSource struct{ client *mda.Client }

type alertsDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	Severity      types.Set    `tfsdk:"severity"`
	Resolution    types.Set    `tfsdk:"resolution"`
	Open          types.Bool   `tfsdk:"open"`
	Read          types.Bool   `tfsdk:"read"`
	Since         types.String `tfsdk:"since"`
	Until         types.String `tfsdk:"until"`
	PolicyID      types.String `tfsdk:"policy_id"`
	ServiceID     types.Set    `tfsdk:"service_id"`
	EntityIP      types.String `tfsdk:"entity_ip"`
	Source        types.String `tfsdk:"source"`
	SortField     types.String `tfsdk:"sort_field"`
	SortDirection types.String `tfsdk:"sort_direction"`
	listFilterModel
	Alerts []alertDataModel `tfsdk:"alerts"`
}

func (d *alertsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alerts"
}

func (d *alertsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
			Computed:            true,
		},
		"severity": schema.SetAttribute{
			MarkdownDescription: "Only alerts of these severities: `low`, `medium`, `high`, `informational`.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(severityWords...)),
			},
		},
		"resolution": schema.SetAttribute{
			MarkdownDescription: "Only alerts with these resolutions: `open`, `dismissed`, `resolved`, `false_positive`, " +
				"`benign`, `true_positive` (`dismissed` and `resolved` are legacy).",
			Optional:    true,
			ElementType: types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(resolutionWords...)),
			},
		},
		"open": schema.BoolAttribute{
			MarkdownDescription: "`true` for only open alerts, `false` for only closed ones. Unset lists both.",
			Optional:            true,
		},
		"read": schema.BoolAttribute{
			MarkdownDescription: "`true` for only alerts marked read, `false` for only unread ones. Unset lists both.",
			Optional:            true,
		},
		"since": schema.StringAttribute{
			MarkdownDescription: "Only alerts raised at or after this time, an RFC 3339 timestamp such as " +
				"`2025-01-31T08:00:00Z` (or `timeadd(plantimestamp(), \"-168h\")` for the last week).",
			Optional:   true,
			Validators: []validator.String{rfc3339Validator{}},
		},
		"until": schema.StringAttribute{
			MarkdownDescription: "Only alerts raised at or before this time, an RFC 3339 timestamp.",
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		},
		"policy_id": schema.StringAttribute{
			MarkdownDescription: "Only alerts raised by this policy, given by the policy's id (an alert's `policy.id`).",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"service_id": schema.SetAttribute{
			MarkdownDescription: "Only alerts concerning one of these apps, by MDA app id (such as `11161` for Microsoft " +
				"Office 365 or `20940` for Active Directory).",
			Optional:    true,
			ElementType: types.Int64Type,
			Validators:  []validator.Set{setvalidator.SizeAtLeast(1)},
		},
		"entity_ip": schema.StringAttribute{
			MarkdownDescription: "Only alerts concerning this IP address.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"source": schema.StringAttribute{
			MarkdownDescription: "Only alerts from this source, as MDA names it (the API's `source` filter: built-in " +
				"detections or policies).",
			Optional:   true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"alerts": schema.ListNestedAttribute{
			MarkdownDescription: "The matching alerts, in the order MDA returned them.",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: alertDataAttributes()},
		},
	}
	maps.Copy(attrs, sortAttributes("alerts", []string{"date", "severity"}))
	maps.Copy(attrs, listFilterAttributes("alerts", alertFilterFields))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's alerts that match every filter given, in the order MDA returns them " +
			"unless `sort_field` is set. Typed attributes cover the common filters; `filters` takes any other in the API's own syntax. " +
			"At most `max_results` alerts are returned (100 by default), one API request per 100.",
		Attributes: attrs,
	}
}

func (d *alertsDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{filtersConflictValidator{fields: alertFilterFields}}
}

func (d *alertsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *alertsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg alertsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typed, diags := alertTypedFilters(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	filters, maxResults, diags := cfg.query(typed, alertFilterFields)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, err := d.client.ListAlerts(ctx, mda.Query{
		Filters:       filters,
		SortField:     cfg.SortField.ValueString(),
		SortDirection: cfg.SortDirection.ValueString(),
		Max:           maxResults,
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "list alerts", err)
		return
	}
	cfg.Alerts = make([]alertDataModel, 0, len(res.Items))
	for _, a := range res.Items {
		cfg.Alerts = append(cfg.Alerts, alertDataFromAPI(a))
	}
	cfg.setResult(res.Total, res.Truncated)
	cfg.ID = types.StringValue("alerts")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// alertTypedFilters turns mda_alerts' typed attributes into API filters: words into
// codes, RFC 3339 into milliseconds.
func alertTypedFilters(ctx context.Context, cfg alertsDataSourceModel) (mda.Filters, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := mda.Filters{}
	for _, w := range []struct {
		set   types.Set
		codes map[string]int
		field string
	}{{cfg.Severity, severityCodes, "severity"}, {cfg.Resolution, resolutionCodes, "resolutionStatus"}} {
		codes, d := wordCodes(ctx, w.set, w.codes)
		diags.Append(d...)
		if len(codes) > 0 {
			f = f.With(w.field, mda.OpEq, codes)
		}
	}
	if !cfg.Open.IsNull() {
		f = f.With("alertOpen", mda.OpEq, cfg.Open.ValueBool())
	}
	if !cfg.Read.IsNull() {
		f = f.With("read", mda.OpEq, cfg.Read.ValueBool())
	}
	for _, t := range []struct {
		v    types.String
		attr string
		op   string
	}{{cfg.Since, "since", mda.OpGte}, {cfg.Until, "until", mda.OpLte}} {
		if t.v.IsNull() {
			continue
		}
		ms, err := rfc3339Millis(t.v)
		if err != nil {
			diags.AddAttributeError(path.Root(t.attr), "Invalid timestamp", err.Error())
			continue
		}
		f = f.With("date", t.op, ms)
	}
	if !cfg.PolicyID.IsNull() {
		f = f.With("entity.policy", mda.OpEq, []string{cfg.PolicyID.ValueString()})
	}
	if !cfg.ServiceID.IsNull() {
		var ids []int64
		diags.Append(cfg.ServiceID.ElementsAs(ctx, &ids, false)...)
		slices.Sort(ids)
		f = f.With("entity.service", mda.OpEq, ids)
	}
	if !cfg.EntityIP.IsNull() {
		f = f.With("entity.ip", mda.OpEq, []string{cfg.EntityIP.ValueString()})
	}
	if !cfg.Source.IsNull() {
		f = f.With("source", mda.OpEq, []string{cfg.Source.ValueString()})
	}
	return f, diags
}

// wordCodes turns a set of enum words into their codes, sorted so the request body is
// stable. The attribute's OneOf validator guarantees every word is in the table.
func wordCodes(ctx context.Context, set types.Set, codes map[string]int) ([]int, diag.Diagnostics) {
	if set.IsNull() || set.IsUnknown() {
		return nil, nil
	}
	var words []string
	diags := set.ElementsAs(ctx, &words, false)
	out := make([]int, 0, len(words))
	for _, w := range words {
		out = append(out, codes[w])
	}
	slices.Sort(out)
	return out, diags
}
