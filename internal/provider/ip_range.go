package provider

import (
	"context"
	"fmt"
	"sort"

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
		Category:     types.StringValue(categoryWord(s.Category)),
		Organization: stringOrNull(s.Organization),
		BuiltIn:      types.BoolValue(s.BuiltIn),
	}
	cidrs := make([]string, 0, len(s.Subnets))
	for _, n := range s.Subnets {
		cidrs = append(cidrs, n.OriginalString)
	}
	m.Subnets, d = types.SetValueFrom(ctx, types.StringType, cidrs)
	diags.Append(d...)
	m.Tags, d = types.SetValueFrom(ctx, types.StringType, subnetTagNames(s))
	diags.Append(d...)
	return m, diags
}

// categoryWord names a category code; a code this provider does not know is shown as
// "unknown_<n>" rather than failing a read of every range.
func categoryWord(code int) string {
	if w, ok := categoryNames[code]; ok {
		return w
	}
	return fmt.Sprintf("unknown_%d", code)
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
