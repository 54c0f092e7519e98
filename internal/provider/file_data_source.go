package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var _ datasource.DataSourceWithConfigure = (*fileDataSource)(nil)

// NewFileDataSource is the constructor for mda_file.
func NewFileDataSource() datasource.DataSource { return &fileDataSource{} }

// fileDataSource reads one file by MDA's id.
type fileDataSource struct{ client *mda.Client }

func (d *fileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_file"
}

func (d *fileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := fileDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "MDA's id of the file: 24 hexadecimal characters, as `mda_files` shows it in `files[*].id`. " +
			"This is not the file's id in its app (`app_file_id`).",
		Required:   true,
		Validators: []validator.String{fileIDValidator()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one file or folder MDA found in a connected app, by MDA's id. **It needs the legacy " +
			"API token (`api_token`)**: MDA's Files API refuses Microsoft Entra tokens, so with any Entra credential the " +
			"data source fails at plan time without sending a request. It fails when MDA has no such file.",
		Attributes: attrs,
	}
}

func (d *fileDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (d *fileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.client.UsesLegacyToken() {
		addFilesNeedLegacyToken(&resp.Diagnostics, "mda_file")
		return
	}
	ctx, cancel := withDataSourceTimeout(ctx)
	defer cancel()
	var cfg fileDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	written := cfg.ID
	id := strings.ToLower(written.ValueString())
	f, err := d.client.GetFile(ctx, id)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "File not found", fmt.Sprintf(
			"MDA has no file with the id %q. Copy the id from mda_files (files[*].id), not from the app: the app's own "+
				"id is app_file_id. A file MDA no longer tracks cannot be read.", id))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "fetch file "+id, err)
		return
	}
	m := fileDataFromAPI(*f)
	m.ID = written // as configured: Terraform requires it unchanged
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
