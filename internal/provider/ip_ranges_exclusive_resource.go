package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ resource.ResourceWithConfigure   = (*ipRangesExclusiveResource)(nil)
	_ resource.ResourceWithImportState = (*ipRangesExclusiveResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*ipRangesExclusiveResource)(nil)
)

const (
	onUnmanagedFail   = "fail"
	onUnmanagedDelete = "delete"
	// exclusiveCreatedID is the id of a created resource: it governs the tenant, of which
	// a configuration knows only one.
	exclusiveCreatedID = "tenant"
	// privateAdopted marks a state that import made and no apply has accepted since: its
	// names are whatever existed, so a name the plan drops is a range apply will find
	// unmanaged, not (as after an apply) one whose mda_ip_range is being destroyed.
	privateAdopted = "adopted"
)

// NewIPRangesExclusiveResource is the constructor for mda_ip_ranges_exclusive.
func NewIPRangesExclusiveResource() resource.Resource { return &ipRangesExclusiveResource{} }

// ipRangesExclusiveResource declares which custom IP ranges may exist in the tenant, so
// that a range added outside Terraform shows in the plan instead of passing unseen.
//
// The state keeps an invariant: names = accepted ∪ names of unmanaged, where accepted are
// the names the last apply allowed (or, after an import, the ranges that existed). Read
// therefore needs nothing but the state and the run's shared listing.
type ipRangesExclusiveResource struct{ client *mda.Client }

