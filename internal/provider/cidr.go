package provider

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A set of subnets compares by meaning, not spelling. MDA keeps each subnet as the user
// wrote it (originalString) but users write the same network many ways: host bits set
// (10.0.0.1/8), a bare address for a /32 or /128, compressed or expanded IPv6, repeats.
// When what MDA holds means what the configuration says, the framework keeps the prior
// value (the user's spelling) and the plan stays empty.

var (
	_ basetypes.SetTypable                    = cidrSetType{}
	_ basetypes.SetValuableWithSemanticEquals = cidrSetValue{}
)

type cidrSetType struct {
	basetypes.SetType
}

func newCIDRSetType() cidrSetType {
	return cidrSetType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t cidrSetType) Equal(o attr.Type) bool {
	other, ok := o.(cidrSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t cidrSetType) String() string { return "cidrSetType" }

func (t cidrSetType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return cidrSetValue{SetValue: in}, nil
}

func (t cidrSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return cidrSetValue{SetValue: set}, nil
}

func (t cidrSetType) ValueType(_ context.Context) attr.Value { return cidrSetValue{} }

type cidrSetValue struct {
	basetypes.SetValue
}

// newCIDRSetValue builds a known set from subnet strings.
func newCIDRSetValue(ctx context.Context, cidrs []string) (cidrSetValue, diag.Diagnostics) {
	v, diags := types.SetValueFrom(ctx, types.StringType, cidrs)
	return cidrSetValue{SetValue: v}, diags
}

func (v cidrSetValue) Type(_ context.Context) attr.Type { return newCIDRSetType() }

func (v cidrSetValue) Equal(o attr.Value) bool {
	other, ok := o.(cidrSetValue)
	return ok && v.SetValue.Equal(other.SetValue)
}

func (v cidrSetValue) SetSemanticEquals(ctx context.Context, newValuable basetypes.SetValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(cidrSetValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected cidrSetValue, got %T. This is a bug in the provider; please report it.", newValuable))
		return false, diags
	}
	a, err := canonicalCIDRSet(ctx, v)
	if err != nil {
		return false, diags
	}
	b, err := canonicalCIDRSet(ctx, newValue)
	if err != nil {
		return false, diags
	}
	return maps.Equal(a, b), diags
}

// strings returns the elements of a known set.
func (v cidrSetValue) strings(ctx context.Context) ([]string, diag.Diagnostics) {
	var out []string
	diags := v.ElementsAs(ctx, &out, false)
	return out, diags
}

// canonicalCIDR reduces one subnet spelling to the network it means: the masked prefix in
// netip's canonical form, with /32 or /128 for a bare address.
func canonicalCIDR(s string) (string, error) {
	if s != strings.TrimSpace(s) || s == "" {
		return "", fmt.Errorf("%q has surrounding white space or is empty", s)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", fmt.Errorf("%q is not an IPv4 or IPv6 CIDR block: %w", s, err)
		}
		return p.Masked().String(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", fmt.Errorf("%q is not an IPv4 or IPv6 address or CIDR block: %w", s, err)
	}
	if a.Zone() != "" {
		return "", fmt.Errorf("%q has an IPv6 zone, which MDA does not accept", s)
	}
	return netip.PrefixFrom(a, a.BitLen()).String(), nil
}

func canonicalCIDRSet(ctx context.Context, v cidrSetValue) (map[string]bool, error) {
	if v.IsNull() || v.IsUnknown() {
		return nil, fmt.Errorf("not known")
	}
	elems, diags := v.strings(ctx)
	if diags.HasError() {
		return nil, fmt.Errorf("not a set of strings")
	}
	return canonicalCIDRs(elems)
}

// canonicalCIDRs returns the networks that subnet spellings mean, as a set.
func canonicalCIDRs(cidrs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(cidrs))
	for _, s := range cidrs {
		c, err := canonicalCIDR(s)
		if err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, nil
}

// dedupeCIDRs drops spellings of a network already listed, keeping the first, so that MDA
// is never sent one network twice (it refuses overlapping subnets).
func dedupeCIDRs(cidrs []string) []string {
	seen := make(map[string]bool, len(cidrs))
	out := make([]string, 0, len(cidrs))
	for _, c := range cidrs {
		key, err := canonicalCIDR(c)
		if err != nil {
			key = c
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	return out
}

// cidrElementsValidator rejects at plan time what MDA would reject at apply time.
type cidrElementsValidator struct{}

var _ validator.Set = cidrElementsValidator{}

func (cidrElementsValidator) Description(_ context.Context) string {
	return "each element must be an IPv4 or IPv6 address or CIDR block"
}

func (v cidrElementsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (cidrElementsValidator) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if _, err := canonicalCIDR(s.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtSetValue(s), "Invalid subnet",
				fmt.Sprintf("%s: %s. Write an IPv4 or IPv6 address (10.1.2.3, 2001:db8::1) or a CIDR block "+
					"(10.0.0.0/8, 2001:db8::/32).", req.Path, err))
		}
	}
}
