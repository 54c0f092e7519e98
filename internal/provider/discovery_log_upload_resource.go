package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ resource.ResourceWithConfigure  = (*discoveryLogUploadResource)(nil)
	_ resource.ResourceWithModifyPlan = (*discoveryLogUploadResource)(nil)
)

// defaultUploadTimeout bounds an upload when timeouts.create is unset: a 5 GB file at
// 20 Mbit/s takes about 35 minutes.
const defaultUploadTimeout = time.Hour

// NewDiscoveryLogUploadResource is the constructor for mda_discovery_log_upload.
func NewDiscoveryLogUploadResource() resource.Resource { return &discoveryLogUploadResource{} }

// discoveryLogUploadResource uploads one log file to Cloud Discovery. MDA can neither
// read an upload back nor delete one, so the resource is an upload's record: a new file
// (by content hash) or other input is a new upload, and destroying forgets it.
type discoveryLogUploadResource struct{ client *mda.Client }

type discoveryLogUploadResourceModel struct {
	ID             types.String   `tfsdk:"id"`
	File           types.String   `tfsdk:"file"`
	Source         types.String   `tfsdk:"source"`
	DataSourceName types.String   `tfsdk:"data_source_name"`
	AsSnapshot     types.Bool     `tfsdk:"as_snapshot"`
	ContentSHA256  types.String   `tfsdk:"content_sha256"`
	UploadedAt     types.String   `tfsdk:"uploaded_at"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *discoveryLogUploadResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovery_log_upload"
}

func (r *discoveryLogUploadResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = discoveryLogUploadSchemaV0(ctx)
}

// discoveryLogUploadSchemaV0 is version 0 of the schema. A breaking change adds a V1
// beside it, with a state upgrader that reads V0 states through this function.
func discoveryLogUploadSchemaV0(ctx context.Context) schema.Schema {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	timeoutsBlock := timeouts.Block(ctx, timeouts.Opts{Create: true})
	if nested, ok := timeoutsBlock.(schema.SingleNestedBlock); ok {
		nested.MarkdownDescription = "How long the upload may take, all three steps, waits and retries included, as a " +
			"duration such as `\"90m\"`. `create` defaults to `\"60m\"`."
		timeoutsBlock = nested
	}
	return schema.Schema{
		MarkdownDescription: "Uploads a log file to Cloud Discovery, for a continuous report's data source or as a " +
			"snapshot report. The file is streamed from disk, never held in memory. MDA can neither read an upload " +
			"back nor delete one: a changed file (by its SHA-256) or any changed argument uploads again, an unchanged " +
			"file plans nothing, and destroying the resource only removes it from state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The storage URL the file was uploaded to, without its query (the shared access " +
					"signature in it is a credential and is never kept).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"file": schema.StringAttribute{
				MarkdownDescription: "Path of the log file, relative to the directory Terraform runs in, or absolute. Its " +
					"base name is the upload's file name in MDA. Up to 5 GB; the file must exist when Terraform plans, " +
					"which hashes it. Changing the path or the file's content uploads again.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: replace,
			},
			"source": schema.StringAttribute{
				MarkdownDescription: "The log format, written as in Microsoft's list of upload sources, in upper case: " +
					"for example `GENERIC_CEF`, `ZSCALER_CEF_SYSLOG`, `CISCO_IRONPORT_PROXY`, `PALO_ALTO`. Checked at plan " +
					"time against the documented list (see below). Changing it uploads again.",
				Required:      true,
				Validators:    []validator.String{uploadSourceValidator{}},
				PlanModifiers: replace,
			},
			"data_source_name": schema.StringAttribute{
				MarkdownDescription: "The data source the logs come from, as named under Settings > Cloud Discovery > " +
					"Automatic log upload; with `as_snapshot`, the name of the snapshot report to create. Changing it " +
					"uploads again.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: replace,
			},
			"as_snapshot": schema.BoolAttribute{
				MarkdownDescription: "`true` makes a snapshot report named `data_source_name` from the file instead of " +
					"adding it to a continuous report. Defaults to `false`. Changing it uploads again.",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(false),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"content_sha256": schema.StringAttribute{
				MarkdownDescription: "SHA-256 of the file, in hexadecimal, computed when Terraform plans. A new value " +
					"replaces the resource, which uploads the file again.",
				Computed: true,
			},
			"uploaded_at": schema.StringAttribute{
				MarkdownDescription: "When MDA accepted the upload for processing (RFC 3339, UTC).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock},
	}
}

