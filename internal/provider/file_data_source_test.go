package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccFileDataSource_found reads a file by id, written in upper case, and a deleted
// file, which the listing leaves out but a fetch by id still names.
func TestAccFileDataSource_found(t *testing.T) {
	m := acctest.StartMock(t)
	var file, deleted mockserver.File
	for _, f := range m.Files() {
		if file.ID == "" && f.Status == 0 && f.Type != 6 && len(f.Collaborators) > 0 {
			file = f
		}
		if deleted.ID == "" && f.Status == mockFileDeleted {
			deleted = f
		}
	}
	upper := strings.ToUpper(file.ID)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_file" "one" {
  id = %q
}

data "mda_file" "deleted" {
  id = %q
}
`, upper, deleted.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("id"), knownvalue.StringExact(upper)),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("name"), knownvalue.StringExact(file.Name)),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("sharing"), knownvalue.StringExact(sharingNames[file.Sharing])),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("modified"), knownvalue.StringExact(formatMillis(file.Modified))),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("domains"), testAccStringList(file.Domains)),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("collaborators"), knownvalue.ListSizeExact(len(file.Collaborators))),
				statecheck.ExpectKnownValue("data.mda_file.one", tfjsonpath.New("raw_json"), knownvalue.StringRegexp(testAccContains(`"_id":"`+file.ID+`"`))),
				statecheck.ExpectKnownValue("data.mda_file.deleted", tfjsonpath.New("status"), knownvalue.StringExact("deleted")),
			},
		}},
	})
}

// TestAccFileDataSource_notFound: an id MDA does not know is a clear error on id, not a
// crash and not an empty file; a malformed id is refused before any request.
func TestAccFileDataSource_notFound(t *testing.T) {
	m := acctest.StartMock(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderConfig(m) + `data "mda_file" "x" { id = "c88fb875-c021-4619-b692-f2def957796a" }`,
				PlanOnly:    true,
				ExpectError: expectErrorWords(`Invalid Attribute Value Match.*must be an MDA file id`),
			},
			{
				Config:      acctest.ProviderConfig(m) + `data "mda_file" "x" { id = "0123456789abcdef01234567" }`,
				ExpectError: expectOneError(`File not found.*no file with the id "0123456789abcdef01234567".*mda_files`),
			},
		},
	})
	if n := m.Stats().Routes["GET /api/v1/files/{id}/"]; n != 1 {
		t.Errorf("the mock saw %d fetches, want 1 (the malformed id is refused before any request)", n)
	}
}
