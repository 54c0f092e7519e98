package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure        = (*ipRangeDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*ipRangeDataSource)(nil)
)

// NewIPRangeDataSource is the constructor for mda_ip_range.
func NewIPRangeDataSource() datasource.DataSource { return &ipRangeDataSource{} }

// ipRangeDataSource reads one IP range, custom or built-in, by id or by name.
type ipRangeDataSource struct{ client *mda.Client }

func (d *ipRangeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_range"
}

func (d *ipRangeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := ipRangeDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The range's id (24 hexadecimal characters). Exactly one of `id` and `name` must be set.",
		Optional:            true,
		Computed:            true,
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The range's name. Exactly one of `id` and `name` must be set.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one IP range of the tenant, custom or built-in, by id or by name. It fails when " +
			"no range matches. It reads the run's shared listing of ranges, so it costs no request when `mda_ip_range` " +
			"refreshes or another data source have listed them already.",
		Attributes: attrs,
	}
}

func (d *ipRangeDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *ipRangeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *ipRangeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg ipRangeDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, name := cfg.ID.ValueString(), cfg.Name.ValueString()
	matches := func(s mda.Subnet) bool {
		if id != "" {
			return s.ID == id
		}
		return s.Name == name
	}
	// Custom ranges come from the run's shared listing; built-in ones from the shared
	// listing of built-in ranges, walked only when no custom range matches. A miss costs
	// no further request: a refresh of mda_ip_range confirms a missing range before it
	// drops it from the state, but here the data source only fails, and its error removes
	// nothing from any state.
	custom, err := customIPRanges(ctx, d.client, matches)
	var s *mda.Subnet
	switch {
	case err != nil:
	case len(custom) > 0:
		s = &custom[0]
	default:
		s, err = d.client.FindBuiltInSubnet(ctx, id, name)
	}
	if mda.IsNotFound(err) {
		what := fmt.Sprintf("id %q", id)
		if id == "" {
			what = fmt.Sprintf("name %q", name)
		}
		resp.Diagnostics.AddError("IP range not found",
			fmt.Sprintf("No IP range, custom or built-in, has the %s. List the tenant's ranges with the mda_ip_ranges data source.", what))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "look up IP range", err)
		return
	}
	m, diags := ipRangeDataFromAPI(ctx, *s)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
