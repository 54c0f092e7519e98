package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure = (*ipRangesDataSource)(nil)
)

// NewIPRangesDataSource is the constructor for mda_ip_ranges.
func NewIPRangesDataSource() datasource.DataSource { return &ipRangesDataSource{} }

// ipRangesDataSource lists IP ranges, custom and built-in.
type ipRangesDataSource struct{ client *mda.Client }

type ipRangesDataSourceModel struct {
	ID       types.String       `tfsdk:"id"`
	Category types.String       `tfsdk:"category"`
	Tags     types.Set          `tfsdk:"tags"`
	BuiltIn  types.Bool         `tfsdk:"built_in"`
	IPRanges []ipRangeDataModel `tfsdk:"ip_ranges"`
	Names    types.Set          `tfsdk:"names"`
	IDs      types.Set          `tfsdk:"ids"`
}

func (d *ipRangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_ranges"
}

func (d *ipRangesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's IP ranges (Settings → Cloud Apps → IP address ranges), custom and " +
			"built-in, optionally filtered. Ranges are sorted by name. It reads the run's shared listing of ranges, so " +
			"it costs no request when `mda_ip_range` refreshes or another data source have listed them already.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
				Computed:            true,
			},
			"category": schema.StringAttribute{
				MarkdownDescription: "Only ranges of this category: one of `corporate`, `administrative`, `risky`, `vpn`, " +
					"`cloud_provider`, `other`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(categoryWords...)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Only ranges carrying at least one of these tags, each given by name or by tag id " +
					"(such as `000000290000000000000000` for Amazon Web Services).",
				Optional:    true,
				ElementType: types.StringType,
			},
			"built_in": schema.BoolAttribute{
				MarkdownDescription: "`true` for only the ranges Microsoft provides, `false` for only the tenant's own. " +
					"Unset lists both.",
				Optional: true,
			},
			"ip_ranges": schema.ListNestedAttribute{
				MarkdownDescription: "The matching ranges. Each reads as `mda_ip_range` reads an imported range (tags and " +
					"organization are null when the range has none), so `for_each` over this list can feed `mda_ip_range` " +
					"resources to adopt the ranges with no change planned after their import.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: ipRangeDataAttributes()},
			},
			"names": schema.SetAttribute{
				MarkdownDescription: "The names of the matching ranges, for one-line checks with set functions: " +
					"`setsubtract(data.mda_ip_ranges.corp.names, [for r in mda_ip_range.all : r.name])` is the set of " +
					"matching ranges that no `mda_ip_range` of the configuration manages.",
				Computed:    true,
				ElementType: types.StringType,
			},
			"ids": schema.SetAttribute{
				MarkdownDescription: "The ids of the matching ranges, for the same checks by id: " +
					"`setsubtract(data.mda_ip_ranges.corp.ids, [for r in mda_ip_range.all : r.id])`.",
				Computed:    true,
				ElementType: types.StringType,
			},
		},
	}
}

func (d *ipRangesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *ipRangesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg ipRangesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var wantTags []string
	if !cfg.Tags.IsNull() {
		resp.Diagnostics.Append(cfg.Tags.ElementsAs(ctx, &wantTags, false)...)
	}
	inCategory := func(mda.Subnet) bool { return true }
	if !cfg.Category.IsNull() {
		code := categoryCodes[cfg.Category.ValueString()]
		inCategory = func(s mda.Subnet) bool { return s.Category == code }
	}

	// The filters are applied here rather than by MDA, so that every data source and every
	// refresh of the run share one listing of each kind. MDA's tags filter would take ids
	// only anyway, and users know tags by name. The API cannot say whether a range is built
	// in, only filter by it, so custom and built-in ranges are two listings.
	var ranges []mda.Subnet
	if cfg.BuiltIn.IsNull() || !cfg.BuiltIn.ValueBool() {
		custom, err := customIPRanges(ctx, d.client, inCategory)
		if err != nil {
			addAPIError(&resp.Diagnostics, "list IP ranges", err)
			return
		}
		ranges = append(ranges, custom...)
	}
	if cfg.BuiltIn.IsNull() || cfg.BuiltIn.ValueBool() {
		builtIn, err := d.client.BuiltInSubnets(ctx)
		if err != nil {
			addAPIError(&resp.Diagnostics, "list built-in IP ranges", err)
			return
		}
		ranges = append(ranges, slices.DeleteFunc(builtIn, func(s mda.Subnet) bool { return !inCategory(s) })...)
	}

	cfg.IPRanges = make([]ipRangeDataModel, 0, len(ranges))
	names := make([]string, 0, len(ranges))
	ids := make([]string, 0, len(ranges))
	for _, s := range ranges {
		if len(wantTags) > 0 && !subnetHasAnyTag(s, wantTags) {
			continue
		}
		m, diags := ipRangeDataFromAPI(ctx, s)
		resp.Diagnostics.Append(diags...)
		cfg.IPRanges = append(cfg.IPRanges, m)
		names = append(names, s.Name)
		ids = append(ids, s.ID)
	}
	slices.SortStableFunc(cfg.IPRanges, func(a, b ipRangeDataModel) int {
		return strings.Compare(a.Name.ValueString(), b.Name.ValueString())
	})
	var diags diag.Diagnostics
	cfg.Names, diags = types.SetValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	cfg.IDs, diags = types.SetValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	cfg.ID = types.StringValue("ip_ranges")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// subnetHasAnyTag matches tags by name or by id, locally: the API's tags filter takes ids
// only, and users know tags by name.
func subnetHasAnyTag(s mda.Subnet, want []string) bool {
	for _, t := range s.Tags {
		if slices.Contains(want, t.Name) || slices.Contains(want, t.ID) {
			return true
		}
	}
	return false
}
