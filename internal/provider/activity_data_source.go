package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*activityDataSource)(nil)

// activityIDPattern accepts both shapes of activity id (mda-api.md §4), and anything else
// that could be one, but nothing that would change the request's path.
var activityIDPattern = regexp.MustCompile(`^[^/?#\s]+$`)

// NewActivityDataSource is the constructor for mda_activity.
func NewActivityDataSource() datasource.DataSource { return &activityDataSource{} }

// activityDataSource reads one activity by id.
type activityDataSource struct{ client *mda.Client }

func (d *activityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activity"
}

func (d *activityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := activityDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The activity's id in MDA (its `_id`), such as `97134000_15600_97ee2049-893e-4c9d-a312-08d82b46faf7`, " +
			"as `mda_activities` shows it or the SIEM agent exports it.",
		Required: true,
		Validators: []validator.String{
			stringvalidator.RegexMatches(activityIDPattern, "must be an activity id: no spaces, slashes, ? or #"),
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one activity of the tenant's activity log by id, with one API request. It fails when MDA has no such activity.",
		Attributes:          attrs,
	}
}

func (d *activityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *activityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg activityDataModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &cfg.ID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := cfg.ID.ValueString()
	a, err := d.client.GetActivity(ctx, id)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Activity not found", fmt.Sprintf(
			"MDA has no activity with the id %q. Copy the id from mda_activities (an activity's id) or from the "+
				"activity's details in the portal; activities older than MDA's retention period cannot be read.", id))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read activity "+id, err)
		return
	}
	m := activityDataFromAPI(*a)
	m.ID = cfg.ID // as configured: Terraform requires it unchanged
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