func (r *discoveryLogUploadResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

// ModifyPlan hashes the file, so that a changed file shows in the plan as a replacement
// and an unchanged one plans nothing. The hash is read as a stream.
func (r *discoveryLogUploadResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan discoveryLogUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.File.IsUnknown() {
		return // content_sha256 stays unknown until the path is known
	}
	file := plan.File.ValueString()
	sum, size, err := mda.HashFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		resp.Diagnostics.AddAttributeError(path.Root("file"), "Log file not found", fmt.Sprintf(
			"%q does not exist. Terraform hashes the file when it plans, so it must be there before terraform plan: check "+
				"the path (a relative path is relative to the directory Terraform runs in, e.g. use \"${path.module}/%s\"), or "+
				"create the file first.", file, strings.TrimPrefix(file, "./")))
		return
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("file"), "Log file not readable", fmt.Sprintf(
			"Reading %q to hash it failed: %s. Check that it is a readable file, not a directory.", file, err))
		return
	case size == 0:
		resp.Diagnostics.AddAttributeError(path.Root("file"), "Log file is empty", fmt.Sprintf(
			"%q is empty, and MDA has nothing to process in an empty log. Point file at a log with records.", file))
		return
	case size > mda.MaxDiscoveryUploadBytes:
		resp.Diagnostics.AddAttributeError(path.Root("file"), "Log file too large", fmt.Sprintf(
			"%q has %d bytes; MDA takes files of up to 5 GB. Split the log and upload each part with its own resource.", file, size))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("content_sha256"), types.StringValue(sum))...)
	if req.State.Raw.IsNull() {
		return
	}
	var state discoveryLogUploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !resp.Diagnostics.HasError() && state.ContentSHA256.ValueString() != sum {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("content_sha256"))
	}
}

