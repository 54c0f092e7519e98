package mda

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// CustomSubnets and BuiltInSubnets against the mock: what the data sources and
// mda_ip_ranges_exclusive read, and what they must share with every refresh.

const listRoute = "POST /api/v1/subnet/"

func bySubnetName(a, b Subnet) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
}

func TestCustomSubnets_sortedAndOneWalkSharedWithLookups(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	// Created out of name order, so that a listing in creation order is not sorted.
	for i, name := range []string{"zulu", "Alpha", "mike", "alpha", "échelle", "Zulu 2"} {
		if _, err := m.AddSubnet(name, CategoryVPN, []string{fmt.Sprintf("192.0.2.%d/32", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	seeded := m.SeedSubnets(244, "bulk-")
	var customIDs, builtInNames []string
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			builtInNames = append(builtInNames, s.Name)
		} else {
			customIDs = append(customIDs, s.ID)
		}
	}
	c, _, _ := mockClient(t, m)
	ctx := context.Background()

	// Concurrent callers of every kind share the one walk: 250 ranges, 3 pages.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			var err error
			switch i % 3 {
			case 0:
				_, err = c.CustomSubnets(ctx)
			case 1:
				_, err = c.LookupSubnet(ctx, seeded[i].ID)
			default:
				_, err = c.FindSubnetByName(ctx, seeded[i].Name)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := c.CustomSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range customIDs {
		if _, err := c.LookupSubnet(ctx, id); err != nil {
			t.Errorf("LookupSubnet(%s) after CustomSubnets: %v", id, err)
		}
	}
	mustEqual(t, "list requests for every lookup and listing of 250 ranges", m.Stats().Routes[listRoute], 3)

	mustEqual(t, "custom ranges", len(got), len(customIDs))
	if !slices.IsSortedFunc(got, bySubnetName) {
		t.Errorf("CustomSubnets is not sorted by name: %v", subnetNames(got))
	}
	mustEqual(t, "first", got[0].Name, "Alpha")
	mustEqual(t, "last", got[len(got)-1].Name, "échelle")
	for _, s := range got {
		if s.BuiltIn || slices.Contains(builtInNames, s.Name) {
			t.Errorf("built-in range %q in the custom listing", s.Name)
		}
		if s.Raw == nil || len(s.Subnets) == 0 {
			t.Errorf("range %q lacks what MDA sent: %+v", s.Name, s)
		}
	}
}

func TestBuiltInSubnets_sortedMarkedAndShared(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.SeedSubnets(5, "custom-")
	var want []string
	for _, s := range m.Subnets() {
		if s.BuiltIn {
			want = append(want, s.Name)
		}
	}
	slices.Sort(want)
	c, _, _ := mockClient(t, m)
	ctx := context.Background()

	got, err := c.BuiltInSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if names := subnetNames(got); !slices.Equal(names, want) {
		t.Errorf("BuiltInSubnets = %q, want %q", names, want)
	}
	for _, s := range got {
		if !s.BuiltIn || len(s.Tags) == 0 || s.Tags[0].Name == "" {
			t.Errorf("built-in range %q: BuiltIn %v, tags %+v", s.Name, s.BuiltIn, s.Tags)
		}
	}
	if _, err := c.FindBuiltInSubnet(ctx, got[0].ID, ""); err != nil {
		t.Error(err)
	}
	if _, err := c.BuiltInSubnets(ctx); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "list requests for built-in ranges (once, apart from the custom ones)", m.Stats().Routes[listRoute], 1)

	if _, err := c.FindSubnetByName(ctx, got[0].Name); !IsNotFound(err) {
		t.Errorf("a built-in range found among custom ones: %v", err)
	}
	mustEqual(t, "list requests once the custom ranges are listed too", m.Stats().Routes[listRoute], 2)
}

// TestCustomSubnets_reflectWrites: the client's own writes show in the listing without
// another walk, as sent (Raw nil, tags as the strings sent: here a tag id), until the
// listing is dropped and MDA's own answer replaces them.
func TestCustomSubnets_reflectWrites(t *testing.T) {
	m := startMock(t, mockserver.Options{})
	m.SeedSubnets(3, "seeded-")
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	if _, err := c.CustomSubnets(ctx); err != nil {
		t.Fatal(err)
	}
	const awsTagID = "000000290000000000000000"
	id, err := c.CreateSubnet(ctx, SubnetInput{Name: "a-new", Category: CategoryCorporate,
		Subnets: []string{"198.51.100.0/24"}, Tags: []string{awsTagID}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.CustomSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if names := subnetNames(got); !slices.Equal(names, []string{"a-new", "seeded-0001", "seeded-0002", "seeded-0003"}) {
		t.Fatalf("after the create: %q", names)
	}
	if s := got[0]; s.ID != id || s.Raw != nil || len(s.Tags) != 1 || s.Tags[0].ID != awsTagID {
		t.Errorf("the created range is listed as %+v, want it as sent (Raw nil, tag id %s)", s, awsTagID)
	}

	// Callers own what they get: changing it leaves the listing alone.
	got[0].Name, got[0].Tags[0].Name, got[0].Subnets[0].OriginalString = "changed", "changed", "changed"
	if again, _ := c.CustomSubnets(ctx); again[0].Name != "a-new" || again[0].Tags[0].Name != "" ||
		again[0].Subnets[0].OriginalString != "198.51.100.0/24" {
		t.Errorf("a caller's edit reached the listing: %+v", again[0])
	}

	if err := c.UpdateSubnet(ctx, id, SubnetInput{Name: "z-renamed", Category: CategoryVPN, Subnets: []string{"198.51.100.0/24"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSubnet(ctx, got[1].ID); err != nil {
		t.Fatal(err)
	}
	got, err = c.CustomSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if names := subnetNames(got); !slices.Equal(names, []string{"seeded-0002", "seeded-0003", "z-renamed"}) {
		t.Errorf("after a rename and a delete: %q", names)
	}
	if s := got[2]; s.Category != CategoryVPN || len(s.Tags) != 0 {
		t.Errorf("the updated range is listed as %+v", s)
	}
	mustEqual(t, "list requests while writing", m.Stats().Routes[listRoute], 1)

	c.InvalidateSubnets()
	if err := c.UpdateSubnet(ctx, id, SubnetInput{Name: "z-renamed", Category: CategoryVPN,
		Subnets: []string{"198.51.100.0/24"}, Tags: []string{awsTagID}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.CustomSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "list requests after the listing was dropped", m.Stats().Routes[listRoute], 2)
	if s := got[2]; s.Raw == nil || len(s.Tags) != 1 || s.Tags[0].ID != awsTagID || s.Tags[0].Name != "Amazon Web Services" {
		t.Errorf("after a fresh walk the range is %+v, want MDA's tag object", s)
	}
}

func subnetNames(ss []Subnet) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}
