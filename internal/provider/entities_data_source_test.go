package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccEntitiesDataSource_filters lists the seeded tenant (about 500 users and
// accounts) once per typed filter and with raw filters, and expects exactly the entities
// the mock holds that match, in the mock's order.
func TestAccEntitiesDataSource_filters(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Entities()
	if len(all) <= 300 {
		t.Fatalf("the mock seeds %d entities; the cases need more than 300", len(all))
	}
	user := testAccEntityUser(t, all, 3)
	finance := "5e6fa9ade2367fc6340f4874"
	if mockserver.EntityGroupName(finance) != "Finance" {
		t.Fatalf("group %s is not the seed's Finance group", finance)
	}
	isAccountOf := func(e mockserver.Entity) bool { return e.User != nil && *e.User == user.Ref() }

	cases := []struct {
		name, body string
		keep       func(mockserver.Entity) bool
	}{
		{"all", ``, func(mockserver.Entity) bool { return true }},
		{"users", `type = "user"`, func(e mockserver.Entity) bool { return e.Type == 2 }},
		{"accounts", `type = "account"`, func(e mockserver.Entity) bool { return e.Type == 1 }},
		{"admins", `is_admin = true`, func(e mockserver.Entity) bool { return e.IsAdmin }},
		{"non_admins", `is_admin = false`, func(e mockserver.Entity) bool { return !e.IsAdmin }},
		{"external", `is_external = true`, func(e mockserver.Entity) bool { return e.IsExternal }},
		{"internal", `is_external = false`, func(e mockserver.Entity) bool { return !e.IsExternal }},
		{"domain", `domain = ["gmail.com", "fabrikam.com"]`, func(e mockserver.Entity) bool {
			return e.Domain == "gmail.com" || e.Domain == "fabrikam.com"
		}},
		{"organization", `organization = ["Contoso Ltd."]`, func(e mockserver.Entity) bool { return e.Organization == "Contoso Ltd." }},
		{"status", `status = ["suspended", "deleted", "not_applicable"]`, func(e mockserver.Entity) bool {
			return e.Status == 3 || e.Status == 4 || e.Status == 0
		}},
		{"staged", `status = ["staged"]`, func(e mockserver.Entity) bool { return e.Status == 1 }},
		{"app", `app_id = [10489, 11627]`, func(e mockserver.Entity) bool { return e.App == 10489 || e.App == 11627 }},
		{"instance", `instance = 1`, func(e mockserver.Entity) bool { return e.Instance == 1 }},
		{"box_0", `app_id = [10489]
  instance = 0`, func(e mockserver.Entity) bool { return e.App == 10489 && e.Instance == 0 }},
		{"group", fmt.Sprintf(`user_groups = [%q]`, finance), func(e mockserver.Entity) bool { return slices.Contains(e.UserGroups, finance) }},
		{"raw_only", fmt.Sprintf(`filters = jsonencode({ entity = { eq = [{ id = %q, inst = 0 }] } })`, user.ID),
			func(e mockserver.Entity) bool { return e.ID == user.ID || isAccountOf(e) }},
		{"raw_and_typed", fmt.Sprintf(`type = "account"
  filters = jsonencode({ entity = { eq = [{ id = %q, inst = 0, saas = 11161 }] } })`, user.ID), isAccountOf},
	}

	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	var checks []statecheck.StateCheck
	for _, c := range cases {
		fmt.Fprintf(&cfg, "\ndata \"mda_entities\" %q {\n  max_results = 5000\n  %s\n}\n", c.name, c.body)
		want := testAccEntitiesMatching(all, c.keep)
		if len(want) == 0 || (c.name != "all" && len(want) == len(all)) {
			t.Fatalf("case %s matches %d of %d seeded entities, which proves nothing", c.name, len(want), len(all))
		}
		addr := "data.mda_entities." + c.name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("entities"), testAccEntityIDList(want)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// TestAccEntitiesDataSource_paging covers the default budget of 100, a budget that ends
// inside the second page, sorting, and an empty result.
func TestAccEntitiesDataSource_paging(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Entities()
	accounts := testAccEntitiesMatching(all, func(e mockserver.Entity) bool { return e.Type == 1 })
	if len(accounts) <= 150 {
		t.Fatalf("the mock seeds %d accounts; the case below needs more than 150", len(accounts))
	}
	byName := slices.Clone(all)
	slices.SortStableFunc(byName, func(a, b mockserver.Entity) int {
		return cmp.Compare(strings.ToLower(b.DisplayName), strings.ToLower(a.DisplayName))
	})

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_entities" "default" {}

data "mda_entities" "accounts_150" {
  type        = "account"
  max_results = 150
}

data "mda_entities" "last_by_name" {
  sort_field     = "username"
  sort_direction = "desc"
  max_results    = 3
}

data "mda_entities" "none" {
  domain = ["nowhere.example"]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mda_entities.default", tfjsonpath.New("entities"), testAccEntityIDList(all[:100])),
					statecheck.ExpectKnownValue("data.mda_entities.default", tfjsonpath.New("max_results"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue("data.mda_entities.default", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(all)))),
					statecheck.ExpectKnownValue("data.mda_entities.default", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

					statecheck.ExpectKnownValue("data.mda_entities.accounts_150", tfjsonpath.New("entities"), testAccEntityIDList(accounts[:150])),
					statecheck.ExpectKnownValue("data.mda_entities.accounts_150", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(accounts)))),
					statecheck.ExpectKnownValue("data.mda_entities.accounts_150", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

					statecheck.ExpectKnownValue("data.mda_entities.last_by_name", tfjsonpath.New("entities"), testAccEntityIDList(byName[:3])),
					statecheck.ExpectKnownValue("data.mda_entities.last_by_name", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

					statecheck.ExpectKnownValue("data.mda_entities.none", tfjsonpath.New("entities"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.mda_entities.none", tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue("data.mda_entities.none", tfjsonpath.New("truncated"), knownvalue.Bool(false)),
				},
			},
		},
	})
}

// TestAccEntitiesDataSource_validation refuses bad configurations of both entity data
// sources at plan time, before any request.
func TestAccEntitiesDataSource_validation(t *testing.T) {
	m := acctest.StartMock(t)
	cases := map[string]struct{ typ, body, want string }{
		"typed and raw": {"mda_entities", `domain = ["contoso.com"]` + "\n" + `filters = jsonencode({ domain = { isset = true } })`, "Filter set twice.*\"domain\".*`domain`"},
		"bad status":    {"mda_entities", `status = ["enabled"]`, `Invalid Attribute Value Match.*status`},
		"bad type":      {"mda_entities", `type = "group"`, `Invalid Attribute Value Match.*type`},
		"bad instance":  {"mda_entities", `instance = -1`, `Invalid Attribute Value.*instance.*at least 0`},
		"bad sort":      {"mda_entities", `sort_field = "score"`, `Invalid Attribute Value Match.*sort_field`},
		"no app":        {"mda_entity", `id = "someone@contoso.com"`, `app_id.*required`},
		"empty id":      {"mda_entity", `id = ""` + "\n" + `app_id = 11161`, `Invalid Attribute Value Length.*id`},
		"app 0":         {"mda_entity", `id = "x"` + "\n" + `app_id = 0`, `Invalid Attribute Value.*app_id.*at least 1`},
	}
	// Cleanup runs once the parallel subtests below have finished.
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("a refused configuration reached the API: %+v", st.Routes)
		}
	})
	for desc, tc := range cases {
		t.Run(desc, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + fmt.Sprintf("\ndata %q \"test\" {\n%s\n}\n", tc.typ, tc.body),
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

// TestAccEntitiesDataSource_serverError: a 500 page from the listing is an error that
// names the status, not an empty list.
func TestAccEntitiesDataSource_serverError(t *testing.T) {
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/entities/", Status: 500, Count: 100, Body: acctest.ErrorPage(500)})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig(m) + `data "mda_entities" "all" {}`,
			ExpectError: expectErrorWords(`Unable to list entities .* 500`),
		}},
	})
}

func testAccEntitiesMatching(all []mockserver.Entity, keep func(mockserver.Entity) bool) []mockserver.Entity {
	var out []mockserver.Entity
	for _, e := range all {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// testAccEntityIDList matches a list of entities by internal_id: an id alone repeats
// across apps (one UPN, several accounts).
func testAccEntityIDList(es []mockserver.Entity) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(es))
	for _, e := range es {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"internal_id": knownvalue.StringExact(e.InternalID),
			"id":          knownvalue.StringExact(e.ID),
		}))
	}
	return knownvalue.ListExact(checks)
}

// testAccEntityUser picks the first seeded user with at least n accounts.
func testAccEntityUser(t *testing.T, all []mockserver.Entity, n int) mockserver.Entity {
	t.Helper()
	for _, e := range all {
		if e.Type == 2 && len(e.Accounts) >= n {
			return e
		}
	}
	t.Fatalf("the mock seeds no user with %d accounts", n)
	return mockserver.Entity{}
}
