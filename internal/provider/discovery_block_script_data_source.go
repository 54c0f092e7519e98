package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*discoveryBlockScriptDataSource)(nil)

// blockScriptTypeDefault is the only script type documented: the unsanctioned apps.
const blockScriptTypeDefault = "banned"

var blockScriptApplianceWords = wordsByCode(mda.BlockScriptFormats)

// NewDiscoveryBlockScriptDataSource is the constructor for mda_discovery_block_script.
func NewDiscoveryBlockScriptDataSource() datasource.DataSource {
	return &discoveryBlockScriptDataSource{}
}

// discoveryBlockScriptDataSource reads the block script MDA writes for a network appliance.
type discoveryBlockScriptDataSource struct{ client *mda.Client }

type discoveryBlockScriptDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	Appliance     types.String `tfsdk:"appliance"`
	Type          types.String `tfsdk:"type"`
	Format        types.Int64  `tfsdk:"format"`
	Content       types.String `tfsdk:"content"`
	ContentSHA256 types.String `tfsdk:"content_sha256"`
}

func (d *discoveryBlockScriptDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovery_block_script"
}

func (d *discoveryBlockScriptDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the block script Cloud Discovery writes for a network appliance: the domains of the " +
			"apps marked unsanctioned, in the appliance's syntax, as plain text. One API request per read.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The appliance and type, joined by a slash.",
				Computed:            true,
			},
			"appliance": schema.StringAttribute{
				MarkdownDescription: "The appliance to write the script for: `bluecoat` (Blue Coat ProxySG), `cisco_asa`, " +
					"`fortigate` (Fortinet FortiGate), `palo_alto`, `zscaler`, `juniper_srx` or `websense`. Another word is " +
					"refused at plan time, before any request.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(blockScriptApplianceWords...)},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Which apps to block: `banned` (the unsanctioned apps, the default), the only type the " +
					"API documents.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(mda.BlockScriptTypes...)},
			},
			"format": schema.Int64Attribute{
				MarkdownDescription: "The API's format code for `appliance` (102 for `bluecoat` ... 135 for `websense`).",
				Computed:            true,
			},
			"content": computedString("The script exactly as MDA returned it: plain text, byte for byte, for a file or a " +
				"firewall's configuration pipeline."),
			"content_sha256": computedString("The SHA-256 of `content`, in lower-case hexadecimal: a short value to compare " +
				"or to trigger a deployment when the script changes."),
		},
	}
}

func (d *discoveryBlockScriptDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *discoveryBlockScriptDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg discoveryBlockScriptDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Type.IsNull() || cfg.Type.IsUnknown() {
		cfg.Type = types.StringValue(blockScriptTypeDefault)
	}
	format := mda.BlockScriptFormats[cfg.Appliance.ValueString()]
	content, err := d.client.GetBlockScript(ctx, format, cfg.Type.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, "generate the Cloud Discovery block script", err)
		return
	}
	sum := sha256.Sum256([]byte(content))
	cfg.Format = types.Int64Value(int64(format))
	cfg.Content = types.StringValue(content)
	cfg.ContentSHA256 = types.StringValue(hex.EncodeToString(sum[:]))
	cfg.ID = types.StringValue(cfg.Appliance.ValueString() + "/" + cfg.Type.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
