package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const testAccEntityTreeRoute = "GET /api/v1/entities/{id}/retrieve_tree/"

// TestAccEntityDataSource_found reads a user with include_related (its accounts, as the
// mock holds them), one of its accounts with include_related (the user, then the other
// accounts), and a guest account without it (no related, no tree request).
func TestAccEntityDataSource_found(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Entities()
	user := testAccEntityUser(t, all, 3)
	byRef := map[mockserver.EntityRef]mockserver.Entity{}
	var guest mockserver.Entity
	for _, e := range all {
		byRef[e.Ref()] = e
		if guest.ID == "" && e.Type == 1 && e.User == nil && e.Organization == "" {
			guest = e
		}
	}
	account := byRef[user.Accounts[1]]

	var userAccounts, siblings []knownvalue.Check
	siblings = append(siblings, testAccEntityRefCheck(user.Ref()))
	for _, r := range user.Accounts {
		userAccounts = append(userAccounts, testAccEntityRefCheck(r))
		if r != account.Ref() {
			siblings = append(siblings, testAccEntityRefCheck(r))
		}
	}
	var accountsAttr, groupsAttr []knownvalue.Check
	for _, r := range user.Accounts {
		a := byRef[r]
		accountsAttr = append(accountsAttr, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(a.ID),
			"app_id":       knownvalue.Int64Exact(int64(a.App)),
			"instance":     knownvalue.Int64Exact(int64(a.Instance)),
			"display_name": knownvalue.StringExact(a.DisplayName),
			"is_external":  knownvalue.Bool(a.IsExternal),
			"status":       knownvalue.StringExact(entityStatusNames[a.Status]),
		}))
	}
	for _, g := range user.UserGroups {
		groupsAttr = append(groupsAttr, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":   knownvalue.StringExact(g),
			"name": knownvalue.StringExact(mockserver.EntityGroupName(g)),
		}))
	}
	email := knownvalue.Check(knownvalue.Null())
	if user.Email != "" {
		email = knownvalue.StringExact(user.Email)
	}

	const u, a, g = "data.mda_entity.user", "data.mda_entity.account", "data.mda_entity.guest"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_entity" "user" {
  id              = %q
  app_id          = 11161
  include_related = true
}

data "mda_entity" "account" {
  id              = %q
  app_id          = %d
  instance        = %d
  include_related = true
}

data "mda_entity" "guest" {
  id     = %q
  app_id = %d
  instance = %d
}
`, user.ID, account.ID, account.App, account.Instance, guest.ID, guest.App, guest.Instance),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(u, tfjsonpath.New("internal_id"), knownvalue.StringExact(user.InternalID)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("key"), knownvalue.StringExact(user.Ref().Key())),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("type"), knownvalue.StringExact("user")),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("instance"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("display_name"), knownvalue.StringExact(user.DisplayName)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("email"), email),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("domain"), knownvalue.StringExact(user.Domain)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("status"), knownvalue.StringExact(entityStatusNames[user.Status])),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("is_admin"), knownvalue.Bool(user.IsAdmin)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("is_external"), knownvalue.Bool(user.IsExternal)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("last_seen"), knownvalue.StringExact(formatTime(user.LastSeen))),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("app"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id": knownvalue.Int64Exact(11161), "name": knownvalue.StringExact("Office 365"), "instance": knownvalue.Int64Exact(0),
				})),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("user_groups"), knownvalue.ListExact(groupsAttr)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("accounts"), knownvalue.ListExact(accountsAttr)),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("raw_json"), knownvalue.StringRegexp(testAccContains(`"_id":"`+user.InternalID+`"`))),
				statecheck.ExpectKnownValue(u, tfjsonpath.New("related"), knownvalue.ListExact(userAccounts)),

				statecheck.ExpectKnownValue(a, tfjsonpath.New("type"), knownvalue.StringExact("account")),
				statecheck.ExpectKnownValue(a, tfjsonpath.New("internal_id"), knownvalue.StringExact(account.InternalID)),
				statecheck.ExpectKnownValue(a, tfjsonpath.New("accounts"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(a, tfjsonpath.New("related"), knownvalue.ListExact(siblings)),

				statecheck.ExpectKnownValue(g, tfjsonpath.New("internal_id"), knownvalue.StringExact(guest.InternalID)),
				statecheck.ExpectKnownValue(g, tfjsonpath.New("organization"), knownvalue.Null()),
				statecheck.ExpectKnownValue(g, tfjsonpath.New("is_external"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(g, tfjsonpath.New("related"), knownvalue.Null()),
			},
			Check: func(*terraform.State) error {
				// Each read of the two with include_related costs one tree request; the
				// guest none. Terraform reads data sources in plan and in apply.
				tree, fetch := m.Stats().Routes[testAccEntityTreeRoute], m.Stats().Routes["GET /api/v1/entities/{id}/"]
				if tree*3 != fetch*2 || tree == 0 {
					return fmt.Errorf("%d tree requests for %d fetches; want two for every three", tree, fetch)
				}
				return nil
			},
		}},
	})
}

// TestAccEntityDataSource_notFound: an entity MDA does not hold is a clear error on id,
// and so is a real entity asked for under another app; neither costs a tree request.
func TestAccEntityDataSource_notFound(t *testing.T) {
	m := acctest.StartMock(t)
	user := testAccEntityUser(t, m.Entities(), 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(m) + `
data "mda_entity" "nobody" {
  id              = "nobody@contoso.com"
  app_id          = 11161
  include_related = true
}
`,
				ExpectError: expectErrorWords(`Entity not found .* "nobody@contoso.com" in app 11161, instance 0`),
			},
			{
				PreConfig: func() {
					if n := m.Stats().Routes[testAccEntityTreeRoute]; n != 0 {
						t.Errorf("%d tree requests for an entity that does not exist", n)
					}
				},
				Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_entity" "wrong_app" {
  id     = %q
  app_id = 11770
}
`, user.ID),
				ExpectError: expectErrorWords(`Entity not found`),
			},
		},
	})
}

// TestAccEntityDataSource_wrongPortal: the portal's HTML 404 page on the fetch route (a
// mistyped portal URL) is an API error naming the portal URL, not "Entity not found".
func TestAccEntityDataSource_wrongPortal(t *testing.T) {
	m := acctest.StartMock(t)
	user := testAccEntityUser(t, m.Entities(), 1)
	m.AddFault(mockserver.Fault{Match: "GET /api/v1/entities/{id}/", Status: 404, Count: 100, Body: acctest.NotFoundPage})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_entity" "user" {
  id     = %q
  app_id = 11161
}
`, user.ID),
			ExpectError: expectErrorWords(`Unable to read entity .* 404 .* portal URL`),
		}},
	})
}

func testAccEntityRefCheck(r mockserver.EntityRef) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"id":  knownvalue.StringExact(r.ID),
		"key": knownvalue.StringExact(r.Key()),
		"app": knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id":       knownvalue.Int64Exact(int64(r.App)),
			"instance": knownvalue.Int64Exact(int64(r.Instance)),
		}),
	})
}
