package provider

import (
	"context"
	"maps"
	"slices"

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
	_ datasource.DataSourceWithConfigure        = (*filesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*filesDataSource)(nil)
)

// fileFilterFields are the API fields mda_files' typed attributes set (mda-api.md §6).
var fileFilterFields = []filterField{
	{Attribute: "app_id", Field: "service"},
	{Attribute: "instance", Field: "instance"},
	{Attribute: "file_type", Field: "fileType"},
	{Attribute: "sharing", Field: "sharing"},
	{Attribute: "filename", Field: "filename"},
	{Attribute: "extension", Field: "extension"},
	{Attribute: "mime_type", Field: "mimeType"},
	{Attribute: "owner", Field: "owner.username"},
	{Attribute: "collaborator_domains", Field: "collaborators.domains"},
	{Attribute: "modified_since", Field: "modifiedDate"},
	{Attribute: "modified_until", Field: "modifiedDate"},
	{Attribute: "created_since", Field: "createdDate"},
	{Attribute: "trashed", Field: "trashed"},
	{Attribute: "quarantined", Field: "quarantined"},
	{Attribute: "folders", Field: "folder"},
	{Attribute: "include_deleted", Field: "allowDeleted"},
	{Attribute: "policy_id", Field: "policy"},
}

// NewFilesDataSource is the constructor for mda_files.
func NewFilesDataSource() datasource.DataSource { return &filesDataSource{} }

// filesDataSource lists files matching typed filters and raw API filters.
type filesDataSource struct{ client *mda.Client }

type filesDataSourceModel struct {
	ID                  types.String `tfsdk:"id"`
	AppID               types.Set    `tfsdk:"app_id"`
	Instance            types.Int64  `tfsdk:"instance"`
	FileType            types.Set    `tfsdk:"file_type"`
	Sharing             types.Set    `tfsdk:"sharing"`
	Filename            types.String `tfsdk:"filename"`
	Extension           types.Set    `tfsdk:"extension"`
	MimeType            types.Set    `tfsdk:"mime_type"`
	Owner               types.Set    `tfsdk:"owner"`
	CollaboratorDomains types.Set    `tfsdk:"collaborator_domains"`
	ModifiedSince       types.String `tfsdk:"modified_since"`
	ModifiedUntil       types.String `tfsdk:"modified_until"`
	CreatedSince        types.String `tfsdk:"created_since"`
	Trashed             types.Bool   `tfsdk:"trashed"`
	Quarantined         types.Bool   `tfsdk:"quarantined"`
	Folders             types.Bool   `tfsdk:"folders"`
	IncludeDeleted      types.Bool   `tfsdk:"include_deleted"`
	PolicyID            types.String `tfsdk:"policy_id"`
	listFilterModel
	Files []fileDataModel `tfsdk:"files"`
}

func (d *filesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_files"
}

func (d *filesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	nonEmptyStrings := []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "A fixed identifier for this listing, required by Terraform.",
			Computed:            true,
		},
		"app_id": schema.SetAttribute{
			MarkdownDescription: "Only files in one of these apps, by MDA app id (such as `15600` for Microsoft OneDrive " +
				"for Business, `20892` for Microsoft SharePoint Online or `11770` for Google Workspace).",
			Optional:    true,
			ElementType: types.Int64Type,
			Validators:  []validator.Set{setvalidator.SizeAtLeast(1)},
		},
		"instance": schema.Int64Attribute{
			MarkdownDescription: "Only files in this app instance, for apps connected more than once (`0` is the first).",
			Optional:            true,
		},
		"file_type": schema.SetAttribute{
			MarkdownDescription: "Only files of these types: `other`, `document`, `spreadsheet`, `presentation`, `text`, `image`, `folder`.",
			Optional:            true,
			ElementType:         types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(fileTypeWords...)),
			},
		},
		"sharing": schema.SetAttribute{
			MarkdownDescription: "Only files shared this way: `private`, `internal`, `external`, `public`, `public_internet` " +
				"(public on the Internet, found by search engines).",
			Optional:    true,
			ElementType: types.StringType,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.OneOf(sharingWords...)),
			},
		},
		"filename": schema.StringAttribute{
			MarkdownDescription: "Only files with exactly this name, extension included.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"extension": schema.SetAttribute{
			MarkdownDescription: "Only files with one of these extensions, without the dot (`docx`, `pdf`).",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"mime_type": schema.SetAttribute{
			MarkdownDescription: "Only files of one of these MIME types (`text/plain`, `application/pdf`).",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"owner": schema.SetAttribute{
			MarkdownDescription: "Only files owned by one of these users, by user name (`alice@contoso.com`).",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"collaborator_domains": schema.SetAttribute{
			MarkdownDescription: "Only files that users of one of these domains can access (`gmail.com`).",
			Optional:            true,
			ElementType:         types.StringType,
			Validators:          nonEmptyStrings,
		},
		"modified_since": schema.StringAttribute{
			MarkdownDescription: "Only files modified at or after this time, an RFC 3339 timestamp such as " +
				"`2025-01-31T08:00:00Z` (or `timeadd(plantimestamp(), \"-720h\")` for the last 30 days).",
			Optional:   true,
			Validators: []validator.String{rfc3339Validator{}},
		},
		"modified_until": schema.StringAttribute{
			MarkdownDescription: "Only files last modified at or before this time, an RFC 3339 timestamp.",
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		},
		"created_since": schema.StringAttribute{
			MarkdownDescription: "Only files created at or after this time, an RFC 3339 timestamp.",
			Optional:            true,
			Validators:          []validator.String{rfc3339Validator{}},
		},
		"trashed": schema.BoolAttribute{
			MarkdownDescription: "`true` for only files in the app's trash, `false` for only files outside it. Unset lists both.",
			Optional:            true,
		},
		"quarantined": schema.BoolAttribute{
			MarkdownDescription: "`true` for only quarantined files, `false` for only files not quarantined. Unset lists both.",
			Optional:            true,
		},
		"folders": schema.BoolAttribute{
			MarkdownDescription: "`true` for only folders, `false` for only files. Unset lists both, as MDA does.",
			Optional:            true,
		},
		"include_deleted": schema.BoolAttribute{
			MarkdownDescription: "`true` to include files deleted from their app, which MDA leaves out otherwise (the API's `allowDeleted`).",
			Optional:            true,
		},
		"policy_id": schema.StringAttribute{
			MarkdownDescription: "Only files that match this file policy, given by the policy's id.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"files": schema.ListNestedAttribute{
			MarkdownDescription: "The matching files and folders, in the order MDA returned them (most recently modified first).",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: fileDataAttributes()},
		},
	}
	maps.Copy(attrs, listFilterAttributes("files", fileFilterFields))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the files and folders MDA found in the tenant's connected apps that match every filter " +
			"given. **It needs the legacy API token (`api_token`)**: MDA's Files API refuses Microsoft Entra tokens, so " +
			"with any Entra credential the data source fails at plan time without sending a request. Typed attributes " +
			"cover the common filters; `filters` takes any other in the API's own syntax. At most `max_results` files " +
			"are returned (100 by default), one API request per 100.",
		Attributes: attrs,
	}
}