func (r *discoveryLogUploadResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan discoveryLogUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, diags := plan.Timeouts.Create(ctx, defaultUploadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	file := plan.File.ValueString()
	res, err := r.client.UploadDiscoveryLog(ctx, mda.DiscoveryLogUpload{
		Path:           file,
		Source:         plan.Source.ValueString(),
		DataSourceName: plan.DataSourceName.ValueString(),
		AsSnapshot:     plan.AsSnapshot.ValueBool(),
		SHA256:         plan.ContentSHA256.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to upload discovery log "+file, uploadErrorDetail(err))
		return
	}
	plan.ID = types.StringValue(res.BlobURL)
	plan.ContentSHA256 = types.StringValue(res.SHA256)
	plan.UploadedAt = types.StringValue(formatTime(time.Now().Truncate(time.Second)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// uploadErrorDetail explains a failed upload by its step. Nothing is saved to state in
// any case, so the next apply uploads again: harmless after the first two steps, which
// MDA does not process, but after a done_upload that may have reached MDA the file may
// be processed twice, so that case says to look first.
func uploadErrorDetail(err error) string {
	var se *mda.StorageUploadError
	stopped := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	switch step := mda.UploadStep(err); {
	case step == mda.UploadStepStorage && errors.As(err, &se) && !stopped:
		return sentence(se.Error()) + " This is the second of the upload's three steps: the PUT of the file to " +
			"the storage URL MDA returned, which carries no MDA credentials. MDA was not told of the upload and " +
			"processes nothing, and nothing was saved to state: apply again to upload with a new URL. If it fails " +
			"again, check the network path (proxy, firewall) to " + se.Host + "."
	case step == mda.UploadStepStorage:
		return sentence(err.Error()) + " The upload was stopped before MDA was told of it, so MDA processes nothing " +
			"and nothing was saved to state. Raise timeouts.create for large files or slow links, then apply again."
	case step == mda.UploadStepFinish && mda.IsAmbiguous(err):
		what := sentence(err.Error())
		var apiErr *mda.APIError
		if errors.As(err, &apiErr) {
			what = strings.Join(apiErrorSentences(err, apiErr), " ")
		}
		return "The last of the upload's three steps, done_upload, failed without a clear answer: " + what +
			" The file is in storage and done_upload was sent, so MDA may be processing it. Nothing was saved to " +
			"state, and MDA offers no way to look an upload up: applying again uploads the file again, and if the " +
			"first one went through, its records count twice in the report. Check the data source's recent uploads " +
			"in the portal (Cloud Discovery > Actions > Upload log, and the governance log) before applying again."
	case step == mda.UploadStepFinish:
		return "The last of the upload's three steps, done_upload, failed: " + apiErrorDetail("create discovery log upload", err) +
			" The file is in storage but MDA did not take it for processing, and nothing was saved to state: fix what " +
			"MDA names (data_source_name must name an existing data source unless as_snapshot is true), then apply again."
	case step == mda.UploadStepInitiate:
		return "The first of the upload's three steps, initiate (upload_url), failed: " +
			apiErrorDetail("create discovery log upload", err) + " Nothing was uploaded and nothing was saved to state."
	}
	return sentence(err.Error()) + " Nothing was uploaded and nothing was saved to state."
}

// Read keeps the state as it is: MDA has no API to read an upload back.
func (r *discoveryLogUploadResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update only ever changes the timeouts block: every other argument replaces.
func (r *discoveryLogUploadResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan discoveryLogUploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// Delete forgets the upload: MDA has no API to delete an uploaded log or its data.
func (r *discoveryLogUploadResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state discoveryLogUploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.AddWarning("Discovery log upload removed from state only", fmt.Sprintf(
		"MDA has no API to delete an uploaded log: the data of %s stays in %q. Only Terraform's record of the upload was "+
			"removed. To remove a snapshot report, delete it in the portal (Cloud Discovery > Actions > Manage snapshot reports).",
		state.File.ValueString(), state.DataSourceName.ValueString()))
}

// uploadSourceValidator accepts the upload sources as Microsoft documents them, in upper
// case, and names the fix for anything else.
type uploadSourceValidator struct{}

var _ validator.String = uploadSourceValidator{}

func (uploadSourceValidator) Description(context.Context) string {
	return "must be one of the documented upload sources, in upper case, such as GENERIC_CEF"
}

func (v uploadSourceValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uploadSourceValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	word := req.ConfigValue.ValueString()
	if slices.Contains(mda.DiscoveryUploadSources, word) {
		return
	}
	upper := strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(strings.TrimSpace(word)))
	if slices.Contains(mda.DiscoveryUploadSources, upper) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid log source", fmt.Sprintf(
			"%q is written differently from MDA's name for it: write source = %q, as in Microsoft's list of upload sources.", word, upper))
		return
	}
	var near []string
	for _, s := range mda.DiscoveryUploadSources {
		if upper != "" && (strings.HasPrefix(s, upper) || strings.HasPrefix(upper, s)) {
			near = append(near, s)
		}
	}
	hint := ""
	if len(near) > 0 {
		hint = " Close matches: " + strings.Join(near, ", ") + "."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid log source", fmt.Sprintf(
		"%q is not one of the log formats MDA's upload takes.%s The documented sources are: %s.",
		word, hint, strings.Join(mda.DiscoveryUploadSources, ", ")))
}
