package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

var (
	_ resource.ResourceWithConfigure      = (*alertStateResource)(nil)
	_ resource.ResourceWithValidateConfig = (*alertStateResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*alertStateResource)(nil)
	_ resource.ResourceWithImportState    = (*alertStateResource)(nil)
)

// importedKey marks, in private state, an alert state that was just imported: its first
// Read takes read and resolution from MDA, as there is no earlier state to say which of
// them Terraform manages.
const importedKey = "imported"

// NewAlertStateResource is the constructor for mda_alert_state.
func NewAlertStateResource() resource.Resource { return &alertStateResource{} }

// alertStateResource manages whether one alert is read and how it is closed. The alert
// itself belongs to MDA: the resource never creates or deletes one.
type alertStateResource struct{ client *mda.Client }

type alertStateResourceModel struct {
	ID                types.String        `tfsdk:"id"`
	AlertID           types.String        `tfsdk:"alert_id"`
	Read              types.Bool          `tfsdk:"read"`
	Resolution        types.String        `tfsdk:"resolution"`
	Reason            types.String        `tfsdk:"reason"`
	Comment           types.String        `tfsdk:"comment"`
	Feedback          *alertFeedbackModel `tfsdk:"feedback"`
	Title             types.String        `tfsdk:"title"`
	Severity          types.String        `tfsdk:"severity"`
	Status            types.String        `tfsdk:"status"`
	CurrentResolution types.String        `tfsdk:"current_resolution"`
	Timeouts          timeouts.Value      `tfsdk:"timeouts"`
}

type alertFeedbackModel struct {
	Text         types.String `tfsdk:"text"`
	AllowContact types.Bool   `tfsdk:"allow_contact"`
	ContactEmail types.String `tfsdk:"contact_email"`
}

func (r *alertStateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_state"
}

func (r *alertStateResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = alertStateSchemaV0(ctx)
}

// alertStateSchemaV0 is version 0 of the schema. A breaking change adds a V1 beside it,
// with a state upgrader that reads V0 states through this function.
func alertStateSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Manages the state of one existing alert: read or unread, and closed as benign, false " +
			"positive or true positive. MDA raises alerts; this resource never creates or deletes one, and destroying " +
			"it leaves the alert as it is. MDA cannot reopen a closed alert, so a resolution, once applied, is final.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The alert's id in MDA, without the `ca` prefix.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"alert_id": schema.StringAttribute{
				MarkdownDescription: "The alert's id: 24 hexadecimal characters, as in the alert's portal URL, or with the " +
					"`ca` prefix Defender XDR and Microsoft Graph show. Changing it to another alert replaces the resource " +
					"(the old alert is left as it is); adding or removing the prefix changes nothing.",
				Required:   true,
				Validators: []validator.String{alertIDValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = normalizeAlertID(req.StateValue.ValueString()) != normalizeAlertID(req.PlanValue.ValueString())
					},
					"Another alert replaces the resource; adding or removing the ca prefix does not.",
					"Another alert replaces the resource; adding or removing the `ca` prefix does not.",
				)},
			},
			"read": schema.BoolAttribute{
				MarkdownDescription: "`true` marks the alert read, `false` unread. Unset leaves it to people in the portal. " +
					"Marked unread in the portal, it shows as a change on the next plan.",
				Optional: true,
			},
			"resolution": schema.StringAttribute{
				MarkdownDescription: "Closes the alert as `benign`, `false_positive` or `true_positive`, if it is open. " +
					"Unset leaves it open (or as it is). MDA cannot reopen an alert or change how a closed alert was " +
					"classified: changing this once the alert is closed is refused at plan time, and removing it does not " +
					"reopen the alert. Reopened in the portal, the alert shows as a change and is closed again on apply.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(closeResolutionWords...)},
			},
			"reason": schema.StringAttribute{
				MarkdownDescription: "Why the alert is closed, sent with the close. For `benign`: `actual_severity_lower`, " +
					"`confirmed_with_end_user`, `triggered_by_test` or `other`. For `false_positive`: `not_of_interest`, " +
					"`too_many_similar_alerts`, `alert_not_accurate` or `other`. `true_positive` takes none. Checked against " +
					"`resolution` at plan time.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(allCloseReasonWords...)},
			},
			"comment": schema.StringAttribute{
				MarkdownDescription: "A comment recorded with the close. Needs `resolution`. Like `reason` and `feedback`, " +
					"it is sent only when the provider closes the alert.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"feedback": schema.SingleNestedAttribute{
				MarkdownDescription: "Feedback to Microsoft about the detection, sent with the close. Needs `resolution`. " +
					"An attribute, not a block, so that it can be null or come from an expression.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"text": schema.StringAttribute{
						MarkdownDescription: "The feedback. Required when `feedback` is set.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"allow_contact": schema.BoolAttribute{
						MarkdownDescription: "Whether Microsoft may contact you about the feedback. Defaults to `false`.",
						Optional:            true,
					},
					"contact_email": schema.StringAttribute{
						MarkdownDescription: "The address Microsoft may write to. Needs `allow_contact = true`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(3)},
					},
				},
			},
			"title": schema.StringAttribute{
				MarkdownDescription: "The alert's title.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"severity": schema.StringAttribute{
				MarkdownDescription: "The alert's severity: `low`, `medium`, `high` or `informational`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "The alert's status as MDA reports it: `unread`, `read` or `archived`.",
				Computed:            true,
			},
			"current_resolution": schema.StringAttribute{
				MarkdownDescription: "The alert's resolution as MDA reports it: `open`, `benign`, `false_positive`, " +
					"`true_positive`, or the legacy `dismissed` and `resolved`. `resolved` also stands for a closed alert " +
					"whose kind MDA does not say (a resolve time and no resolution code): it is closed, so it is never " +
					"closed again. Unlike `resolution`, it is shown whether or not Terraform closes the alert.",
				Computed: true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, timeouts.Opts{Create: true, Read: true, Update: true}),
		},
	}
}

