package provider

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// ipRangeDataModel is one IP range as the data sources show it. The resource has its own
// model because it keeps the user's spelling of subnets and the difference between unset
// and empty tags; data sources show what MDA holds.
type ipRangeDataModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Category     types.String `tfsdk:"category"`
	Subnets      types.Set    `tfsdk:"subnets"`
	Organization types.String `tfsdk:"organization"`
	Tags         types.Set    `tfsdk:"tags"`
	BuiltIn      types.Bool   `tfsdk:"built_in"`
}

// ipRangeDataFromAPI maps an API range for the data sources. Subnets are shown as MDA
// keeps the user's spelling (originalString); tags by name, as they are written. Every
// attribute reads as mda_ip_range reads an imported range (ipRangeFromAPI with no prior
// state): tags and organization are null when the range has none, not [] or "". A
// resource fed from this object (for_each over mda_ip_ranges, to adopt a tenant) then
// plans no update after its import; with tags = [] it planned one per untagged range, and
// each such update is a request.
func ipRangeDataFromAPI(ctx context.Context, s mda.Subnet) (ipRangeDataModel, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	m := ipRangeDataModel{
		ID:           types.StringValue(s.ID),
		Name:         types.StringValue(s.Name),
		Category:     types.StringValue(enumWord(categoryNames, s.Category)),
		Organization: stringOrNull(s.Organization),
		Tags:         types.SetNull(types.StringType),
		BuiltIn:      types.BoolValue(s.BuiltIn),
	}
	m.Subnets, d = types.SetValueFrom(ctx, types.StringType, subnetCIDRs(s))
	diags.Append(d...)
	if len(s.Tags) > 0 {
		m.Tags, d = types.SetValueFrom(ctx, types.StringType, subnetTagNames(s))
		diags.Append(d...)
	}
	return m, diags
}

// ipRangeDataAttributes describes one range in the data sources.
func ipRangeDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":       schema.StringAttribute{MarkdownDescription: "The range's id (24 hexadecimal characters).", Computed: true},
		"name":     schema.StringAttribute{MarkdownDescription: "The range's unique name.", Computed: true},
		"category": schema.StringAttribute{MarkdownDescription: "The category: `corporate`, `administrative`, `risky`, `vpn`, `cloud_provider` or `other`.", Computed: true},
		"subnets": schema.SetAttribute{
			MarkdownDescription: "The range's subnets as written when they were saved (IPv4 or IPv6, CIDR or bare address).",
			Computed:            true, ElementType: types.StringType,
		},
		"organization": schema.StringAttribute{MarkdownDescription: "The registered ISP override, or null.", Computed: true},
		"tags": schema.SetAttribute{
			MarkdownDescription: "The names of the range's tags; null when it has none, as `mda_ip_range` reads it, so " +
				"a range fed from this object plans no change after its import.",
			Computed: true, ElementType: types.StringType,
		},
		"built_in": schema.BoolAttribute{MarkdownDescription: "Whether Microsoft provides the range (it cannot be edited).", Computed: true},
	}
}

// findCustomSubnet looks a custom range up by id or, when id is "", by name, in the run's
// shared listing; mda.FindBuiltInSubnet takes the same pair for built-in ranges.
func findCustomSubnet(ctx context.Context, c *mda.Client, id, name string) (*mda.Subnet, error) {
	if id != "" {
		return c.LookupSubnet(ctx, id)
	}
	return c.FindSubnetByName(ctx, name)
}

// customIPRanges returns the custom ranges for which match is true, sorted by name, from the
// run's shared listing: a plan that refreshes every mda_ip_range and reads the data
// sources pays for one walk of the ranges in all.
//
// A range this client wrote earlier in the run sits in that listing as it was sent (Raw
// is nil). Its tags are the tag objects the listings already knew for the names or ids
// sent; a tag sent by an id no listing holds has no name there. A data source must not
// show an empty name, nor filter on it. So when a range that matches is such a write, the
// custom ranges are listed once more, straight from MDA. That only happens in an apply
// where the data source reads after ranges it depends on were written with tag ids the
// run had not seen, and costs ceil(custom / 100) requests.
// The answer is not put back into the shared listing: the resources compare with what
// they sent, which it holds. Dropping it instead (InvalidateSubnets) would send every
// other user of the listing to walk it again, and a walk replays the writes that finish
// while it runs, so the new listing could hold written strings again.
func customIPRanges(ctx context.Context, c *mda.Client, match func(mda.Subnet) bool) ([]mda.Subnet, error) {
	listed, err := c.CustomSubnets(ctx)
	if err != nil {
		return nil, err
	}
	ranges := slices.DeleteFunc(listed, func(s mda.Subnet) bool { return !match(s) })
	if !slices.ContainsFunc(ranges, writtenWithUnnamedTags) {
		return ranges, nil
	}
	custom := false
	res, err := c.ListSubnets(ctx, mda.SubnetQuery{BuiltIn: &custom})
	if err != nil {
		return nil, err
	}
	ranges = slices.DeleteFunc(res.Items, func(s mda.Subnet) bool { return !match(s) })
	slices.SortFunc(ranges, func(a, b mda.Subnet) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return ranges, nil
}

// writtenWithUnnamedTags reports whether the run's listing holds s as this client sent
// it, with a tag whose name it does not know (see customIPRanges).
func writtenWithUnnamedTags(s mda.Subnet) bool {
	return s.Raw == nil && slices.ContainsFunc(s.Tags, func(t mda.SubnetTag) bool { return t.Name == "" })
}

// subnetCIDRs returns a range's subnets as the user wrote them (MDA's originalString).
func subnetCIDRs(s mda.Subnet) []string {
	cidrs := make([]string, 0, len(s.Subnets))
	for _, n := range s.Subnets {
		cidrs = append(cidrs, n.OriginalString)
	}
	return cidrs
}

// subnetTagNames returns the names of a range's tags: tags go in as names and come back
// as objects.
func subnetTagNames(s mda.Subnet) []string {
	names := make([]string, 0, len(s.Tags))
	for _, t := range s.Tags {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
