package provider

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const testAccCategoriesRoute = "POST /api/v1/discovery/discovered_apps/categories/"

func testAccCategoryList(cats []mockserver.DiscoveryCategory) knownvalue.Check {
	checks := make([]knownvalue.Check, len(cats))
	for i, c := range cats {
		checks[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(c.ID), "total": knownvalue.Int64Exact(int64(c.Total)),
		})
	}
	return knownvalue.ListExact(checks)
}

// TestAccDiscoveryCategories_basic reads the Global View's categories (found through
// mda_discovery_streams) for the default period and for 7 days, and the empty list of a
// snapshot report without apps.
func TestAccDiscoveryCategories_basic(t *testing.T) {
	m := acctest.StartMock(t)
	streams := m.DiscoveryStreams()
	global, snapshot := streams[0], streams[4]
	def, week := m.DiscoveryCategories(global.ID, 90), m.DiscoveryCategories(global.ID, 7)
	if len(def) < 30 || len(week) == 0 || fmt.Sprint(def) == fmt.Sprint(week) || !snapshot.Snapshot {
		t.Fatalf("the seed does not tell the cases apart: %d and %d categories, snapshot %+v", len(def), len(week), snapshot)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_discovery_streams" "global" {
  name = "Global View"
}
data "mda_discovery_categories" "default" {
  stream_id = one(data.mda_discovery_streams.global.streams).id
}
data "mda_discovery_categories" "week" {
  stream_id       = one(data.mda_discovery_streams.global.streams).id
  time_frame_days = 7
}
data "mda_discovery_categories" "empty" {
  stream_id       = %q
  time_frame_days = 90
}
`, snapshot.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_discovery_categories.default", tfjsonpath.New("categories"), testAccCategoryList(def)),
				statecheck.ExpectKnownValue("data.mda_discovery_categories.default", tfjsonpath.New("id"), knownvalue.StringExact(global.ID+"/default")),
				statecheck.ExpectKnownValue("data.mda_discovery_categories.week", tfjsonpath.New("categories"), testAccCategoryList(week)),
				statecheck.ExpectKnownValue("data.mda_discovery_categories.week", tfjsonpath.New("id"), knownvalue.StringExact(global.ID+"/7d")),
				statecheck.ExpectKnownValue("data.mda_discovery_categories.empty", tfjsonpath.New("categories"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// TestAccDiscoveryCategories_enveloped: an answer wrapped in {"data": [...]} reads like the
// documented bare array.
func TestAccDiscoveryCategories_enveloped(t *testing.T) {
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{Match: testAccCategoriesRoute, Status: http.StatusOK, Count: 100,
		Body: `{"data": [{"id": "SAASDB_CATEGORY_PRODUCT_DESIGN", "total": 2}], "hasNext": false, "total": 1}`})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`data "mda_discovery_categories" "x" { stream_id = %q }`, m.DiscoveryStreams()[0].ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_discovery_categories.x", tfjsonpath.New("categories"),
					testAccCategoryList([]mockserver.DiscoveryCategory{{ID: "SAASDB_CATEGORY_PRODUCT_DESIGN", Total: 2}})),
			},
		}},
	})
}

// TestAccDiscoveryCategories_validation refuses a period outside 7, 30 and 90 and an empty
// stream id at plan time, with no request.
func TestAccDiscoveryCategories_validation(t *testing.T) {
	testAccRefusedAtPlan(t, "mda_discovery_categories", map[string]testAccRefusal{
		"time frame": {`stream_id = "57869acdb4b3d5154f095af7"` + "\n" + `time_frame_days = 14`, `Invalid Attribute Value Match.*time_frame_days.*\["7" "30" "90"\], got: 14`},
		"empty id":   {`stream_id = ""`, `Invalid Attribute Value Length.*stream_id`},
		"no id":      {``, `Missing required argument.*stream_id`},
	})
}

// TestAccDiscoveryCategories_unknownStream: MDA's refusal of a stream id it does not know
// is an error that quotes it.
func TestAccDiscoveryCategories_unknownStream(t *testing.T) {
	m := acctest.StartMock(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig(m) + `data "mda_discovery_categories" "x" { stream_id = "0123456789abcdef01234567" }`,
			ExpectError: expectErrorWords(`Unable to list Cloud Discovery categories.*HTTP 400.*0123456789abcdef01234567 is not a valid continuous report`),
		}},
	})
}

func TestAccDiscoveryCategories_faults(t *testing.T) {
	testAccDiscoveryFaultMatrix(t, testAccCategoriesRoute, "Unable to list Cloud Discovery categories", func(m *acctest.Mock) string {
		return fmt.Sprintf(`data "mda_discovery_categories" "x" { stream_id = %q }`, m.DiscoveryStreams()[0].ID)
	})
}