func (d *filesDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{filtersConflictValidator{fields: fileFilterFields}}
}

func (d *filesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *filesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.client.UsesLegacyToken() {
		addFilesNeedLegacyToken(&resp.Diagnostics, "mda_files")
		return
	}
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg filesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typed, diags := fileTypedFilters(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	filters, maxResults, diags := cfg.query(typed, fileFilterFields)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, err := d.client.ListFiles(ctx, mda.Query{Filters: filters, Max: maxResults})
	if err != nil {
		addAPIError(&resp.Diagnostics, "list files", err)
		return
	}
	cfg.Files = make([]fileDataModel, 0, len(res.Items))
	for _, f := range res.Items {
		cfg.Files = append(cfg.Files, fileDataFromAPI(f))
	}
	cfg.setResult(res.Total, res.Truncated)
	cfg.ID = types.StringValue("files")
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// fileTypedFilters turns mda_files' typed attributes into API filters: words into codes,
// RFC 3339 into milliseconds.
func fileTypedFilters(ctx context.Context, cfg filesDataSourceModel) (mda.Filters, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := mda.Filters{}
	if !cfg.AppID.IsNull() {
		var ids []int64
		diags.Append(cfg.AppID.ElementsAs(ctx, &ids, false)...)
		slices.Sort(ids)
		f = f.With("service", mda.OpEq, ids)
	}
	if !cfg.Instance.IsNull() {
		f = f.With("instance", mda.OpEq, []int64{cfg.Instance.ValueInt64()})
	}
	for _, w := range []struct {
		set   types.Set
		codes map[string]int
		field string
	}{{cfg.FileType, fileTypeCodes, "fileType"}, {cfg.Sharing, sharingCodes, "sharing"}} {
		codes, d := wordCodes(ctx, w.set, w.codes)
		diags.Append(d...)
		if len(codes) > 0 {
			f = f.With(w.field, mda.OpEq, codes)
		}
	}
	if !cfg.Filename.IsNull() {
		f = f.With("filename", mda.OpEq, []string{cfg.Filename.ValueString()})
	}
	for _, s := range []struct {
		set   types.Set
		field string
	}{
		{cfg.Extension, "extension"}, {cfg.MimeType, "mimeType"}, {cfg.Owner, "owner.username"},
		{cfg.CollaboratorDomains, "collaborators.domains"},
	} {
		if s.set.IsNull() || s.set.IsUnknown() {
			continue
		}
		var vals []string
		diags.Append(s.set.ElementsAs(ctx, &vals, false)...)
		slices.Sort(vals)
		f = f.With(s.field, mda.OpEq, vals)
	}
	for _, t := range []struct {
		v     types.String
		attr  string
		field string
		op    string
	}{
		{cfg.ModifiedSince, "modified_since", "modifiedDate", mda.OpGte},
		{cfg.ModifiedUntil, "modified_until", "modifiedDate", mda.OpLte},
		{cfg.CreatedSince, "created_since", "createdDate", mda.OpGte},
	} {
		if t.v.IsNull() {
			continue
		}
		ms, err := rfc3339Millis(t.v)
		if err != nil {
			diags.AddAttributeError(path.Root(t.attr), "Invalid timestamp", err.Error())
			continue
		}
		f = f.With(t.field, t.op, ms)
	}
	for _, b := range []struct {
		v     types.Bool
		field string
	}{{cfg.Trashed, "trashed"}, {cfg.Quarantined, "quarantined"}, {cfg.Folders, "folder"}, {cfg.IncludeDeleted, "allowDeleted"}} {
		if !b.v.IsNull() {
			f = f.With(b.field, mda.OpEq, b.v.ValueBool())
		}
	}
	if !cfg.PolicyID.IsNull() {
		// Files match policies with their own operator (mda-api.md §1.5).
		f = f.With("policy", "cabinetmatchedrulesequals", []string{cfg.PolicyID.ValueString()})
	}
	return f, diags
}
