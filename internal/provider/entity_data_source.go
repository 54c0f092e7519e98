package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*entityDataSource)(nil)

// NewEntityDataSource is the constructor for mda_entity.
func NewEntityDataSource() datasource.DataSource { return &entityDataSource{} }

// entityDataSource reads one user or account by its id, app and app instance.
type entityDataSource struct{ client *mda.Client }

type entityDataSourceModel struct {
	entityDataModel
	AppID          types.Int64       `tfsdk:"app_id"`
	Instance       types.Int64       `tfsdk:"instance"`
	IncludeRelated types.Bool        `tfsdk:"include_related"`
	Related        []entityDataModel `tfsdk:"related"`
}

func (d *entityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_entity"
}

func (d *entityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := entityDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The entity's id in its app, exactly as MDA holds it: an Entra object id for a user of Office " +
			"365, a UPN or the app's own user id for an account (an entity's `id` in `mda_entities`).",
		Required:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["app_id"] = schema.Int64Attribute{
		MarkdownDescription: "The MDA id of the entity's app, such as `11161` for Office 365 (an entity's `app.id`).",
		Required:            true,
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
	}
	attrs["instance"] = schema.Int64Attribute{
		MarkdownDescription: "The app instance (an entity's `app.instance`). Defaults to `0`, the only instance unless the " +
			"tenant connects the app more than once.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.Int64{int64validator.AtLeast(0)},
	}
	attrs["include_related"] = schema.BoolAttribute{
		MarkdownDescription: "Also read the entity's relatives into `related`, at the cost of one more API request: a " +
			"user's accounts, or an account's user and that user's other accounts.",
		Optional: true,
	}
	attrs["related"] = schema.ListNestedAttribute{
		MarkdownDescription: "With `include_related`, the related entities in MDA's order (for an account, its user " +
			"first); the entity itself is not repeated. Null without `include_related`.",
		Computed:     true,
		NestedObject: schema.NestedAttributeObject{Attributes: entityDataAttributes()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one user or account of the tenant (an MDA entity) by its id, app and app instance. " +
			"It fails when MDA has no such entity. One API request, two with `include_related`.",
		Attributes: attrs,
	}
}

func (d *entityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *entityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg entityDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, app := cfg.ID.ValueString(), int(cfg.AppID.ValueInt64())
	instance := 0
	if !cfg.Instance.IsNull() && !cfg.Instance.IsUnknown() {
		instance = int(cfg.Instance.ValueInt64())
	}
	e, err := d.client.GetEntity(ctx, id, app, instance)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Entity not found", fmt.Sprintf(
			"MDA has no user or account with the id %q in app %d, instance %d. The id must match MDA's exactly, "+
				"and the app and instance must be the entity's own: copy id, app.id and app.instance from an entity "+
				"listed by the mda_entities data source.", id, app, instance))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, fmt.Sprintf("read entity %q of app %d", id, app), err)
		return
	}
	m := entityDataSourceModel{
		entityDataModel: entityDataFromAPI(*e),
		AppID:           cfg.AppID,
		Instance:        types.Int64Value(int64(instance)),
		IncludeRelated:  cfg.IncludeRelated,
	}
	// The configured values, as Terraform requires, whatever spelling MDA echoes.
	m.ID = cfg.ID
	if cfg.IncludeRelated.ValueBool() {
		related, err := d.client.RelatedEntities(ctx, id, app, instance)
		if err != nil {
			addAPIError(&resp.Diagnostics, fmt.Sprintf("read the entities related to %q of app %d", id, app), err)
			return
		}
		m.Related = make([]entityDataModel, 0, len(related))
		for _, r := range related {
			m.Related = append(m.Related, entityDataFromAPI(r))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
