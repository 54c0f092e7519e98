package provider

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// TestAccIPRangesBudget is issue 9's request budget: in a tenant of 250 custom ranges, a
// refresh of 150 managed mda_ip_range, an mda_ip_ranges_exclusive governing them and one
// unfiltered custom mda_ip_ranges costs at most 3 requests. It counts requests, so it runs
// on its own (resource.Test): beside the parallel tests, a loaded machine could stretch a
// request past its timeout, and the retry would count.
//
// The count is exact: the refresh runs in one provider process, whose first reader walks
// the custom ranges once, 100 per page, and every other reader (the 149 other ranges, the
// exclusive resource and the data source) is served from that walk. 250 ranges are 3
// pages; built-in ranges are never listed (built_in = false, and the exclusive resource
// governs custom ranges only); a legacy token needs no sign-in.
func TestAccIPRangesBudget(t *testing.T) {
	const (
		managed  = 150
		outScope = 50 // category "other": outside the exclusive resource's categories
		ignored  = 50 // category "corporate", but named in ignore_names
		pages    = 3  // ceil((managed + outScope + ignored) / 100)
	)
	m := acctest.StartMock(t)
	ignoreNames := make([]string, 0, ignored)
	for i := range outScope {
		if _, err := m.AddSubnet(fmt.Sprintf("other-team-%03d", i), 6, []string{fmt.Sprintf("172.16.%d.0/24", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ignored {
		name := fmt.Sprintf("sync-script-%03d", i)
		if _, err := m.AddSubnet(name, 1, []string{fmt.Sprintf("172.17.%d.0/24", i)}, "sync"); err != nil {
			t.Fatal(err)
		}
		ignoreNames = append(ignoreNames, strconv.Quote(name))
	}
	cfg := acctest.ProviderConfig(m) + fmt.Sprintf(`
resource "mda_ip_range" "r" {
  count    = %d
  name     = "managed-${count.index}"
  category = count.index %% 2 == 0 ? "corporate" : "vpn"
  subnets  = ["10.${floor(count.index / 100)}.${count.index %% 100}.0/24"]
  tags     = count.index %% 3 == 0 ? ["managed"] : null
}

resource "mda_ip_ranges_exclusive" "tenant" {
  names        = [for r in mda_ip_range.r : r.name]
  categories   = ["corporate", "vpn"]
  ignore_names = [%s]
}

data "mda_ip_ranges" "custom" {
  built_in = false
}
`, managed, strings.Join(ignoreNames, ", "))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:    m.ResetStats,
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						st := m.Stats()
						t.Logf("refreshing %d ranges, mda_ip_ranges_exclusive and mda_ip_ranges in a tenant of %d custom ranges: %d requests %v",
							managed, managed+outScope+ignored, st.Total, st.Routes)
						if st.Total != pages || st.Routes["POST /api/v1/subnet/"] != pages {
							return fmt.Errorf("the refresh cost %d requests (%v), want exactly %d listing pages", st.Total, st.Routes, pages)
						}
						return nil
					},
					// What was read is the whole tenant, and nothing in scope is unmanaged.
					resource.TestCheckResourceAttr("data.mda_ip_ranges.custom", "ids.#", strconv.Itoa(managed+outScope+ignored)),
					resource.TestCheckResourceAttr("mda_ip_ranges_exclusive.tenant", "names.#", strconv.Itoa(managed)),
					resource.TestCheckResourceAttr("mda_ip_ranges_exclusive.tenant", "unmanaged.#", "0"),
				),
			},
		},
	})
}
