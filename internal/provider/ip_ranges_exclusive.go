package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Helpers of mda_ip_ranges_exclusive: its scope, its model's conversions and its messages.

// exclusiveScope says which custom ranges the resource governs.
type exclusiveScope struct {
	categories []string // category words; nil governs every category
	ignore     []string // names never governed
}

func (s exclusiveScope) governs(name, category string) bool {
	return (s.categories == nil || slices.Contains(s.categories, category)) && !slices.Contains(s.ignore, name)
}

// within reports whether every range s governs is also governed by outer: a plan that
// narrows the scope can say which unmanaged ranges remain from the state alone, one that
// widens it cannot.
func (s exclusiveScope) within(outer exclusiveScope) bool {
	if outer.categories != nil {
		if s.categories == nil {
			return false
		}
		for _, c := range s.categories {
			if !slices.Contains(outer.categories, c) {
				return false
			}
		}
	}
	for _, n := range outer.ignore {
		if !slices.Contains(s.ignore, n) {
			return false
		}
	}
	return true
}

// scopeOf reads the scope of a plan or a state; known is false while either set is
// unknown at plan time.
func scopeOf(ctx context.Context, m ipRangesExclusiveModel) (s exclusiveScope, known bool, diags diag.Diagnostics) {
	var d diag.Diagnostics
	var catKnown, ignKnown bool
	s.categories, catKnown, diags = setStrings(ctx, m.Categories)
	s.ignore, ignKnown, d = setStrings(ctx, m.IgnoreNames)
	diags.Append(d...)
	if s.categories == nil && !m.Categories.IsNull() {
		s.categories = []string{} // an empty set governs nothing, not everything
	}
	return s, catKnown && ignKnown, diags
}

// unmanagedRange is one governed range that names does not allow.
type unmanagedRange struct {
	Name, ID, Category string
	Subnets            []string
}

func unmanagedFromSubnet(s mda.Subnet) unmanagedRange {
	return unmanagedRange{Name: s.Name, ID: s.ID, Category: enumWord(categoryNames, s.Category), Subnets: subnetCIDRs(s)}
}

var unmanagedRangeAttrTypes = map[string]attr.Type{
	"name":     types.StringType,
	"id":       types.StringType,
	"category": types.StringType,
	"subnets":  types.SetType{ElemType: types.StringType},
}

var unmanagedRangeType = types.ObjectType{AttrTypes: unmanagedRangeAttrTypes}

type unmanagedRangeModel struct {
	Name     types.String `tfsdk:"name"`
	ID       types.String `tfsdk:"id"`
	Category types.String `tfsdk:"category"`
	Subnets  types.Set    `tfsdk:"subnets"`
}

func unmanagedListValue(ctx context.Context, ranges []unmanagedRange) (types.List, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	elems := make([]unmanagedRangeModel, 0, len(ranges))
	for _, u := range ranges {
		m := unmanagedRangeModel{Name: types.StringValue(u.Name), ID: types.StringValue(u.ID), Category: types.StringValue(u.Category)}
		m.Subnets, d = types.SetValueFrom(ctx, types.StringType, u.Subnets)
		diags.Append(d...)
		elems = append(elems, m)
	}
	l, d := types.ListValueFrom(ctx, unmanagedRangeType, elems)
	diags.Append(d...)
	return l, diags
}

// unmanagedFromList reads the unmanaged list of a state; null reads as empty.
func unmanagedFromList(ctx context.Context, l types.List) ([]unmanagedRange, diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return nil, nil
	}
	var elems []unmanagedRangeModel
	diags := l.ElementsAs(ctx, &elems, false)
	out := make([]unmanagedRange, 0, len(elems))
	for _, e := range elems {
		u := unmanagedRange{Name: e.Name.ValueString(), ID: e.ID.ValueString(), Category: e.Category.ValueString()}
		if !e.Subnets.IsNull() && !e.Subnets.IsUnknown() {
			diags.Append(e.Subnets.ElementsAs(ctx, &u.Subnets, false)...)
		}
		out = append(out, u)
	}
	return out, diags
}

