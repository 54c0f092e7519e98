package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
}

func (d *ipRangesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_ranges"
}

func (d *ipRangesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's IP ranges (Settings → Cloud Apps → IP address ranges), custom and " +
			"built-in, optionally filtered. Ranges are sorted by name.",
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
				MarkdownDescription: "The matching ranges.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: ipRangeDataAttributes()},
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

	// The API cannot say whether a range is built in, only filter by it, so "both" is two
	// listings, each marking what it returns.
	kinds := []bool{false, true}
	if !cfg.BuiltIn.IsNull() {
		kinds = []bool{cfg.BuiltIn.ValueBool()}
	}
	var ranges []mda.Subnet
	for _, builtIn := range kinds {
		q := mda.SubnetQuery{BuiltIn: &builtIn, SortField: "name", SortDirection: "asc"}
		if !cfg.Category.IsNull() {
			q.Categories = []int{categoryCodes[cfg.Category.ValueString()]}
		}
		res, err := d.client.ListSubnets(ctx, q)
		if err != nil {
			addAPIError(&resp.Diagnostics, "list IP ranges", err)
			return
		}
		ranges = append(ranges, res.Items...)
	}

	cfg.IPRanges = make([]ipRangeDataModel, 0, len(ranges))
	for _, s := range ranges {
		if len(wantTags) > 0 && !subnetHasAnyTag(s, wantTags) {
			continue
		}
		m, diags := ipRangeDataFromAPI(ctx, s)
		resp.Diagnostics.Append(diags...)
		cfg.IPRanges = append(cfg.IPRanges, m)
	}
	slices.SortStableFunc(cfg.IPRanges, func(a, b ipRangeDataModel) int {
		return strings.Compare(a.Name.ValueString(), b.Name.ValueString())
	})
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
