package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
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

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure        = (*discoveredAppsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*discoveredAppsDataSource)(nil)
)

const (
	defaultDiscoveredAppsPeriod = 30
	// defaultDiscoveredAppsMax bounds what lands in the state by default: a busy tenant's
	// Global view holds a few thousand apps, each with its raw JSON.
	defaultDiscoveredAppsMax = 1000
	maxDiscoveredAppsMax     = 10000
)

// appTagWords are the tags the tags filter takes, matched case-insensitively against
// Graph's Sanctioned, Unsanctioned and Monitored.
var appTagWords = []string{"sanctioned", "unsanctioned", "monitored"}

// NewDiscoveredAppsDataSource is the constructor for mda_discovered_apps.
func NewDiscoveredAppsDataSource() datasource.DataSource { return &discoveredAppsDataSource{} }

// discoveredAppsDataSource lists the apps of one Cloud Discovery report through Graph.
type discoveredAppsDataSource struct{ client *mda.Client }

type discoveredAppsDataSourceModel struct {
	ID           types.String         `tfsdk:"id"`
	StreamID     types.String         `tfsdk:"stream_id"`
	PeriodDays   types.Int64          `tfsdk:"period_days"`
	Category     types.String         `tfsdk:"category"`
	Tags         types.Set            `tfsdk:"tags"`
	MinRiskScore types.Int64          `tfsdk:"min_risk_score"`
	MaxRiskScore types.Int64          `tfsdk:"max_risk_score"`
	MinUsers     types.Int64          `tfsdk:"min_users"`
	NameContains types.String         `tfsdk:"name_contains"`
	MaxResults   types.Int64          `tfsdk:"max_results"`
	Total        types.Int64          `tfsdk:"total"`
	Truncated    types.Bool           `tfsdk:"truncated"`
	Apps         []discoveredAppModel `tfsdk:"apps"`
}

func (d *discoveredAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovered_apps"
}

func (d *discoveredAppsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	score := []validator.Int64{int64validator.Between(1, 10)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the apps of a Cloud Discovery report — which cloud apps are in use, by how many users, " +
			"how risky — from Microsoft Graph beta (`aggregatedAppsDetails`). **It needs an Entra application or managed " +
			"identity with the Graph application permission `CloudApp-Discovery.Read.All` and admin consent**, in the " +
			"global cloud: with the legacy API token, `use_cli` or a national cloud it fails at plan time without a request. " +
			"`category`, `min_risk_score`, `max_risk_score` and `min_users` are filtered by Graph; `tags` and " +
			"`name_contains` by the provider. Graph requests do not count against MDA's 30 requests a minute.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("`<stream_id>/<period_days>`, an identifier for this listing required by Terraform."),
			"stream_id": schema.StringAttribute{
				MarkdownDescription: "The report (stream) to read, by id, as `mda_discovery_streams` lists it. Defaults to " +
					"the stream named \"Global view\" (case aside), which aggregates every other; finding it costs one more Graph request " +
					"(the stream list). Set after the read to the id used.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"period_days": schema.Int64Attribute{
				MarkdownDescription: "The report period, in days: `7`, `30` or `90`, the periods Graph serves. Defaults to `30`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{int64validator.OneOf(mda.GraphPeriodDays...)},
			},
			"category": schema.StringAttribute{
				MarkdownDescription: "Only apps of this category, as Graph writes it in camelCase: `generativeAi`, " +
					"`aiModelProvider`, `cloudStorage`, `codeHosting`, `collaboration`, `webemail` and so on. Not checked " +
					"against a list, since Microsoft adds categories; an unknown one matches no app. Filtered by Graph.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only apps with at least one of these tags: `sanctioned`, `unsanctioned`, `monitored` " +
					"(matched without regard to case against Graph's `Sanctioned`, `Unsanctioned`, `Monitored`). Filtered " +
					"by the provider after reading.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(appTagWords...)),
				},
			},
			"min_risk_score": schema.Int64Attribute{
				MarkdownDescription: "Only apps with a risk score of at least this, from 1 to 10. **10 is the most trustworthy, " +
					"1 the riskiest**, so high-risk apps are found with `max_risk_score`. Filtered by Graph.",
				Optional:   true,
				Validators: score,
			},
			"max_risk_score": schema.Int64Attribute{
				MarkdownDescription: "Only apps with a risk score of at most this, from 1 to 10: `max_risk_score = 4` lists " +
					"the high-risk apps. At least `min_risk_score` when both are set. Filtered by Graph.",
				Optional:   true,
				Validators: score,
			},
			"min_users": schema.Int64Attribute{
				MarkdownDescription: "Only apps used by at least this many users in the period. Streams that see IP addresses " +
					"only report 0 users for every app. Filtered by Graph.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"name_contains": schema.StringAttribute{
				MarkdownDescription: "Only apps whose name contains this text, without regard to case. Filtered by the " +
					"provider after reading.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_results": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The most apps to return, between 1 and %d. Defaults to `%d`. The data source "+
					"reads every page Graph has for the server-side filters (100 apps a request) so that the apps kept are "+
					"always the first in the order of `apps`, the riskiest; when more match, `truncated` is `true`.",
					maxDiscoveredAppsMax, defaultDiscoveredAppsMax),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxDiscoveredAppsMax)},
			},
			"total": schema.Int64Attribute{
				MarkdownDescription: "How many apps matched every filter; more than `apps` holds when `truncated`.",
				Computed:            true,
			},
			"truncated": schema.BoolAttribute{
				MarkdownDescription: "Whether more apps matched than `max_results` allowed, so the least risky were left out.",
				Computed:            true,
			},
			"apps": schema.ListNestedAttribute{
				MarkdownDescription: "The matching apps, riskiest first: by `risk_score` ascending (apps without one last), " +
					"then by name without regard to case, then by id.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: discoveredAppAttributes()},
			},
		},
	}
}