// setStrings reads a set of strings: nil for null; known is false when the set or one
// of its elements is unknown.
func setStrings(ctx context.Context, s types.Set) (out []string, known bool, diags diag.Diagnostics) {
	if s.IsNull() {
		return nil, true, nil
	}
	if s.IsUnknown() {
		return nil, false, nil
	}
	for _, e := range s.Elements() {
		if e.IsUnknown() {
			return nil, false, nil
		}
	}
	diags = s.ElementsAs(ctx, &out, false)
	return out, true, diags
}

func stringSet(ctx context.Context, names []string) (types.Set, diag.Diagnostics) {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return types.SetValueFrom(ctx, types.StringType, slices.Compact(sorted))
}

func rangeNames(ranges []unmanagedRange) []string {
	out := make([]string, len(ranges))
	for i, u := range ranges {
		out[i] = u.Name
	}
	return out
}

// describeRanges lists ranges one per line, as the diagnostics show them.
func describeRanges(ranges []unmanagedRange) string {
	var b strings.Builder
	for _, u := range ranges {
		fmt.Fprintf(&b, "  - %q (category %s, subnets %s, id %s)\n", u.Name, u.Category, strings.Join(u.Subnets, ", "), u.ID)
	}
	return b.String()
}

// describeScope says in words which ranges the resource governs.
func describeScope(s exclusiveScope) string {
	what := "custom IP ranges of every category"
	if s.categories != nil {
		what = "custom IP ranges in the categories " + strings.Join(s.categories, ", ")
	}
	if len(s.ignore) > 0 {
		what += ", except those in ignore_names"
	}
	return what
}

// importHintBlocks is at most this many import blocks in the fail error: a tenant being
// adopted can hold hundreds of unmanaged ranges, and one example per range teaches nothing
// the first ones did not.
const importHintBlocks = 5

// unmanagedImportHint shows how to bring ranges under management: an import block by id
// and the CLI command, for the first few ranges.
func unmanagedImportHint(ranges []unmanagedRange) string {
	var b strings.Builder
	b.WriteString("To keep a range, manage it: write an mda_ip_range resource for it, import it, and add its name to names. " +
		"With Terraform 1.5 or later, or OpenTofu, an import block:\n\n")
	labels := map[string]bool{}
	for i, u := range ranges {
		if i == importHintBlocks {
			fmt.Fprintf(&b, "  # ... and %d more like these.\n", len(ranges)-i)
			break
		}
		label := uniqueLabel(u.Name, labels)
		fmt.Fprintf(&b, "  import {\n    to = mda_ip_range.%s\n    id = %q\n  }\n", label, u.ID)
	}
	u := ranges[0]
	fmt.Fprintf(&b, "\nor the CLI: terraform import mda_ip_range.%s %s\n\n", uniqueLabel(u.Name, map[string]bool{}), u.ID)
	b.WriteString("With import blocks, terraform plan -generate-config-out=generated.tf writes the resources for you. " +
		"To delete such ranges instead, set on_unmanaged = \"delete\" (apply then deletes every range listed here), or " +
		"delete them in the portal. To leave a range to someone else, add its name to ignore_names.")
	return b.String()
}

// uniqueLabel turns a range name into a Terraform resource label not in used.
func uniqueLabel(name string, used map[string]bool) string {
	var b strings.Builder
	underscore := false
	for _, c := range strings.ToLower(name) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			underscore = false
		} else if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	label := strings.TrimSuffix(b.String(), "_")
	if label == "" || (label[0] >= '0' && label[0] <= '9') {
		label = "range_" + label
		label = strings.TrimSuffix(label, "_")
	}
	unique := label
	for n := 2; used[unique]; n++ {
		unique = fmt.Sprintf("%s_%d", label, n)
	}
	used[unique] = true
	return unique
}
