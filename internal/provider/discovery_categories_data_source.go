package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*discoveryCategoriesDataSource)(nil)

// NewDiscoveryCategoriesDataSource is the constructor for mda_discovery_categories.
func NewDiscoveryCategoriesDataSource() datasource.DataSource {
	return &discoveryCategoriesDataSource{}
}

// discoveryCategoriesDataSource lists the app categories of one Cloud Discovery report.
type discoveryCategoriesDataSource struct{ client *mda.Client }

type discoveryCategoriesDataSourceModel struct {
	ID            types.String             `tfsdk:"id"`
	StreamID      types.String             `tfsdk:"stream_id"`
	TimeFrameDays types.Int64              `tfsdk:"time_frame_days"`
	Categories    []discoveryCategoryModel `tfsdk:"categories"`
}

type discoveryCategoryModel struct {
	ID    types.String `tfsdk:"id"`
	Total types.Int64  `tfsdk:"total"`
}

func (d *discoveryCategoriesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovery_categories"
}

func (d *discoveryCategoriesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	frames := make([]int64, len(mda.DiscoveryTimeFrames))
	for i, f := range mda.DiscoveryTimeFrames {
		frames[i] = int64(f)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the app categories of one Cloud Discovery report (stream), each with the number of " +
			"discovered apps in it: the category totals of the report's dashboard. One API request per read.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The stream id and time frame, joined by a slash.",
				Computed:            true,
			},
			"stream_id": schema.StringAttribute{
				MarkdownDescription: "The report's id, such as `data.mda_discovery_streams.this.streams[0].id`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"time_frame_days": schema.Int64Attribute{
				MarkdownDescription: "The report period in days: `7`, `30` or `90`, the periods of the Cloud Discovery " +
					"dashboard. Unset leaves it to MDA's default.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.OneOf(frames...)},
			},
			"categories": schema.ListNestedAttribute{
				MarkdownDescription: "The categories with discovered apps, in the order MDA returned them (most apps first). " +
					"Empty for a report without apps.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": computedString("MDA's category id, such as `SAASDB_CATEGORY_CLOUD_STORAGE` (the ids are listed in " +
						"Microsoft's documentation of the call, misspellings included)."),
					"total": schema.Int64Attribute{
						MarkdownDescription: "How many discovered apps of the report fall in the category.",
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *discoveryCategoriesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *discoveryCategoriesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg discoveryCategoriesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	q := mda.CategoryQuery{StreamID: cfg.StreamID.ValueString(), TimeFrameDays: int(cfg.TimeFrameDays.ValueInt64())}
	cats, err := d.client.ListDiscoveryCategories(ctx, q)
	if err != nil {
		addAPIError(&resp.Diagnostics, "list Cloud Discovery categories", err)
		return
	}
	cfg.Categories = make([]discoveryCategoryModel, 0, len(cats))
	for _, c := range cats {
		cfg.Categories = append(cfg.Categories, discoveryCategoryModel{ID: types.StringValue(c.ID), Total: types.Int64Value(c.Total)})
	}
	frame := "default"
	if q.TimeFrameDays != 0 {
		frame = fmt.Sprintf("%dd", q.TimeFrameDays)
	}
	cfg.ID = types.StringValue(q.StreamID + "/" + frame)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