func (d *discoveredAppsDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{riskRangeValidator{}}
}

func (d *discoveredAppsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *discoveredAppsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !checkGraphAvailable(&resp.Diagnostics, d.client, "mda_discovered_apps") {
		return
	}
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg discoveredAppsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Values unknown at plan time are only checked now.
	resp.Diagnostics.Append(checkRiskRange(cfg.MinRiskScore, cfg.MaxRiskScore)...)
	if cfg.PeriodDays.IsNull() || cfg.PeriodDays.IsUnknown() {
		cfg.PeriodDays = types.Int64Value(defaultDiscoveredAppsPeriod)
	}
	period, err := mda.GraphPeriod(cfg.PeriodDays.ValueInt64())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("period_days"), "Invalid period", sentence(err.Error()))
	}
	if cfg.MaxResults.IsNull() || cfg.MaxResults.IsUnknown() {
		cfg.MaxResults = types.Int64Value(defaultDiscoveredAppsMax)
	}
	var tags []string
	if !cfg.Tags.IsNull() {
		resp.Diagnostics.Append(cfg.Tags.ElementsAs(ctx, &tags, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	chosen := !cfg.StreamID.IsNull() && !cfg.StreamID.IsUnknown()
	if !chosen {
		id, err := d.client.GlobalViewStreamID(ctx)
		if err != nil {
			addGlobalViewError(&resp.Diagnostics, err)
			return
		}
		cfg.StreamID = types.StringValue(id)
	}
	filter := mda.DiscoveredAppsFilter{
		Category:     cfg.Category.ValueString(),
		MinRiskScore: cfg.MinRiskScore.ValueInt64Pointer(),
		MaxRiskScore: cfg.MaxRiskScore.ValueInt64Pointer(),
		MinUsers:     cfg.MinUsers.ValueInt64Pointer(),
	}
	// Every page is read, whatever max_results says: Graph has no order, so only the whole
	// list can be sorted into the same apps on every plan.
	res, err := d.client.ListDiscoveredApps(ctx, cfg.StreamID.ValueString(), period, filter, 0)
	var apiErr *mda.APIError
	if chosen && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && strings.EqualFold(apiErr.Code, "itemNotFound") {
		// Graph's JSON 404 on a stream's apps is about the stream: the listing has no
		// other object to miss (an unknown path is an HTML page or BadRequest).
		resp.Diagnostics.AddAttributeError(path.Root("stream_id"), "Cloud Discovery stream not found", fmt.Sprintf(
			"Microsoft Graph has no Cloud Discovery stream with the id %q. Take the id from mda_discovery_streams "+
				"(streams[*].id), or leave stream_id unset for the Global view. %s", cfg.StreamID.ValueString(), sentence(err.Error())))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "list discovered apps", err)
		return
	}
	apps := filterDiscoveredApps(res.Apps, tags, cfg.NameContains.ValueString())
	sortDiscoveredApps(apps)
	cfg.Total = types.Int64Value(int64(len(apps)))
	limit := int(cfg.MaxResults.ValueInt64())
	cfg.Truncated = types.BoolValue(len(apps) > limit)
	if len(apps) > limit {
		apps = apps[:limit]
	}
	cfg.Apps = make([]discoveredAppModel, 0, len(apps))
	for _, a := range apps {
		cfg.Apps = append(cfg.Apps, discoveredAppFromAPI(a))
	}
	cfg.ID = types.StringValue(fmt.Sprintf("%s/%d", cfg.StreamID.ValueString(), cfg.PeriodDays.ValueInt64()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// filterDiscoveredApps applies the filters Graph does not serve: tags (any of them, case
// aside) and a case-insensitive name substring.
func filterDiscoveredApps(apps []mda.DiscoveredApp, tags []string, nameContains string) []mda.DiscoveredApp {
	needle := strings.ToLower(nameContains)
	out := make([]mda.DiscoveredApp, 0, len(apps))
	for _, a := range apps {
		if needle != "" && !strings.Contains(strings.ToLower(a.Name), needle) {
			continue
		}
		if len(tags) > 0 && !slices.ContainsFunc(a.Tags, func(t string) bool {
			return slices.ContainsFunc(tags, func(want string) bool { return strings.EqualFold(t, want) })
		}) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// sortDiscoveredApps puts the riskiest apps first (score 1 before 10, none last), then
// orders by name and id, which Graph keeps unique per stream.
func sortDiscoveredApps(apps []mda.DiscoveredApp) {
	slices.SortFunc(apps, func(a, b mda.DiscoveredApp) int {
		switch {
		case a.RiskScore == nil && b.RiskScore != nil:
			return 1
		case a.RiskScore != nil && b.RiskScore == nil:
			return -1
		case a.RiskScore != nil && *a.RiskScore != *b.RiskScore:
			return cmp.Compare(*a.RiskScore, *b.RiskScore)
		}
		if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// riskRangeValidator refuses min_risk_score above max_risk_score at plan time.
type riskRangeValidator struct{}

var _ datasource.ConfigValidator = riskRangeValidator{}

func (riskRangeValidator) Description(ctx context.Context) string {
	return "min_risk_score is at most max_risk_score"
}

func (v riskRangeValidator) MarkdownDescription(ctx context.Context) string {
	return "`min_risk_score` is at most `max_risk_score`"
}

func (riskRangeValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var lo, hi types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("min_risk_score"), &lo)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_risk_score"), &hi)...)
	resp.Diagnostics.Append(checkRiskRange(lo, hi)...)
}

func checkRiskRange(lo, hi types.Int64) diag.Diagnostics {
	var diags diag.Diagnostics
	if lo.IsNull() || lo.IsUnknown() || hi.IsNull() || hi.IsUnknown() || lo.ValueInt64() <= hi.ValueInt64() {
		return diags
	}
	diags.AddAttributeError(path.Root("min_risk_score"), "Empty risk score range", fmt.Sprintf(
		"min_risk_score (%d) is above max_risk_score (%d), so no app could match. Risk scores run from 1, the riskiest, "+
			"to 10, the most trustworthy: for high-risk apps set only max_risk_score, for example max_risk_score = 4.",
		lo.ValueInt64(), hi.ValueInt64()))
	return diags
}
