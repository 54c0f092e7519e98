package mda

import (
	"context"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// A range this client writes is recorded in the run's listing as sent. Its tags were sent
// by name or by id; the listing must not show an id as a tag's name (it did: every sent
// string went into SubnetTag.Name), so a tag the listings know keeps its id and name, and
// an unknown one is recorded by id when it has an id's shape.
func TestWrittenRangeTagsKeepIDsAndNames(t *testing.T) {
	const awsID = "000000290000000000000000"
	m := startMock(t, mockserver.Options{})
	if _, err := m.AddSubnet("aws egress", CategoryCloudProvider, []string{"192.0.2.0/24"}, awsID); err != nil {
		t.Fatal(err)
	}
	c, _, _ := mockClient(t, m)
	ctx := context.Background()
	listed, err := c.CustomSubnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || len(listed[0].Tags) != 1 {
		t.Fatalf("listing: got %+v, want one range with one tag", listed)
	}
	aws := listed[0].Tags[0]
	if aws.ID != awsID || aws.Name == "" || aws.Name == awsID {
		t.Fatalf("the mock's tag object is not what this test needs: %+v", aws)
	}

	const unknownID = "0123456789abcdef01234567"
	id, err := c.CreateSubnet(ctx, SubnetInput{
		Name: "written", Category: CategoryVPN, Subnets: []string{"198.51.100.0/24"},
		Tags: []string{awsID, aws.Name, unknownID, "brand new tag"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.LookupSubnet(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []SubnetTag{aws, aws, {ID: unknownID, Target: 1}, {Name: "brand new tag", Target: 1}}
	if len(got.Tags) != len(want) {
		t.Fatalf("tags: got %+v, want %+v", got.Tags, want)
	}
	for i := range want {
		if got.Tags[i] != want[i] {
			t.Errorf("tag %d: got %+v, want %+v", i, got.Tags[i], want[i])
		}
	}
	if n := m.Stats().Routes[listRoute]; n != 1 {
		t.Errorf("the write was checked against %d listings, want the 1 already in hand", n)
	}
}