func (r *alertStateResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client, resp.Diagnostics = clientFromProviderData(req.ProviderData)
}

// ValidateConfig checks what a schema cannot: a reason belongs to one resolution, and
// everything sent with a close needs a resolution to be sent with.
func (r *alertStateResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg alertStateResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Resolution.IsUnknown() {
		return
	}
	resolution := cfg.Resolution.ValueString()
	noResolution := cfg.Resolution.IsNull()
	needsResolution := func(p path.Path, what string) {
		resp.Diagnostics.AddAttributeError(p, "Missing resolution", fmt.Sprintf(
			"%s is sent to MDA when the alert is closed, so it needs resolution (benign, false_positive or true_positive).", what))
	}

	if !cfg.Reason.IsNull() && !cfg.Reason.IsUnknown() {
		reason := cfg.Reason.ValueString()
		_, valid := closeReasonCodes[resolution][reason]
		switch {
		case noResolution:
			needsResolution(path.Root("reason"), "reason")
		case resolution == "true_positive":
			resp.Diagnostics.AddAttributeError(path.Root("reason"), "Reason not valid for the resolution",
				"MDA takes no reason when closing an alert as true_positive. Remove reason, or choose benign or false_positive.")
		case !valid:
			resp.Diagnostics.AddAttributeError(path.Root("reason"), "Reason not valid for the resolution", fmt.Sprintf(
				"%q is not a reason for closing an alert as %s. For %s, reason takes one of: %s.",
				reason, resolution, resolution, strings.Join(closeReasonWords[resolution], ", ")))
		}
	}
	if !cfg.Comment.IsNull() && noResolution {
		needsResolution(path.Root("comment"), "comment")
	}
	if fb := cfg.Feedback; fb != nil {
		if noResolution {
			needsResolution(path.Root("feedback"), "The feedback block")
		}
		if fb.Text.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("feedback").AtName("text"), "Missing feedback text",
				"The feedback block needs text: the feedback sent to Microsoft.")
		}
		if !fb.ContactEmail.IsNull() && !fb.AllowContact.IsUnknown() && !fb.AllowContact.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("feedback").AtName("contact_email"), "Contact not allowed",
				"contact_email is used only when Microsoft may contact you: set allow_contact = true, or remove contact_email.")
		}
	}
}

