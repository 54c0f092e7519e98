package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// Sweepers remove what failed acceptance runs left behind: `make sweep`, which is
// `go test ./internal/provider -sweep=all`, on the tenant (or mock) that MDA_PORTAL_URL and
// the usual credential variables name. MDA has no regions: the -sweep value only has to
// be non-empty.
func init() {
	resource.AddTestSweepers("mda_ip_range", &resource.Sweeper{
		Name: "mda_ip_range",
		F: func(string) error {
			// No deadline of its own: at 30 requests a minute, many leftovers take minutes,
			// and go test's -timeout bounds the run.
			ctx := context.Background()
			client, err := newLiveClient(ctx)
			if err != nil {
				return err
			}
			_, err = sweepIPRanges(ctx, client, os.Stdout)
			return err
		},
	})
}

// sweepIPRanges deletes every custom IP range whose name starts with tfacc-, the prefix
// of every range an acceptance test creates, and writes one line per range it removed to
// out. A range already gone counts as removed; any other failure is returned once every
// deletion has been tried. A failed listing deletes nothing.
func sweepIPRanges(ctx context.Context, client *mda.Client, out io.Writer) (removed []string, err error) {
	ranges, err := client.CustomSubnets(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the tenant's IP ranges: %w", err)
	}
	var errs []error
	for _, s := range ranges {
		if !strings.HasPrefix(s.Name, acctest.LiveNamePrefix) {
			continue
		}
		if err := client.DeleteSubnet(ctx, s.ID); err != nil && !mda.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting IP range %s (%s): %w", s.Name, s.ID, err))
			continue
		}
		removed = append(removed, s.Name)
		_, _ = fmt.Fprintf(out, "sweep: removed IP range %s (%s)\n", s.Name, s.ID)
	}
	_, _ = fmt.Fprintf(out, "sweep: removed %d IP range(s) named %s*, of %d custom range(s)\n", len(removed), acctest.LiveNamePrefix, len(ranges))
	return removed, errors.Join(errs...)
}

// TestSweepIPRanges runs the sweeper's deletion against a mock (no CLI): it removes the
// ranges named tfacc-*, reports each, and leaves every other range alone, including names
// that merely contain tfacc.
func TestSweepIPRanges(t *testing.T) {
	m := acctest.StartMock(t)
	client := testAccSweepClient(t, m)
	for _, name := range []string{"tfacc-abc-range", "tfacc-leftover-1", "tfacc", "tfaccount", "prod-tfacc-1", "Tfacc-upper"} {
		if _, err := client.CreateSubnet(t.Context(), mda.SubnetInput{Name: name, Category: 1, Subnets: []string{"192.0.2.0/29"}}); err != nil {
			t.Fatalf("creating %s: %s", name, err)
		}
	}
	before := len(m.Subnets())
	var out strings.Builder
	removed, err := sweepIPRanges(t.Context(), testAccSweepClient(t, m), &out)
	if err != nil {
		t.Fatalf("sweep failed: %s", err)
	}
	slices.Sort(removed)
	if want := []string{"tfacc-abc-range", "tfacc-leftover-1"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	for _, name := range removed {
		if _, ok := m.FindSubnetByName(name); ok {
			t.Errorf("%s is still in the mock", name)
		}
		if !strings.Contains(out.String(), "removed IP range "+name+" (") {
			t.Errorf("the report does not name %s:\n%s", name, out.String())
		}
	}
	if got := len(m.Subnets()); got != before-2 {
		t.Errorf("the mock holds %d ranges, want %d", got, before-2)
	}
}

// TestSweepIPRanges_failures: a failed listing deletes nothing; a failed deletion is an
// error naming the range, and the other ranges are still removed.
func TestSweepIPRanges_failures(t *testing.T) {
	m := acctest.StartMock(t)
	client := testAccSweepClient(t, m)
	var ids []string
	for _, name := range []string{"tfacc-a", "tfacc-b"} {
		id, err := client.CreateSubnet(t.Context(), mda.SubnetInput{Name: name, Category: 1, Subnets: []string{"192.0.2.0/29"}})
		if err != nil {
			t.Fatalf("creating %s: %s", name, err)
		}
		ids = append(ids, id)
	}

	m.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/", Status: 500, Body: acctest.ErrorPage(500), Count: 1})
	if removed, err := sweepIPRanges(t.Context(), testAccSweepClient(t, m), io.Discard); err == nil || len(removed) > 0 {
		t.Fatalf("a failing listing gave removed %q, error %v; want nothing removed and an error", removed, err)
	}
	if len(testAccMockRangesNamed(m, "tfacc-a"))+len(testAccMockRangesNamed(m, "tfacc-b")) != 2 {
		t.Fatal("a failing listing deleted ranges")
	}

	m.AddFault(mockserver.Fault{Match: "DELETE /api/v1/subnet/" + ids[0] + "/", Status: 403, Body: `{"detail":"forbidden"}`, Count: 1})
	removed, err := sweepIPRanges(t.Context(), testAccSweepClient(t, m), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "tfacc-a") {
		t.Errorf("a failing delete gave error %v; want one naming tfacc-a", err)
	}
	if !slices.Equal(removed, []string{"tfacc-b"}) || len(testAccMockRangesNamed(m, "tfacc-b")) != 0 {
		t.Errorf("removed %q; want tfacc-b removed despite tfacc-a's failure", removed)
	}
}

// testAccSweepClient is the sweeper's client, built from the environment as `make sweep`
// builds it, pointed at m.
func testAccSweepClient(t *testing.T, m *acctest.Mock) *mda.Client {
	t.Helper()
	for _, v := range testAccAuthEnvVars {
		t.Setenv(v, "")
	}
	t.Setenv("MDA_PORTAL_URL", m.URL())
	t.Setenv("MDA_API_TOKEN", acctest.Token)
	t.Setenv("MDA_MAX_RETRIES", "0")
	return testAccLiveClient(t)
}