type ipRangesExclusiveModel struct {
	ID          types.String   `tfsdk:"id"`
	Names       types.Set      `tfsdk:"names"`
	Categories  types.Set      `tfsdk:"categories"`
	IgnoreNames types.Set      `tfsdk:"ignore_names"`
	OnUnmanaged types.String   `tfsdk:"on_unmanaged"`
	Unmanaged   types.List     `tfsdk:"unmanaged"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *ipRangesExclusiveResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_ranges_exclusive"
}

func (r *ipRangesExclusiveResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = ipRangesExclusiveSchemaV0(ctx)
}

// ipRangesExclusiveSchemaV0 is version 0 of the schema. A breaking change adds a V1 beside it, with a
// state upgrader that reads V0 states through this function.
func ipRangesExclusiveSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Declares which custom IP ranges may exist in the tenant. Terraform never sees objects it " +
			"does not manage, so a range added in the portal (a new `corporate` range silently widens what MDA trusts) " +
			"would otherwise pass unseen: with this resource it shows in the plan as a name removed from `names`, and " +
			"`terraform plan -detailed-exitcode` exits 2. Apply then fails or deletes it, as `on_unmanaged` says. " +
			"Destroying this resource only removes it from the state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`tenant` when created, or the id given to import. The resource governs the whole " +
					"tenant, so there is nothing else to identify.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"names": schema.SetAttribute{
				MarkdownDescription: "The names of the governed ranges allowed to exist, normally " +
					"`[for r in mda_ip_range.all : r.name]`. Names rather than ids: a name is known at plan time, also " +
					"for a range this same apply creates, and reads in a diff. Referring to the `mda_ip_range` resources " +
					"also makes Terraform create or rename them before this resource acts, so they are never taken for " +
					"unmanaged; and when a range leaves the configuration, Terraform destroys its `mda_ip_range` before " +
					"this resource acts, so removing a range and its name in one apply never trips `fail`.",
				Required:    true,
				ElementType: types.StringType,
			},
			"categories": schema.SetAttribute{
				MarkdownDescription: "Govern only custom ranges in these categories: any of `corporate`, " +
					"`administrative`, `risky`, `vpn`, `cloud_provider`, `other`. Unset governs every custom range. " +
					"Built-in ranges are never governed.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(categoryWords...)),
				},
			},
			"ignore_names": schema.SetAttribute{
				MarkdownDescription: "Names of ranges never governed, whatever their category: ranges another team, " +
					"another configuration or a script owns.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"on_unmanaged": schema.StringAttribute{
				MarkdownDescription: "What apply does with governed ranges whose names are not in `names`: `fail` " +
					"(the default) stops the apply with one error listing each range (name, category, subnets, id) and " +
					"how to import it, and changes nothing; `delete` deletes them from MDA and says which.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onUnmanagedFail),
				Validators: []validator.String{stringvalidator.OneOf(onUnmanagedFail, onUnmanagedDelete)},
			},
			"unmanaged": schema.ListNestedAttribute{
				MarkdownDescription: "The governed ranges whose names are not in `names`, sorted by name. Known at plan " +
					"time, so outputs and `check` blocks can report them, unless `names`, `categories` or `ignore_names` " +
					"are unknown until apply, or `categories` / `ignore_names` change to govern more ranges than " +
					"before. Empty after a successful apply.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":     schema.StringAttribute{MarkdownDescription: "The range's name.", Computed: true},
					"id":       schema.StringAttribute{MarkdownDescription: "The range's id, for an `import` block.", Computed: true},
					"category": schema.StringAttribute{MarkdownDescription: "The range's category.", Computed: true},
					"subnets": schema.SetAttribute{
						MarkdownDescription: "The range's subnets as written when they were saved.",
						Computed:            true, ElementType: types.StringType,
					},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, timeouts.Opts{Create: true, Read: true, Update: true}),
		},
	}
}

func (r *ipRangesExclusiveResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

// Read costs no request of its own: the run's shared listing serves it, as it serves
// every mda_ip_range refresh.
func (r *ipRangesExclusiveResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ipRangesExclusiveModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Read)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	// A failing listing is an error, never an empty tenant: reading it as empty would
	// plan names away and say nothing of the ranges that are there.
	subs, err := r.client.CustomSubnets(ctx)
	if err != nil {
		// The action's verb picks the timeouts attribute a deadline's advice names.
		addAPIError(&resp.Diagnostics, "read the IP ranges mda_ip_ranges_exclusive governs", err)
		return
	}
	scope, _, d := scopeOf(ctx, state)
	resp.Diagnostics.Append(d...)
	prior, _, d := setStrings(ctx, state.Names)
	resp.Diagnostics.Append(d...)
	priorUnmanaged, d := unmanagedFromList(ctx, state.Unmanaged)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	var governed []mda.Subnet
	var governedNames []string
	for _, s := range subs {
		if scope.governs(s.Name, enumWord(categoryNames, s.Category)) {
			governed = append(governed, s)
			governedNames = append(governedNames, s.Name)
		}
	}

	var accepted []string
	switch {
	case state.Names.IsNull():
		// Import: the tenant as it is becomes the baseline, so the plan after it shows
		// exactly the existing ranges the configuration's names leave out.
		accepted = governedNames
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, []byte("true"))...)
		if state.OnUnmanaged.IsNull() {
			state.OnUnmanaged = types.StringValue(onUnmanagedFail)
		}
	default:
		// Accepted names stay even when their range is gone: mda_ip_range reports that
		// drift and re-creates it, and dropping the name here would show a diff forever.
		accepted = without(prior, rangeNames(priorUnmanaged))
	}

	var unmanaged []unmanagedRange
	for _, s := range governed {
		if !slices.Contains(accepted, s.Name) {
			unmanaged = append(unmanaged, unmanagedFromSubnet(s))
		}
	}
	state.Names, d = stringSet(ctx, append(slices.Clone(accepted), rangeNames(unmanaged)...))
	resp.Diagnostics.Append(d...)
	state.Unmanaged, d = unmanagedListValue(ctx, unmanaged)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// ModifyPlan tells, without a request, what apply will find: the unmanaged ranges of the
// refreshed state, less those whose names the plan now allows or puts out of scope.
func (r *ipRangesExclusiveResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, state ipRangesExclusiveModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	setUnmanaged := func(ranges []unmanagedRange, known bool) {
		l := types.ListUnknown(unmanagedRangeType)
		if known {
			var d diag.Diagnostics
			l, d = unmanagedListValue(ctx, ranges)
			resp.Diagnostics.Append(d...)
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("unmanaged"), l)...)
	}
	if req.State.Raw.IsNull() {
		// A create that succeeds leaves nothing unmanaged: it fails, or deletes them.
		setUnmanaged(nil, true)
		return
	}
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	planned, namesKnown, d := setStrings(ctx, plan.Names)
	resp.Diagnostics.Append(d...)
	scope, scopeKnown, d := scopeOf(ctx, plan)
	resp.Diagnostics.Append(d...)
	stateScope, _, d := scopeOf(ctx, state)
	resp.Diagnostics.Append(d...)
	stateUnmanaged, d := unmanagedFromList(ctx, state.Unmanaged)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.OnUnmanaged.IsUnknown() {
		setUnmanaged(nil, false)
		return
	}
	deleting := plan.OnUnmanaged.ValueString() == onUnmanagedDelete
	if !namesKnown || !scopeKnown {
		setUnmanaged(nil, deleting)
		return
	}

	var pending []unmanagedRange
	for _, u := range stateUnmanaged {
		if !slices.Contains(planned, u.Name) && scope.governs(u.Name, u.Category) {
			pending = append(pending, u)
		}
	}
	// A name the plan drops is normally a range whose mda_ip_range this apply destroys
	// (before this resource's update, which depends on it), so it is not reported. After
	// an import, though, names are whatever existed, and the ones the configuration
	// leaves out are unmanaged: the import read their names only, so apply fills in the
	// details.
	var unlisted []string
	if adopted(ctx, req.Private.GetKey, &resp.Diagnostics) {
		prior, _, _ := setStrings(ctx, state.Names)
		for _, n := range without(without(prior, rangeNames(stateUnmanaged)), planned) {
			if !slices.Contains(scope.ignore, n) {
				unlisted = append(unlisted, n)
			}
		}
	}
	widened := !scope.within(stateScope)
	listing := describeRanges(pending)
	for _, n := range unlisted {
		listing += fmt.Sprintf("  - %q\n", n)
	}
	count := len(pending) + len(unlisted)

	if deleting {
		setUnmanaged(nil, true)
		if count > 0 {
			resp.Diagnostics.AddWarning("Apply will delete IP ranges not in names", fmt.Sprintf(
				"on_unmanaged = \"delete\": apply will delete %d IP range(s) from MDA that this mda_ip_ranges_exclusive "+
					"governs (%s) and whose names are not in names:\n\n%s\nTo keep one, add its name to names and manage "+
					"it with an mda_ip_range resource, or add it to ignore_names.", count, describeScope(scope), listing))
		}
		if widened {
			resp.Diagnostics.AddWarning("Apply may delete IP ranges this plan cannot list", "categories or "+
				"ignore_names change so that this mda_ip_ranges_exclusive governs more ranges than before. Ranges newly "+
				"in scope were not checked at plan time, and with on_unmanaged = \"delete\" apply deletes every one whose "+
				"name is not in names. To see them first, apply the change with on_unmanaged = \"fail\": its error lists "+
				"every such range, and nothing is deleted.")
		}
		return
	}
	setUnmanaged(pending, !widened && len(unlisted) == 0)
	if count > 0 {
		resp.Diagnostics.AddWarning("Apply will fail: IP ranges not in names", fmt.Sprintf(
			"MDA holds %d IP range(s) that this mda_ip_ranges_exclusive governs (%s) and whose names are not in "+
				"names:\n\n%s\nWith on_unmanaged = \"fail\", apply stops with an error and changes nothing. Either import "+
				"each range into an mda_ip_range resource and add its name to names (the apply error shows the import "+
				"blocks), or set on_unmanaged = \"delete\" to have apply delete them.", count, describeScope(scope), listing))
	}
}

func (r *ipRangesExclusiveResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipRangesExclusiveModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Create)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	// A create that fails sets no state: the next apply creates it again, and lists the
	// ranges it could not delete again.
	failed, ok := r.enforce(ctx, "create", plan, &resp.Diagnostics)
	if !ok || len(failed) > 0 {
		return
	}
	plan.ID = types.StringValue(exclusiveCreatedID)
	var d diag.Diagnostics
	plan.Unmanaged, d = unmanagedListValue(ctx, nil)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *ipRangesExclusiveResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ipRangesExclusiveModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Update)
	resp.Diagnostics.Append(diags...)
	defer cancel()
	// The framework would record the plan as the new state even after an error; an
	// apply that fails must leave the state as it was, so the next plan shows the same.
	resp.State.Raw = req.State.Raw.Copy()

	failed, ok := r.enforce(ctx, "update", plan, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, nil)...)

	var d diag.Diagnostics
	plan.ID = state.ID
	switch {
	case len(failed) > 0:
		// Nothing half-applied in silence: what could not be deleted stays unmanaged and
		// in names, so the next plan shows it again.
		planned, _, _ := setStrings(ctx, plan.Names)
		plan.Names, d = stringSet(ctx, append(planned, rangeNames(failed)...))
		resp.Diagnostics.Append(d...)
		plan.Unmanaged, d = unmanagedListValue(ctx, failed)
		resp.Diagnostics.Append(d...)
	case len(plan.Unmanaged.Elements()) > 0:
		// "fail" planned these, and apply found none of them: they were deleted or
		// renamed since the plan. The plan's value must stand; the next refresh clears it.
		resp.Diagnostics.AddWarning("Unmanaged IP ranges gone since the plan", "The plan listed IP ranges not in names, "+
			"and apply found none of them in MDA any more, so nothing failed. unmanaged keeps the plan's list until the next "+
			"refresh.")
	default:
		plan.Unmanaged, d = unmanagedListValue(ctx, nil)
		resp.Diagnostics.Append(d...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete touches nothing in MDA: the resource declares a policy, and forgetting the
// policy deletes no range.
func (r *ipRangesExclusiveResource) Delete(ctx context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
	tflog.Info(ctx, "mda_ip_ranges_exclusive removed from the state; no IP range in MDA was changed")
}

// ImportState takes any id (such as "tenant"): the resource governs the whole tenant, and
// the Read that follows fills names from the run's listing.
func (r *ipRangesExclusiveResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// enforce lists the governed ranges now and handles those whose names are not planned.
// A range whose mda_ip_range this apply destroys is gone by then: Terraform destroys it
// before updating a resource that depends on it. op ("create" or "update") starts the
// actions of API errors, so a deadline's advice names the timeouts attribute that bounds
// the work. ok is false when it stopped the apply (listing failed, or "fail"
// found some); failed are the ranges "delete" could not delete (each with an error).
func (r *ipRangesExclusiveResource) enforce(ctx context.Context, op string, plan ipRangesExclusiveModel, diags *diag.Diagnostics) (failed []unmanagedRange, ok bool) {
	scope, _, d := scopeOf(ctx, plan)
	diags.Append(d...)
	planned, _, d := setStrings(ctx, plan.Names)
	diags.Append(d...)
	if diags.HasError() {
		return nil, false
	}
	// The run's listing: in the apply it already holds what this client created or
	// renamed, and names make Terraform do that before this resource acts.
	subs, err := r.client.CustomSubnets(ctx)
	if err != nil {
		addAPIError(diags, op+" mda_ip_ranges_exclusive (listing its IP ranges)", err)
		return nil, false
	}
	var unmanaged []unmanagedRange
	for _, s := range subs {
		if scope.governs(s.Name, enumWord(categoryNames, s.Category)) && !slices.Contains(planned, s.Name) {
			unmanaged = append(unmanaged, unmanagedFromSubnet(s))
		}
	}
	if len(unmanaged) > 0 {
		if plan.OnUnmanaged.ValueString() != onUnmanagedDelete {
			diags.AddError("IP ranges not in names", fmt.Sprintf(
				"MDA holds %d IP range(s) that this mda_ip_ranges_exclusive governs (%s) and whose names are not in names, "+
					"and on_unmanaged is \"fail\", so nothing was changed:\n\n%s\n%s",
				len(unmanaged), describeScope(scope), describeRanges(unmanaged), unmanagedImportHint(unmanaged)))
			return nil, false
		}
		failed = r.deleteUnmanaged(ctx, op, unmanaged, diags)
	}
	warnUnmatchedNames(subs, planned, scope, diags)
	return failed, true
}

// deleteUnmanaged deletes each range; a range already gone counts as deleted.
func (r *ipRangesExclusiveResource) deleteUnmanaged(ctx context.Context, op string, ranges []unmanagedRange, diags *diag.Diagnostics) (failed []unmanagedRange) {
	var deleted []unmanagedRange
	for _, u := range ranges {
		err := r.client.DeleteSubnet(ctx, u.ID)
		if err != nil && !mda.IsNotFound(err) {
			addAPIError(diags, fmt.Sprintf("%s mda_ip_ranges_exclusive: IP range %q (%s), which is not in names, was not deleted",
				op, u.Name, u.ID), err)
			failed = append(failed, u)
			continue
		}
		tflog.Info(ctx, "deleted IP range not in names", map[string]any{"name": u.Name, "ip_range_id": u.ID})
		deleted = append(deleted, u)
	}
	if len(deleted) > 0 {
		detail := fmt.Sprintf("on_unmanaged = \"delete\": apply deleted %d IP range(s) from MDA whose names are not in names:\n\n%s",
			len(deleted), strings.TrimRight(describeRanges(deleted), "\n"))
		if len(failed) > 0 {
			detail += fmt.Sprintf("\n\n%d more could not be deleted (see the errors): they stay in unmanaged, so the next plan "+
				"shows them again.", len(failed))
		}
		diags.AddWarning("Deleted IP ranges not in names", detail)
	}
	return failed
}

// warnUnmatchedNames names the names that allow nothing: no governed range has them
// once the ranges this apply creates exist.
func warnUnmatchedNames(subs []mda.Subnet, planned []string, scope exclusiveScope, diags *diag.Diagnostics) {
	var lines string
	for _, n := range planned {
		why := "no custom IP range has this name"
		if slices.Contains(scope.ignore, n) {
			why = "it is also in ignore_names"
		}
		matched := false
		for _, s := range subs {
			if s.Name != n {
				continue
			}
			category := enumWord(categoryNames, s.Category)
			if matched = scope.governs(s.Name, category); !matched && !slices.Contains(scope.ignore, n) {
				why = "its range's category, " + category + ", is not in categories"
			}
			break
		}
		if !matched {
			lines += fmt.Sprintf("  - %q: %s\n", n, why)
		}
	}
	if lines != "" {
		diags.AddWarning("Names that match no governed IP range", "These names in names allow no range this "+
			"mda_ip_ranges_exclusive governs:\n\n"+lines+"\nCheck them for typos. If a range of this configuration is "+
			"created later in the apply, make names refer to its resource (for example [for r in mda_ip_range.all : r.name]), "+
			"so that Terraform creates it before this resource acts.")
	}
}

// adopted reports whether import made the state and no apply has accepted names since.
func adopted(ctx context.Context, get func(context.Context, string) ([]byte, diag.Diagnostics), diags *diag.Diagnostics) bool {
	v, d := get(ctx, privateAdopted)
	diags.Append(d...)
	return len(v) > 0
}

// without returns the elements of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