// ModifyPlan refuses what MDA cannot do, at plan time rather than halfway through an
// apply: closing an alert that is already closed another way (MDA has no reopen), or
// managing an alert that does not exist.
func (r *alertStateResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: the alert is left as it is (the docs say so, Delete logs it)
	}
	var plan alertStateResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.AlertID.IsUnknown() {
		return
	}
	id := normalizeAlertID(plan.AlertID.ValueString())
	plan.ID = types.StringValue(id)
	// After an apply the alert is closed as resolution (or the apply failed), so the
	// plan can say so instead of "known after apply".
	if !plan.Resolution.IsNull() && !plan.Resolution.IsUnknown() {
		plan.CurrentResolution = plan.Resolution
	}

	if req.State.Raw.IsNull() {
		r.checkNewAlert(ctx, id, plan, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	var state alertStateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if normalizeAlertID(state.AlertID.ValueString()) != id {
		// Another alert: Terraform plans the replacement again as a create, which checks it.
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	current := state.CurrentResolution.ValueString()
	closed := current != "" && current != "open"
	switch {
	case plan.Resolution.IsUnknown():
	case plan.Resolution.IsNull():
		if !state.Resolution.IsNull() && closed {
			resp.Diagnostics.AddAttributeWarning(path.Root("resolution"), "The alert stays closed", fmt.Sprintf(
				"Alert %s is closed as %s in MDA. Removing resolution only stops Terraform managing it: MDA cannot reopen "+
					"an alert through its API. Reopen it in the portal if that is what you meant.", id, current))
		}
	case closed && plan.Resolution.ValueString() != current:
		resp.Diagnostics.AddAttributeError(path.Root("resolution"), "Alert already closed", fmt.Sprintf(
			"Alert %s (%s) is closed as %s in MDA, and MDA cannot reopen an alert or change how a closed alert was "+
				"classified, so it cannot be closed as %s. %s To classify it again, reopen it in the portal first.",
			id, state.Title.ValueString(), current, plan.Resolution.ValueString(), adoptAdvice(current)))
	case closed && closeInputsChanged(plan, state):
		resp.Diagnostics.AddAttributeWarning(path.Root("resolution"), "Alert already closed", fmt.Sprintf(
			"Alert %s is already closed as %s. reason, comment and feedback are sent only when the provider closes an "+
				"alert, so this change is recorded in the state but does not reach MDA.", id, current))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkNewAlert looks up the alert a create (or replacement) will manage. The lookup is
// batched with every other alert looked up at the same moment, so planning many alert
// states costs a list request per 100 alerts.
func (r *alertStateResource) checkNewAlert(ctx context.Context, id string, plan alertStateResourceModel, diags *diag.Diagnostics) {
	if r.client == nil {
		return // not configured yet (validation); apply checks again
	}
	a, ok := r.lookupAlert(ctx, id, diags)
	if !ok {
		return
	}
	if plan.Resolution.IsNull() || plan.Resolution.IsUnknown() || a.Resolution == resolutionOpen {
		return
	}
	if current := enumWord(resolutionNames, a.Resolution); current != plan.Resolution.ValueString() {
		diags.AddAttributeError(path.Root("resolution"), "Alert already closed", fmt.Sprintf(
			"Alert %s (%s) is already closed as %s in MDA, and MDA cannot reopen an alert or change how a closed alert "+
				"was classified, so it cannot be closed as %s. %s", id, a.Title, current, plan.Resolution.ValueString(),
			adoptAdvice(current)))
	}
}

// Create and Update are one convergence: both act on what MDA holds now, not on what the
// state said, so creating over an alert closed meanwhile and updating one are the same.
func (r *alertStateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.convergePlan(ctx, req.Plan, true, &resp.State, &resp.Diagnostics)
}

func (r *alertStateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.convergePlan(ctx, req.Plan, false, &resp.State, &resp.Diagnostics)
}

func (r *alertStateResource) convergePlan(ctx context.Context, p tfsdk.Plan, creating bool, state *tfsdk.State, diags *diag.Diagnostics) {
	var plan alertStateResourceModel
	diags.Append(p.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	timeout := plan.Timeouts.Update
	if creating {
		timeout = plan.Timeouts.Create
	}
	ctx, cancel, d := withTimeout(ctx, timeout)
	diags.Append(d...)
	defer cancel()
	m, ok := r.converge(ctx, plan, diags)
	if !ok {
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}

func (r *alertStateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state alertStateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Read)
	resp.Diagnostics.Append(diags...)
	defer cancel()
	imported, diags := req.Private.GetKey(ctx, importedKey)
	resp.Diagnostics.Append(diags...)

	id := normalizeAlertID(state.AlertID.ValueString())
	// Batched: concurrent Reads share list requests of up to 100 alerts, so refreshing N
	// alert states costs about ceil(N/100) requests, not N.
	a, err := r.client.LookupAlert(ctx, id)
	if mda.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Alert no longer exists", fmt.Sprintf(
			"Alert %s (%s) no longer exists in MDA, which purges old alerts. It was removed from the state; remove it "+
				"from the configuration too, since a missing alert cannot be managed.", id, state.Title.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read alert "+id, err)
		return
	}

	m := alertStateFromAPI(a, state)
	// read and resolution mirror MDA only where Terraform manages them (set in the
	// state), so that an alert reopened or marked unread in the portal shows as a change
	// to undo, while unmanaged ones never do. An import manages both, as found.
	if imported != nil || !state.Read.IsNull() {
		m.Read = types.BoolValue(a.Status != alertStatusCodes["unread"])
	}
	if imported != nil || !state.Resolution.IsNull() {
		m.Resolution = types.StringNull() // open: the plan closes it again
		current := enumWord(resolutionNames, a.Resolution)
		// An import adopts only what a configuration can say: an alert closed the legacy
		// way, or without a code, imports with resolution unset (current_resolution
		// shows it), so a configuration that leaves it unset imports with an empty plan.
		if _, settable := closeKinds[current]; a.Resolution != resolutionOpen && (settable || imported == nil) {
			m.Resolution = types.StringValue(current)
		}
	}
	if imported != nil && a.Resolution != resolutionOpen && a.Comment != "" {
		m.Comment = types.StringValue(a.Comment)
	}
	if imported != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *alertStateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state alertStateResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Logged, not warned: a destroy of 60 alert states would print 60 warnings that all say
	// what the docs say once.
	tflog.Info(ctx, "alert left as it is in MDA; removed from the state only", map[string]any{
		"alert_id": state.ID.ValueString(), "title": state.Title.ValueString(),
		"status": state.Status.ValueString(), "resolution": state.CurrentResolution.ValueString(),
	})
}

// ImportState takes the alert's id, with or without the "ca" prefix. The first Read
// after it takes read and resolution from MDA.
func (r *alertStateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !mda.AlertIDPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid alert id", fmt.Sprintf(
			"%q is not an alert id. Import takes the alert's id: 24 hexadecimal characters, as in the alert's portal "+
				"URL, optionally with the ca prefix Defender XDR shows.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), normalizeAlertID(req.ID))...)
	// alert_id keeps the spelling imported, so a configuration that writes the ca prefix
	// imports with an empty plan.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("alert_id"), req.ID)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// converge brings the alert to the plan, sending only what differs: a close when the
// alert is open, mark read or unread when its status differs. The lookup is batched
// with other alerts' lookups, and closes with equal options share one request.
func (r *alertStateResource) converge(ctx context.Context, plan alertStateResourceModel, diags *diag.Diagnostics) (alertStateResourceModel, bool) {
	id := normalizeAlertID(plan.AlertID.ValueString())
	a, ok := r.lookupAlert(ctx, id, diags)
	if !ok {
		return plan, false
	}

	if !plan.Resolution.IsNull() {
		want := plan.Resolution.ValueString()
		switch current := enumWord(resolutionNames, a.Resolution); {
		case a.Resolution == resolutionOpen:
			err := r.client.CloseAlert(ctx, closeKinds[want], id, closeOptions(plan))
			if mda.IsNotFound(err) {
				diags.AddAttributeError(path.Root("alert_id"), "Alert not found", alertNotFoundDetail(id))
				return plan, false
			}
			if err != nil {
				addAPIError(diags, fmt.Sprintf("close alert %s as %s", id, want), err)
				return plan, false
			}
			tflog.Info(ctx, "closed alert", map[string]any{"alert_id": id, "resolution": want})
			a.Resolution = resolutionCodes[want]
		case current != want:
			diags.AddAttributeError(path.Root("resolution"), "Alert already closed", fmt.Sprintf(
				"Alert %s was closed as %s in MDA since the plan was made, and MDA cannot change how a closed alert was "+
					"classified. %s Then apply again.", id, current, adoptAdvice(current)))
			return plan, false
		}
	}

	if !plan.Read.IsNull() {
		var err error
		isRead := a.Status != alertStatusCodes["unread"]
		switch want := plan.Read.ValueBool(); {
		case want && !isRead:
			err = r.client.MarkAlertRead(ctx, id)
			a.Status = alertStatusCodes["read"]
		case !want && isRead:
			err = r.client.MarkAlertUnread(ctx, id)
			a.Status = alertStatusCodes["unread"]
		}
		if err != nil {
			addAPIError(diags, "mark alert "+id+" read or unread", err)
			return plan, false
		}
	}
	return alertStateFromAPI(a, plan), true
}

// lookupAlert finds the alert a plan or an apply is about; a missing alert is an error on
// alert_id. The lookup is batched with every other alert looked up at the same moment.
func (r *alertStateResource) lookupAlert(ctx context.Context, id string, diags *diag.Diagnostics) (*mda.Alert, bool) {
	a, err := r.client.LookupAlert(ctx, id)
	if mda.IsNotFound(err) {
		diags.AddAttributeError(path.Root("alert_id"), "Alert not found", alertNotFoundDetail(id))
		return nil, false
	}
	if err != nil {
		addAPIError(diags, "look up alert "+id, err)
		return nil, false
	}
	return a, true
}

// adoptAdvice is the next step for a configuration whose resolution differs from how
// MDA closed the alert, as sentences the schema accepts: resolution takes only the
// words a close can send, so an alert closed the legacy way (dismissed, resolved) or
// without a code (read as resolved) can only be left with resolution unset.
func adoptAdvice(current string) string {
	if _, settable := closeKinds[current]; settable {
		return fmt.Sprintf("Set resolution = %q to match MDA, or leave resolution unset (read can still be managed). "+
			"With a for_each over mda_alerts, filter the data source on resolution = [\"open\", %q] so that alerts "+
			"closed another way are left out.", current, current)
	}
	return fmt.Sprintf("%s is not a resolution this provider can set, so leave resolution unset for this alert (read "+
		"can still be managed); current_resolution shows how it was closed. With a for_each over mda_alerts, filter the "+
		"data source on resolution = [\"open\", \"<your resolution>\"] so that alerts closed another way are left out.", current)
}

func alertNotFoundDetail(id string) string {
	return fmt.Sprintf("MDA has no alert with the id %s. Copy the id from the alert's portal URL or from the mda_alerts "+
		"data source; alerts MDA has purged cannot be managed, so remove the resource from the configuration.", id)
}

// alertStateFromAPI fills the computed attributes from the alert; prior supplies what
// Terraform manages.
func alertStateFromAPI(a *mda.Alert, prior alertStateResourceModel) alertStateResourceModel {
	m := prior
	m.ID = types.StringValue(a.ID)
	m.Title = stringOrNull(a.Title)
	m.Severity = types.StringValue(enumWord(severityNames, a.Severity))
	m.Status = types.StringValue(enumWord(alertStatusNames, a.Status))
	m.CurrentResolution = types.StringValue(enumWord(resolutionNames, a.Resolution))
	return m
}

// closeOptions builds the close body's optional fields. The reason's code depends on the
// resolution: the endpoints share numbers, not meanings.
func closeOptions(m alertStateResourceModel) mda.CloseOptions {
	opts := mda.CloseOptions{Comment: m.Comment.ValueString()}
	resolution := m.Resolution.ValueString()
	if !m.Reason.IsNull() {
		if code, ok := closeReasonCodes[resolution][m.Reason.ValueString()]; ok {
			opts.ReasonID = &code
		}
	}
	if fb := m.Feedback; fb != nil {
		opts.SendFeedback = true
		opts.FeedbackText = fb.Text.ValueString()
		opts.AllowContact = fb.AllowContact.ValueBool()
		opts.ContactEmail = fb.ContactEmail.ValueString()
	}
	return opts
}

// closeInputsChanged reports whether what is sent with a close changed.
func closeInputsChanged(plan, state alertStateResourceModel) bool {
	if !plan.Reason.Equal(state.Reason) || !plan.Comment.Equal(state.Comment) {
		return true
	}
	p, s := plan.Feedback, state.Feedback
	if p == nil || s == nil {
		return (p == nil) != (s == nil)
	}
	return !p.Text.Equal(s.Text) || !p.AllowContact.Equal(s.AllowContact) || !p.ContactEmail.Equal(s.ContactEmail)
}
