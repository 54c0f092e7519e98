package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure = (*alertDataSource)(nil)
)

// NewAlertDataSource is the constructor for mda_alert.
func NewAlertDataSource() datasource.DataSource { return &alertDataSource{} }

// alertDataSourceModel is mda_alert: one alert, with id as written and alert_id as MDA
// knows it.
type alertDataSourceModel struct {
	alertDataModel
	AlertID types.String `tfsdk:"alert_id"`
}

// alertDataSource reads one alert by id.
type alertDataSource struct{ client *mda.Client }

func (d *alertDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert"
}

func (d *alertDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := alertDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The alert's id: 24 hexadecimal characters, as in the alert's portal URL, or with the `ca` " +
			"prefix Defender XDR and Microsoft Graph show (`ca603f704aaf7417985bbf3b22`), which is stripped before " +
			"asking MDA. Kept as written.",
		Required:   true,
		Validators: []validator.String{alertIDValidator()},
	}
	attrs["alert_id"] = schema.StringAttribute{
		MarkdownDescription: "The alert's id as MDA knows it: `id` without the `ca` prefix, in lower case. It is what " +
			"`mda_alert_state`'s `alert_id` and the `mda_alerts` filters take.",
		Computed: true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one alert of the tenant by id. It fails when MDA has no such alert. Lookups made at the same time, by several `mda_alert` data sources or `mda_alert_state` refreshes, share API requests of up to 100 alerts each.",
		Attributes:          attrs,
	}
}

func (d *alertDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *alertDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg alertDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	written := cfg.ID
	id := normalizeAlertID(written.ValueString())
	// A lookup, not a fetch: several mda_alert data sources (and alert state refreshes) in
	// one run share list requests of up to 100 alerts.
	a, err := d.client.LookupAlert(ctx, id)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Alert not found", fmt.Sprintf(
			"MDA has no alert with the id %q. Copy the id from the alert's portal URL or from the mda_alerts data source; "+
				"alerts that MDA has purged cannot be read.", id))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "look up alert "+id, err)
		return
	}
	m := alertDataSourceModel{alertDataModel: alertDataFromAPI(*a), AlertID: types.StringValue(id)}
	m.ID = written // the configured value, "ca" prefix and all: Terraform requires it unchanged
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
