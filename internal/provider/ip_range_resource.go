package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ resource.ResourceWithConfigure   = (*ipRangeResource)(nil)
	_ resource.ResourceWithImportState = (*ipRangeResource)(nil)
)

// NewIPRangeResource is the constructor for mda_ip_range.
func NewIPRangeResource() resource.Resource { return &ipRangeResource{} }

// ipRangeResource manages one custom IP range (a "data enrichment" subnet rule).
type ipRangeResource struct{ client *mda.Client }

type ipRangeResourceModel struct {
	ID           types.String   `tfsdk:"id"`
	Name         types.String   `tfsdk:"name"`
	Category     types.String   `tfsdk:"category"`
	Subnets      cidrSetValue   `tfsdk:"subnets"`
	Organization types.String   `tfsdk:"organization"`
	Tags         types.Set      `tfsdk:"tags"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *ipRangeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_range"
}

func (r *ipRangeResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = ipRangeSchemaV0(ctx)
}

// ipRangeSchemaV0 is version 0 of the schema. A breaking change adds a V1 beside it, with a
// state upgrader that reads V0 states through this function.
func ipRangeSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Manages a custom IP range of the tenant (Settings → Cloud Apps → IP address ranges). " +
			"MDA uses IP ranges to label activity: corporate and VPN addresses, administrative hosts, risky " +
			"networks, cloud providers. Built-in ranges cannot be managed; read them with the `mda_ip_ranges` data source.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The range's id in MDA (24 hexadecimal characters).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The range's name, unique in the tenant. Can be changed in place. Control characters and leading or " +
					"trailing white space are refused at plan time.",
				Required: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(nonBlank, "must contain a character other than white space"),
					ipRangeNameValidator{},
				},
			},
			"category": schema.StringAttribute{
				MarkdownDescription: "The range's category: one of `corporate`, `administrative`, `risky`, `vpn`, " +
					"`cloud_provider`, `other`.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(categoryWords...)},
			},
			"subnets": schema.SetAttribute{
				MarkdownDescription: "The range's subnets: IPv4 or IPv6 addresses or CIDR blocks, at least one. They " +
					"compare by meaning, so `10.0.0.1/8` and `10.0.0.0/8`, `10.1.2.3` and `10.1.2.3/32`, or a compressed " +
					"and an expanded IPv6 spelling are the same network, and the state keeps the spelling written here.",
				Required:    true,
				CustomType:  newCIDRSetType(),
				ElementType: types.StringType,
				Validators:  []validator.Set{setvalidator.SizeAtLeast(1), cidrElementsValidator{}},
			},
			"organization": schema.StringAttribute{
				MarkdownDescription: "Overrides the registered ISP of the addresses. Unset leaves MDA's own.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Tags of the range, by name or by tag id. A name MDA does not know creates a new " +
					"custom tag.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.ValueStringsAre(
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(nonBlank, "must contain a character other than white space"),
				)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *ipRangeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

func (r *ipRangeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipRangeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Create)
	resp.Diagnostics.Append(diags...)
	defer cancel()
	in, diags := ipRangeToAPI(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	existing, ok := r.subnetNamed(ctx, in.Name, &resp.Diagnostics)
	if !ok {
		return
	}
	if existing != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "IP range already exists", importHint(existing))
		return
	}

	id, err := r.client.CreateSubnet(ctx, in)
	if mda.IsAmbiguous(err) && ctx.Err() == nil {
		id, err = r.resolveAmbiguousCreate(ctx, in, err)
	}
	switch {
	case mda.IsAmbiguous(err) && ctx.Err() != nil:
		// Interrupted (Ctrl-C, or timeouts.create) after the request was sent: what MDA
		// did must be settled now, or the range would be on the server and in no state.
		var adopted bool
		id, adopted, err = r.resolveInterruptedCreate(ctx, in, err)
		if adopted {
			resp.Diagnostics.AddWarning("IP range created before the interrupt", fmt.Sprintf(
				"The create of IP range %q was interrupted after it reached MDA. MDA holds the range (id %s) as configured, "+
					"so it was kept in the state instead of being left behind; the next plan shows nothing to do for it.", in.Name, id))
		}
	case isNameTaken(err):
		if taken, ok := r.nameTakenBy(ctx, in.Name); ok {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "IP range name already taken", "MDA refused the create: "+
				"the name is taken, perhaps by another resource of this configuration or by someone else meanwhile. "+importHint(taken))
			return
		}
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "create IP range "+in.Name, err)
		return
	}
	tflog.Info(ctx, "created IP range", map[string]any{"ip_range_id": id, "name": in.Name})

	// MDA answers a create with the id alone and stores what it was sent, so the state is
	// the plan plus the id: reading the range back would spend a request to learn nothing.
	plan.ID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// ambiguousCreateRounds bounds how often an ambiguous create is sent again: each round
// costs a listing and a create, and a tenant that loses three answers in a row is better
// reported than retried further. The last create is still followed by a look-up, so even
// then nothing is left on the server that the state does not know.
const ambiguousCreateRounds = 3

// resolveAmbiguousCreate decides what happened to a create whose answer was lost (a
// timeout, a dropped connection, a 5xx after the request was sent). A fresh listing says:
// the range exists with what was sent (adopt it), exists with other content (refuse), or
// does not exist (the create provably did not happen, so send it once more). A create
// sent again may itself lose its answer, so the look-up repeats until one round settles
// it: stopping after one would leave a range on the server that the state never learns.
// A create that is canceled (Ctrl-C) is left to the caller's interrupt path.
func (r *ipRangeResource) resolveAmbiguousCreate(ctx context.Context, in mda.SubnetInput, createErr error) (string, error) {
	for round := 1; ; round++ {
		tflog.Warn(ctx, "IP range create had no clear answer; looking the name up before deciding",
			map[string]any{"name": in.Name, "error": createErr.Error(), "round": round})
		r.client.InvalidateSubnets()
		s, err := r.client.FindSubnetByName(ctx, in.Name)
		switch {
		case mda.IsNotFound(err):
			if round > ambiguousCreateRounds {
				return "", createErr
			}
			id, err := r.client.CreateSubnet(ctx, in)
			if !mda.IsAmbiguous(err) || ctx.Err() != nil {
				return id, err
			}
			createErr = err
		case err != nil:
			return "", fmt.Errorf("%w; listing IP ranges to find out whether it was created also failed: %w", createErr, err)
		default:
			return adoptCreated(ctx, s, in, createErr, "ambiguous")
		}
	}
}

// interruptGrace bounds the look-up that settles an interrupted create. Terraform waits
// for in-flight operations after the first interrupt, and the look-up is one listing.
const interruptGrace = 15 * time.Second

// resolveInterruptedCreate settles a create whose context ended after the request was
// sent, on a short deadline of its own: the range exists with what was sent (adopt it,
// adopted = true), exists with other content (refuse), or does not exist (the interrupt
// is the error).
func (r *ipRangeResource) resolveInterruptedCreate(ctx context.Context, in mda.SubnetInput, createErr error) (id string, adopted bool, err error) {
	lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptGrace)
	defer cancel()
	tflog.Warn(lookCtx, "IP range create was interrupted after it was sent; looking the name up before returning",
		map[string]any{"name": in.Name, "error": createErr.Error()})
	r.client.InvalidateSubnets()
	s, err := r.client.FindSubnetByName(lookCtx, in.Name)
	switch {
	case mda.IsNotFound(err):
		return "", false, createErr
	case err != nil:
		return "", false, fmt.Errorf("%w; looking the name up to find out whether it was created also failed (%w), so the range "+
			"may exist in MDA without being in the state: the next apply reports it as existing, with the import command", createErr, err)
	default:
		id, err := adoptCreated(lookCtx, s, in, createErr, "interrupted")
		return id, err == nil, err
	}
}

// adoptCreated settles a create whose answer was lost once its name has been found: the
// range is adopted when it holds what was sent, and refused when it differs (someone
// else's range, which Terraform must not take over silently).
func adoptCreated(ctx context.Context, s *mda.Subnet, in mda.SubnetInput, createErr error, how string) (string, error) {
	if !subnetMatchesInput(*s, in) {
		return "", fmt.Errorf("%w; an IP range named %q now exists (id %s) but differs from the configuration, so "+
			"it was not adopted: import it or choose another name", createErr, in.Name, s.ID)
	}
	tflog.Info(ctx, "adopted the IP range the "+how+" create made", map[string]any{"ip_range_id": s.ID})
	return s.ID, nil
}

// isNameTaken reports whether MDA refused a create because of the name: a form error
// on the name field (MDA's wording is not documented, so the field decides).
func isNameTaken(err error) bool {
	var apiErr *mda.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest && apiErr.Field == "name"
}

// nameTakenBy finds the range that holds name after MDA refused it. The run's listing
// knows a range this provider created meanwhile; otherwise one fresh listing is spent on
// this error path.
func (r *ipRangeResource) nameTakenBy(ctx context.Context, name string) (*mda.Subnet, bool) {
	s, err := r.client.FindSubnetByName(ctx, name)
	if mda.IsNotFound(err) {
		r.client.InvalidateSubnets()
		s, err = r.client.FindSubnetByName(ctx, name)
	}
	return s, err == nil
}

func (r *ipRangeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ipRangeResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Read)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	// Served from the run's listing: refreshing N ranges in a tenant of T costs ceil(T/100)
	// requests in all, not N.
	s, err := r.client.LookupSubnet(ctx, state.ID.ValueString())
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddWarning("IP range deleted outside Terraform", fmt.Sprintf(
			"IP range %s (%s) no longer exists in MDA. It was removed from the state and will be created again on the next apply.",
			state.ID.ValueString(), state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read IP range "+state.ID.ValueString(), err)
		return
	}
	m, diags := ipRangeFromAPI(ctx, s, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *ipRangeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ipRangeResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Update)
	resp.Diagnostics.Append(diags...)
	defer cancel()
	in, diags := ipRangeToAPI(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()

	if plan.Name.ValueString() != state.Name.ValueString() {
		other, ok := r.subnetNamed(ctx, in.Name, &resp.Diagnostics)
		if !ok {
			return
		}
		if other != nil && other.ID != id {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "IP range name already taken", fmt.Sprintf(
				"Another IP range (id %s) is already named %q, and MDA requires unique names. Choose another name, "+
					"or rename or delete that range first.", other.ID, in.Name))
			return
		}
	}

	if err := r.client.UpdateSubnet(ctx, id, in); err != nil {
		if mda.IsNotFound(err) {
			resp.Diagnostics.AddError("IP range deleted outside Terraform", fmt.Sprintf(
				"IP range %s was deleted while this apply ran, so it cannot be updated. Run the apply again to create it.", id))
			return
		}
		addAPIError(&resp.Diagnostics, "update IP range "+id, err)
		return
	}
	plan.ID = state.ID
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *ipRangeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ipRangeResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Delete)
	resp.Diagnostics.Append(diags...)
	defer cancel()
	err := r.client.DeleteSubnet(ctx, state.ID.ValueString())
	if err != nil && !mda.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "delete IP range "+state.ID.ValueString(), err)
	}
}

// ImportState takes an id, or "name:<name>" for ranges whose id nobody wrote down.
func (r *ipRangeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider was not configured before import. This is a bug in the provider; please report it.")
		return
	}
	id, name := req.ID, ""
	if n, byName := strings.CutPrefix(req.ID, "name:"); byName {
		id, name = "", n
	}
	s, err := findCustomSubnet(ctx, r.client, id, name)
	if mda.IsNotFound(err) {
		r.explainImportNotFound(ctx, req.ID, id, name, &resp.Diagnostics)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "import IP range "+req.ID, err)
		return
	}
	// The id is enough: the Read that follows fills the rest from the same listing, at no
	// extra request.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), s.ID)...)
}

// explainImportNotFound tells a built-in range (which cannot be managed) from one that
// does not exist. It costs one listing of built-in ranges, only on this error path.
func (r *ipRangeResource) explainImportNotFound(ctx context.Context, importID, id, name string, diags *diag.Diagnostics) {
	builtIn, err := r.client.FindBuiltInSubnet(ctx, id, name)
	if err == nil {
		diags.AddError("Built-in IP range cannot be managed", fmt.Sprintf(
			"%q is the built-in IP range %q (id %s), which Microsoft maintains and MDA does not let anyone change. "+
				"Read it with the mda_ip_ranges data source (built_in = true) instead of managing it.", importID, builtIn.Name, builtIn.ID))
		return
	}
	what := fmt.Sprintf("no custom IP range has the id %q", id)
	if strings.HasPrefix(importID, "name:") {
		what = fmt.Sprintf("no custom IP range is named %q", name)
	}
	diags.AddError("IP range not found", fmt.Sprintf(
		"Cannot import: %s. Import takes the range's id (24 hexadecimal characters) or \"name:<name>\"; list the "+
			"tenant's ranges with the mda_ip_ranges data source.", what))
}

// subnetNamed returns the custom range named name, or nil when the name is free; ok is
// false when the lookup failed. The run's listing answers without a request of its own.
func (r *ipRangeResource) subnetNamed(ctx context.Context, name string, diags *diag.Diagnostics) (s *mda.Subnet, ok bool) {
	s, err := r.client.FindSubnetByName(ctx, name)
	if err != nil && !mda.IsNotFound(err) {
		addAPIError(diags, "check whether IP range "+name+" exists", err)
		return nil, false
	}
	return s, true
}

// importHint explains how to bring an existing range under management.
func importHint(s *mda.Subnet) string {
	return fmt.Sprintf("An IP range named %q already exists in MDA (id %s), and names are unique. To manage it with this "+
		"configuration, import it instead of creating it:\n\n"+
		"  terraform import <address> %s\n\n"+
		"or, with Terraform 1.5 or later, an import block:\n\n"+
		"  import {\n    to = <address>\n    id = \"name:%s\"\n  }\n\n"+
		"Otherwise choose another name.", s.Name, s.ID, s.ID, s.Name)
}

// nonBlank matches a string with at least one character that is not white space.
var nonBlank = regexp.MustCompile(`\S`)

// ipRangeNameValidator refuses names MDA would store as sent but nobody could tell
// apart in the portal: control characters (a NUL is kept as is) and white space at
// either end (" office" and "office" are two names).
type ipRangeNameValidator struct{}

func (ipRangeNameValidator) Description(context.Context) string {
	return "must not contain control characters or start or end with white space"
}

func (v ipRangeNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ipRangeNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	for i, c := range name {
		if unicode.IsControl(c) {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP range name", fmt.Sprintf(
				"The name %q contains the control character %U at byte %d. MDA would store it as is, and the portal would "+
					"show a name nobody can type: remove it from %s.", name, c, i, req.Path))
			return
		}
	}
	if trimmed := strings.TrimSpace(name); trimmed != name && trimmed != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP range name", fmt.Sprintf(
			"The name %q starts or ends with white space, which MDA keeps, so it would differ from %q without anyone "+
				"seeing it in the portal. Write %s = %q.", name, trimmed, req.Path, trimmed))
	}
}

// ipRangeToAPI builds the whole create_rule/update_rule body: update_rule replaces the
// object, so every field is always sent.
func ipRangeToAPI(ctx context.Context, m ipRangeResourceModel) (mda.SubnetInput, diag.Diagnostics) {
	in := mda.SubnetInput{
		Name:         m.Name.ValueString(),
		Category:     categoryCodes[m.Category.ValueString()], // the OneOf validator guarantees the key
		Organization: m.Organization.ValueString(),
	}
	cidrs, diags := m.Subnets.strings(ctx)
	in.Subnets = dedupeCIDRs(cidrs)
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
		diags.Append(m.Tags.ElementsAs(ctx, &in.Tags, false)...)
		slices.Sort(in.Tags)
	}
	return in, diags
}

// ipRangeFromAPI maps the API object back. prior supplies what the API cannot express:
// the user's spelling of subnets (kept by the set's semantic equality), whether tags were
// written by name or by id, and unset tags (null) against tags = [] (empty).
func ipRangeFromAPI(ctx context.Context, s *mda.Subnet, prior ipRangeResourceModel) (ipRangeResourceModel, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	category, ok := categoryNames[s.Category]
	if !ok {
		diags.AddError("Unknown IP range category", fmt.Sprintf(
			"MDA returned category %d for IP range %s, which this provider does not know. Please report it.", s.Category, s.ID))
		return prior, diags
	}
	m := ipRangeResourceModel{
		ID:           types.StringValue(s.ID),
		Name:         types.StringValue(s.Name),
		Category:     types.StringValue(category),
		Organization: stringOrNull(s.Organization),
		Tags:         types.SetNull(types.StringType),
		Timeouts:     prior.Timeouts,
	}
	m.Subnets, d = newCIDRSetValue(ctx, subnetCIDRs(*s))
	diags.Append(d...)

	var priorTags []string
	if !prior.Tags.IsNull() && !prior.Tags.IsUnknown() {
		diags.Append(prior.Tags.ElementsAs(ctx, &priorTags, false)...)
	}
	tags := make([]string, 0, len(s.Tags))
	for _, t := range s.Tags {
		if t.ID != "" && slices.Contains(priorTags, t.ID) {
			tags = append(tags, t.ID)
		} else {
			tags = append(tags, t.Name)
		}
	}
	if len(tags) > 0 || !prior.Tags.IsNull() {
		m.Tags, d = types.SetValueFrom(ctx, types.StringType, tags)
		diags.Append(d...)
	}
	return m, diags
}

// subnetMatchesInput reports whether a range holds what a create sent, for adopting the
// result of an ambiguous create.
func subnetMatchesInput(s mda.Subnet, in mda.SubnetInput) bool {
	if s.Name != in.Name || s.Category != in.Category || s.Organization != in.Organization {
		return false
	}
	have, err := canonicalCIDRs(subnetCIDRs(s))
	if err != nil {
		return false
	}
	want, err := canonicalCIDRs(in.Subnets)
	if err != nil {
		return false
	}
	if !maps.Equal(have, want) || len(s.Tags) != len(in.Tags) {
		return false
	}
	for _, t := range s.Tags {
		if !slices.Contains(in.Tags, t.Name) && !slices.Contains(in.Tags, t.ID) {
			return false
		}
	}
	return true
}
