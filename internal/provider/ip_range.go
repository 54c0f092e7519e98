package provider

import (
	"context"
	"sort"

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
// keeps the user's spelling (originalString); tags by name, as they are written.
func ipRangeDataFromAPI(ctx context.Context, s mda.Subnet) (ipRangeDataModel, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	m := ipRangeDataModel{
		ID:           types.StringValue(s.ID),
		Name:         types.StringValue(s.Name),
		Category:     types.StringValue(enumWord(categoryNames, s.Category)),
		Organization: stringOrNull(s.Organization),
		BuiltIn:      types.BoolValue(s.BuiltIn),
	}
	m.Subnets, d = types.SetValueFrom(ctx, types.StringType, subnetCIDRs(s))
	diags.Append(d...)
	m.Tags, d = types.SetValueFrom(ctx, types.StringType, subnetTagNames(s))
	diags.Append(d...)
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
			MarkdownDescription: "The names of the range's tags.", Computed: true, ElementType: types.StringType,
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
