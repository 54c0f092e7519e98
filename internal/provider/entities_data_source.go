package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ datasource.DataSourceWithConfigure        = (*entitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*entitiesDataSource)(nil)
)

// entityFilterFields are the API fields mda_entities' typed attributes set (mda-api.md §5).
var entityFilterFields = []filterField{
	{Attribute: "type", Field: "type"},
	{Attribute: "is_admin", Field: "isAdmin"},
	{Attribute: "is_external", Field: "isExternal"},
	{Attribute: "domain", Field: "domain"},
	{Attribute: "organization", Field: "organization"},
	{Attribute: "status", Field: "status"},
	{Attribute: "app_id", Field: "app"},
	{Attribute: "instance", Field: "instance"},
	{Attribute: "user_groups", Field: "userGroups"},
}

// NewEntitiesDataSource is the constructor for mda_entities.
func NewEntitiesDataSource() datasource.DataSource { return &entitiesDataSource{} }

// entitiesDataSource lists users and accounts matching typed filters and raw API filters.
type entitiesDataSource struct{ client *mda.Client }

type entitiesDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	Type          types.String `tfsdk:"type"`
	IsAdmin       types.Bool   `tfsdk:"is_admin"`
	IsExternal    types.Bool   `tfsdk:"is_external"`
	Domain        types.Set    `tfsdk:"domain"`
	Organization  types.Set    `tfsdk:"organization"`
	Status        types.Set    `tfsdk:"status"`
	AppID         types.Set    `tfsdk:"app_id"`
	Instance      types.Int64  `tfsdk:"instance"`
	UserGroups    types.Set    `tfsdk:"user_groups"`
	SortField     types.String `tfsdk:"sort_field"`
	SortDirection types.String `tfsdk:"sort_direction"`
	listFilterModel
	Entities []entityDataModel `tfsdk:"entities"`
}

func (d *entitiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_entities"
}

func (d *entitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	nonEmptyStrings := []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
			Computed:            true,
		},
		"type": schema.StringAttribute{
			MarkdownDescription: "Only `user` entities (people, each with their accounts) or only `account` entities (identities in one app).",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.OneOf(entityTypeWords...)},
		},
		"is_admin": schema.BoolAttribute{
			MarkdownDescription: "`true` for only administrators, `false` for only the others. Unset lists both.",
			Optional:            true,
		},
		"is_external": schema.BoolAttribute{
			MarkdownDescription: "`true` for only external entities, `false` for only internal ones. Unset lists both.",
			Optional:            true,
		},
		"domain": schema.SetAttribute{
			MarkdownDescription: "Only entities in one of these domains, such as `contoso.com`.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"organization": schema.SetAttribute{
			MarkdownDescription: "Only entities of one of these organizations, as MDA names them.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"status": schema.SetAttribute{
			MarkdownDescription: "Only entities with one of these statuses: `not_applicable`, `staged`, `active`, `suspended`, `deleted`.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(entityStatusWords...)),
			},
		},
		"app_id": schema.SetAttribute{
			MarkdownDescription: "Only entities of one of these apps, by MDA app id (such as `11161` for Office 365 or `11770` for Google Workspace).",
			Optional:            true,
			ElementType:         types.Int64Type,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueInt64sAre(int64validator.AtLeast(1)),
			},
		},
		"instance": schema.Int64Attribute{
			MarkdownDescription: "Only entities of this app instance (`0` unless the tenant connects an app more than once); usually set with `app_id`.",
			Optional:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
		},
		"user_groups": schema.SetAttribute{
			MarkdownDescription: "Only entities in one of these MDA user groups, by group id (an entity's `user_groups[*].id`).",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"entities": schema.ListNestedAttribute{
			MarkdownDescription: "The matching users and accounts, in the order MDA returned them.",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: entityDataAttributes()},
		},
	}
	maps.Copy(attrs, sortAttributes("entities", []string{"lastSeen", "username"}))
	maps.Copy(attrs, listFilterAttributes("entities", entityFilterFields))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's users and accounts (MDA's entities) that match every filter given. Typed " +
			"attributes cover the documented filters; `filters` takes any other in the API's own syntax, such as `entity` " +
			"to select one user and its accounts. At most `max_results` entities are returned (100 by default), one API " +
			"request per 100.",
		Attributes: attrs,
	}
}

func (d *entitiesDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{filtersConflictValidator{fields: entityFilterFields}}
}

func (d *entitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *entitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg entitiesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typed, diags := entityTypedFilters(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	filters, maxResults, diags := cfg.query(typed, entityFilterFields)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, err := d.client.ListEntities(ctx, mda.Query{
		Filters:       filters,
		SortField:     cfg.SortField.ValueString(),
		SortDirection: cfg.SortDirection.ValueString(),
		Max:           maxResults,
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "list entities", err)
		return
	}
	cfg.Entities = make([]entityDataModel, 0, len(res.Items))
	for _, e := range res.Items {
		cfg.Entities = append(cfg.Entities, entityDataFromAPI(e))
	}
	cfg.setResult(res.Total, res.Truncated)
	cfg.ID = types.StringValue("entities")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// entityTypedFilters turns mda_entities' typed attributes into API filters: words into
// codes, sets into sorted eq lists so the request body is stable.
func entityTypedFilters(ctx context.Context, cfg entitiesDataSourceModel) (mda.Filters, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := mda.Filters{}
	if !cfg.Type.IsNull() && !cfg.Type.IsUnknown() {
		// The docs call this filter a string; MCASPS sends the type's name ([3P]).
		f = f.With("type", mda.OpEq, []string{cfg.Type.ValueString()})
	}
	for _, b := range []struct {
		v     types.Bool
		field string
	}{{cfg.IsAdmin, "isAdmin"}, {cfg.IsExternal, "isExternal"}} {
		if !b.v.IsNull() && !b.v.IsUnknown() {
			f = f.With(b.field, mda.OpEq, b.v.ValueBool())
		}
	}
	for _, s := range []struct {
		set   types.Set
		field string
	}{{cfg.Domain, "domain"}, {cfg.Organization, "organization"}, {cfg.UserGroups, "userGroups"}} {
		if s.set.IsNull() || s.set.IsUnknown() {
			continue
		}
		var vals []string
		diags.Append(s.set.ElementsAs(ctx, &vals, false)...)
		slices.Sort(vals)
		f = f.With(s.field, mda.OpEq, vals)
	}
	codes, d := wordCodes(ctx, cfg.Status, entityStatusCodes)
	diags.Append(d...)
	if len(codes) > 0 {
		f = f.With("status", mda.OpEq, codes)
	}
	if !cfg.AppID.IsNull() && !cfg.AppID.IsUnknown() {
		var ids []int64
		diags.Append(cfg.AppID.ElementsAs(ctx, &ids, false)...)
		slices.Sort(ids)
		f = f.With("app", mda.OpEq, ids)
	}
	if !cfg.Instance.IsNull() && !cfg.Instance.IsUnknown() {
		f = f.With("instance", mda.OpEq, []int64{cfg.Instance.ValueInt64()})
	}
	return f, diags
}
