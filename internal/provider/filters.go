package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// The shared machinery of list data sources (mda_alerts now; activities, files and
// entities later). Each list data source has typed convenience attributes (words, RFC
// 3339 times) that it turns into API filters itself, plus the pieces here:
//
//   - filters:        the API's own filter object as JSON, checked at plan time;
//   - max_results:    how many items to fetch, which bounds the requests spent;
//   - total, truncated: what the API counted and whether items were left out.
//
// The typed attributes and filters combine with AND, as different API fields do. The
// same API field set both ways would be ambiguous (AND or replace?), so it is refused.

// filterOperators are the operators the API documents (mda-api.md 1.5).
var filterOperators = []string{
	"eq", "neq", "deq", "gt", "gte", "lt", "lte", "range", "gte_ndays", "lte_ndays",
	"isset", "isnotset", "contains", "ncontains", "startswith", "doesnotstartwith", "endswith",
	"startswithsingle", "descendantof", "ndescendantof", "text", "cabinetmatchedrulesequals",
}

const (
	defaultMaxResults = 100
	maxMaxResults     = 5000
)

// filterField ties a typed attribute of a list data source to the API filter field it
// sets, so that setting the field in filters as well can be refused, naming both.
type filterField struct {
	Attribute string // the Terraform attribute, e.g. "since"
	Field     string // the API filter field, e.g. "date"
}

// listFilterModel is the part of a list data source's model that every list shares.
// Embed it (unnamed) in the data source's model.
type listFilterModel struct {
	Filters    types.String `tfsdk:"filters"`
	MaxResults types.Int64  `tfsdk:"max_results"`
	Total      types.Int64  `tfsdk:"total"`
	Truncated  types.Bool   `tfsdk:"truncated"`
}

// listFilterAttributes returns the schema of listFilterModel for a data source listing
// items called plural (e.g. "alerts") whose typed attributes are fields.
func listFilterAttributes(plural string, fields []filterField) map[string]schema.Attribute {
	var typed []string
	for _, f := range fields {
		typed = append(typed, fmt.Sprintf("`%s` sets `%s`", f.Attribute, f.Field))
	}
	return map[string]schema.Attribute{
		"filters": schema.StringAttribute{
			MarkdownDescription: "More conditions in the API's own filter syntax: a JSON object of field → operator → " +
				"operand, best written with `jsonencode`, for example `jsonencode({ \"entity.policy\" = { eq = [\"<policy id>\"] } })`. " +
				"Operators: `" + strings.Join(filterOperators, "`, `") + "`. Checked at plan time. These conditions and the typed " +
				"attributes combine with AND, and each API field may be set one way only (" + strings.Join(typed, "; ") + ").",
			Optional:   true,
			Validators: []validator.String{filtersJSONValidator{}},
		},
		"max_results": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("The most %[1]s to return, between 1 and %[2]d. Defaults to `%[3]d`. MDA sends "+
				"at most 100 items per request, so this also bounds the requests the data source spends: "+
				"ceil(max_results / 100), against a tenant budget of 30 requests a minute. When more %[1]s match, "+
				"`truncated` is `true`.", plural, maxMaxResults, defaultMaxResults),
			Optional:   true,
			Computed:   true,
			Validators: []validator.Int64{int64validator.Between(1, maxMaxResults)},
		},
		"total": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("How many %s match, as MDA counted them; may be more than were returned. "+
				"For very large results MDA gives a lower bound.", plural),
			Computed: true,
		},
		"truncated": schema.BoolAttribute{
			MarkdownDescription: fmt.Sprintf("Whether more %s matched than `max_results` allowed, so some were left out.", plural),
			Computed:            true,
		},
	}
}

// sortAttributes returns sort_field and sort_direction for a list whose API sorts by
// sortFields. Unset leaves the API's default order.
func sortAttributes(plural string, sortFields []string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"sort_field": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("Sort the %s by one of `%s`. Unset leaves MDA's default order.",
				plural, strings.Join(sortFields, "`, `")),
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOf(sortFields...)},
		},
		"sort_direction": schema.StringAttribute{
			MarkdownDescription: "`asc` or `desc`. Used with `sort_field`.",
			Optional:            true,
			Validators: []validator.String{
				stringvalidator.OneOf("asc", "desc"),
				stringvalidator.AlsoRequires(path.MatchRoot("sort_field")),
			},
		},
	}
}

// query merges the typed filters with the filters attribute and returns the query's
// filters and item budget. It repeats the plan-time conflict check, because a value
// unknown at plan time is only checked here.
func (m *listFilterModel) query(typed mda.Filters, fields []filterField) (mda.Filters, int, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m.MaxResults.IsNull() || m.MaxResults.IsUnknown() {
		m.MaxResults = types.Int64Value(defaultMaxResults)
	}
	var raw rawFilters
	if !m.Filters.IsNull() && !m.Filters.IsUnknown() {
		var err error
		raw, err = parseRawFilters(m.Filters.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("filters"), "Invalid filters", err.Error())
			return nil, 0, diags
		}
	}
	merged, err := mergeFilters(typed, raw, fields)
	if err != nil {
		diags.AddAttributeError(path.Root("filters"), "Filter set twice", err.Error())
		return nil, 0, diags
	}
	return merged, int(m.MaxResults.ValueInt64()), diags
}

// setResult records what the listing found.
func (m *listFilterModel) setResult(total int, truncated bool) {
	m.Total = types.Int64Value(int64(total))
	m.Truncated = types.BoolValue(truncated)
}

// rawFilters is the filters attribute parsed: field -> operator -> operand, operands kept
// as the user wrote them so numbers and objects reach the API unchanged.
type rawFilters map[string]map[string]json.RawMessage

