package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// Unit tests of the pure conversions between API objects and models: the acceptance tests
// reach them only through a CLI, and a mapping slip there shows as a diff, not as a
// message naming the field.

func testCIDRs(t *testing.T, cidrs ...string) cidrSetValue {
	t.Helper()
	v, diags := newCIDRSetValue(context.Background(), cidrs)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return v
}

func testStringSet(t *testing.T, values ...string) types.Set {
	t.Helper()
	// A non-nil slice, so that no values makes an empty set, not a null one.
	v, diags := types.SetValueFrom(context.Background(), types.StringType, append([]string{}, values...))
	if diags.HasError() {
		t.Fatal(diags)
	}
	return v
}

func sortedSetStrings(t *testing.T, s types.Set) []string {
	t.Helper()
	if s.IsNull() {
		return nil
	}
	var out []string
	if diags := s.ElementsAs(context.Background(), &out, false); diags.HasError() {
		t.Fatal(diags)
	}
	slices.Sort(out)
	return out
}

func TestIPRangeToAPI_sendsTheWholeRange(t *testing.T) {
	in, diags := ipRangeToAPI(context.Background(), ipRangeResourceModel{
		Name:         types.StringValue("office"),
		Category:     types.StringValue("vpn"),
		Organization: types.StringValue("Contoso ISP"),
		// The same network twice in two spellings: MDA would refuse the overlap.
		Subnets: testCIDRs(t, "2001:db8::/32", "2001:0DB8::/32", "192.0.2.0/24"),
		Tags:    testStringSet(t, "zeta", "alpha"),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	mustEqualProvider(t, "name", in.Name, "office")
	mustEqualProvider(t, "category", in.Category, 4)
	mustEqualProvider(t, "organization", in.Organization, "Contoso ISP")
	if len(in.Subnets) != 2 || !slices.Contains(in.Subnets, "192.0.2.0/24") {
		t.Errorf("subnets %v: a repeated CIDR must be sent once", in.Subnets)
	}
	if !slices.Equal(in.Tags, []string{"alpha", "zeta"}) {
		t.Errorf("tags %v, want them sorted so that the body does not change from run to run", in.Tags)
	}

	unset, _ := ipRangeToAPI(context.Background(), ipRangeResourceModel{
		Name: types.StringValue("x"), Category: types.StringValue("other"), Subnets: testCIDRs(t, "198.51.100.7"),
		Tags: types.SetNull(types.StringType), Organization: types.StringNull(),
	})
	if unset.Tags != nil || unset.Organization != "" {
		t.Errorf("unset tags and organization are sent as %v and %q", unset.Tags, unset.Organization)
	}
}

func TestIPRangeFromAPI(t *testing.T) {
	ctx := context.Background()
	api := &mda.Subnet{
		ID: "r1", Name: "office", Category: 1, Organization: "",
		Subnets: []mda.SubnetCIDR{{OriginalString: "10.0.0.0/8"}},
		Tags: []mda.SubnetTag{
			{ID: "000000290000000000000000", Name: "Corporate egress"},
			{ID: "5f00000000000000000000aa", Name: "lab"},
		},
	}
	// The user wrote one tag by id and one by name: each reads back as written.
	prior := ipRangeResourceModel{Tags: testStringSet(t, "000000290000000000000000", "lab")}
	m, diags := ipRangeFromAPI(ctx, api, prior)
	if diags.HasError() {
		t.Fatal(diags)
	}
	mustEqualProvider(t, "id", m.ID.ValueString(), "r1")
	mustEqualProvider(t, "category", m.Category.ValueString(), "corporate")
	if !m.Organization.IsNull() {
		t.Errorf("organization %v, want null for MDA's null", m.Organization)
	}
	if got := sortedSetStrings(t, m.Tags); !slices.Equal(got, []string{"000000290000000000000000", "lab"}) {
		t.Errorf("tags %v, want them as the configuration wrote them", got)
	}

	// Unset tags stay null when MDA has none; tags = [] stays an empty set.
	bare := &mda.Subnet{ID: "r2", Name: "bare", Category: 6, Subnets: api.Subnets}
	if m, _ := ipRangeFromAPI(ctx, bare, ipRangeResourceModel{Tags: types.SetNull(types.StringType)}); !m.Tags.IsNull() {
		t.Errorf("tags %v, want null", m.Tags)
	}
	if m, _ := ipRangeFromAPI(ctx, bare, ipRangeResourceModel{Tags: testStringSet(t)}); m.Tags.IsNull() || len(m.Tags.Elements()) != 0 {
		t.Errorf("tags %v, want an empty set", m.Tags)
	}
	// Tags added in the portal to a range whose tags were unset show as a change, by name.
	if m, _ := ipRangeFromAPI(ctx, api, ipRangeResourceModel{Tags: types.SetNull(types.StringType)}); !slices.Equal(sortedSetStrings(t, m.Tags), []string{"Corporate egress", "lab"}) {
		t.Errorf("tags %v, want the names MDA shows", sortedSetStrings(t, m.Tags))
	}

	// A category this provider does not know is an error, and the prior model stands.
	unknown := *api
	unknown.Category = 9
	got, diags := ipRangeFromAPI(ctx, &unknown, prior)
	if !diags.HasError() || !got.ID.IsNull() {
		t.Errorf("category 9: diags %v, model id %v", diags, got.ID)
	}
}

func TestSubnetMatchesInput(t *testing.T) {
	api := mda.Subnet{
		Name: "office", Category: 1, Organization: "ISP",
		Subnets: []mda.SubnetCIDR{{OriginalString: "10.0.0.0/8"}, {OriginalString: "2001:db8::/32"}},
		Tags:    []mda.SubnetTag{{ID: "t1", Name: "one"}, {ID: "t2", Name: "two"}},
	}
	in := mda.SubnetInput{Name: "office", Category: 1, Organization: "ISP",
		Subnets: []string{"2001:0db8::/32", "10.0.0.0/8"}, Tags: []string{"t1", "two"}}
	if !subnetMatchesInput(api, in) {
		t.Fatal("the range that a create sent does not match it (CIDRs by meaning, tags by id or name)")
	}
	for name, edit := range map[string]func(*mda.SubnetInput){
		"another name":         func(i *mda.SubnetInput) { i.Name = "Office" },
		"another category":     func(i *mda.SubnetInput) { i.Category = 2 },
		"another organization": func(i *mda.SubnetInput) { i.Organization = "" },
		"another subnet":       func(i *mda.SubnetInput) { i.Subnets = []string{"10.0.0.0/9", "2001:db8::/32"} },
		"a tag fewer":          func(i *mda.SubnetInput) { i.Tags = []string{"t1"} },
		"another tag":          func(i *mda.SubnetInput) { i.Tags = []string{"t1", "three"} },
	} {
		changed := in
		changed.Tags = slices.Clone(in.Tags)
		edit(&changed)
		if subnetMatchesInput(api, changed) {
			t.Errorf("%s: matched, so an ambiguous create would adopt a range that is not the one it sent", name)
		}
	}
}

func TestAlertStateFromAPI(t *testing.T) {
	prior := alertStateResourceModel{
		AlertID:    types.StringValue("ca55af7415f8a0a7a29eef2e1f"),
		Resolution: types.StringValue("benign"),
		Read:       types.BoolValue(true),
	}
	m := alertStateFromAPI(&mda.Alert{ID: "55af7415f8a0a7a29eef2e1f", Title: "Impossible travel", Severity: 2, Status: 1, Resolution: 4}, prior)
	mustEqualProvider(t, "id", m.ID.ValueString(), "55af7415f8a0a7a29eef2e1f")
	mustEqualProvider(t, "title", m.Title.ValueString(), "Impossible travel")
	mustEqualProvider(t, "severity", m.Severity.ValueString(), "high")
	mustEqualProvider(t, "status", m.Status.ValueString(), "read")
	mustEqualProvider(t, "current_resolution", m.CurrentResolution.ValueString(), "benign")
	// What Terraform manages is the configuration's, as written.
	mustEqualProvider(t, "alert_id", m.AlertID.ValueString(), "ca55af7415f8a0a7a29eef2e1f")
	mustEqualProvider(t, "resolution", m.Resolution.ValueString(), "benign")

	if m := alertStateFromAPI(&mda.Alert{ID: "x", Resolution: 0}, prior); m.Title.IsNull() == false || m.CurrentResolution.ValueString() != "open" {
		t.Errorf("an alert without a title and resolution: title %v, resolution %v", m.Title, m.CurrentResolution)
	}
}

func mustEqualProvider[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