// parseRawFilters checks the shape of a filters attribute: a JSON object of field ->
// non-empty object of documented operator -> operand. Field names are not checked, since
// they differ per list and MDA adds some; MDA itself answers an unknown one with a 400.
func parseRawFilters(s string) (rawFilters, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("filters must be a JSON object of field → operator → operand, written for example with "+
			"jsonencode({ \"entity.policy\" = { eq = [\"<id>\"] } }); parsing it failed: %s", err)
	}
	if dec.More() {
		return nil, errors.New("filters must be one JSON object, but more follows it")
	}
	if top == nil {
		return nil, errors.New("filters must be a JSON object of field → operator → operand, not null; leave the attribute unset for no filters")
	}
	out := make(rawFilters, len(top))
	for _, fieldName := range slices.Sorted(maps.Keys(top)) {
		if strings.TrimSpace(fieldName) == "" {
			return nil, errors.New("filters has an empty field name")
		}
		var ops map[string]json.RawMessage
		if err := json.Unmarshal(top[fieldName], &ops); err != nil || ops == nil {
			return nil, fmt.Errorf("filters field %q must be an object of operator → operand, such as { eq = [...] }; got %s",
				fieldName, compactJSON(top[fieldName]))
		}
		if len(ops) == 0 {
			return nil, fmt.Errorf("filters field %q has no operator; give one of: %s", fieldName, strings.Join(filterOperators, ", "))
		}
		for _, op := range slices.Sorted(maps.Keys(ops)) {
			if !slices.Contains(filterOperators, op) {
				return nil, fmt.Errorf("filters field %q uses the unknown operator %q; MDA documents: %s",
					fieldName, op, strings.Join(filterOperators, ", "))
			}
			if bytes.Equal(bytes.TrimSpace(ops[op]), []byte("null")) {
				return nil, fmt.Errorf("filters field %q operator %q has a null operand", fieldName, op)
			}
		}
		out[fieldName] = ops
	}
	return out, nil
}

// mergeFilters combines typed and raw filters by AND: the result has every field of both.
// A field in both is refused, naming the typed attribute (from fields) that set it.
func mergeFilters(typed mda.Filters, raw rawFilters, fields []filterField) (mda.Filters, error) {
	out := make(mda.Filters, len(typed)+len(raw))
	for f, ops := range typed {
		out[f] = ops
	}
	for _, f := range slices.Sorted(maps.Keys(raw)) {
		if _, dup := out[f]; dup {
			return nil, conflictError(f, fields)
		}
		ops := make(map[string]any, len(raw[f]))
		for op, operand := range raw[f] {
			ops[op] = operand
		}
		out[f] = ops
	}
	return out, nil
}

func conflictError(field string, fields []filterField) error {
	var attrs []string
	for _, f := range fields {
		if f.Field == field {
			attrs = append(attrs, "`"+f.Attribute+"`")
		}
	}
	return fmt.Errorf("the API field %q is set both by %s and by `filters`. Set it one way only: remove %q from "+
		"filters, or unset %s", field, strings.Join(attrs, " and "), field, strings.Join(attrs, " and "))
}

// filtersJSONValidator checks a filters attribute at plan time.
type filtersJSONValidator struct{}

var _ validator.String = filtersJSONValidator{}

func (filtersJSONValidator) Description(context.Context) string {
	return "must be a JSON object of field → object of operator → operand, with documented operators"
}

func (v filtersJSONValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (filtersJSONValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseRawFilters(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid filters", err.Error())
	}
}

// filtersConflictValidator refuses, at plan time, an API field set both by a typed
// attribute and by filters. Values still unknown at plan time are checked by Read.
type filtersConflictValidator struct{ fields []filterField }

var _ datasource.ConfigValidator = filtersConflictValidator{}

func (filtersConflictValidator) Description(context.Context) string {
	return "an API filter field may be set by a typed attribute or by filters, not both"
}

func (v filtersConflictValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v filtersConflictValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var raw types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("filters"), &raw)...)
	if resp.Diagnostics.HasError() || raw.IsNull() || raw.IsUnknown() {
		return
	}
	parsed, err := parseRawFilters(raw.ValueString())
	if err != nil {
		return // filtersJSONValidator reports it
	}
	typed := mda.Filters{}
	for _, f := range v.fields {
		var val attr.Value
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(f.Attribute), &val)...)
		if val == nil || val.IsNull() || val.IsUnknown() {
			continue
		}
		typed[f.Field] = map[string]any{}
	}
	if _, err := mergeFilters(typed, parsed, v.fields); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("filters"), "Filter set twice", err.Error())
	}
}

// rfc3339Validator checks a timestamp attribute at plan time.
type rfc3339Validator struct{}

var _ validator.String = rfc3339Validator{}

func (rfc3339Validator) Description(context.Context) string {
	return "must be an RFC 3339 timestamp such as 2025-01-31T08:00:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp", fmt.Sprintf(
			"%q is not an RFC 3339 timestamp: write it like 2025-01-31T08:00:00Z or 2025-01-31T09:00:00+01:00, or "+
				"compute one with timeadd(timestamp(), \"-168h\").", req.ConfigValue.ValueString()))
	}
}

// rfc3339Millis turns an RFC 3339 attribute into the API's Unix milliseconds.
func rfc3339Millis(v types.String) (int64, error) {
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

// formatMillis shows an API timestamp as RFC 3339 in UTC, keeping milliseconds when
// there are any, so a value fed back into since or until loses nothing.
func formatMillis(ms int64) string {
	return formatTime(time.UnixMilli(ms))
}

// formatTime shows a time as RFC 3339 in UTC with milliseconds when there are any.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999Z07:00")
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
