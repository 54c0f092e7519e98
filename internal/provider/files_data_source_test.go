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

// mockFileDeleted is the mock's status code of a file deleted from its app, which MDA
// lists only with allowDeleted.
const mockFileDeleted = 2

// TestAccFilesDataSource_filters lists the seeded files (three pages) once per typed
// filter and once with raw filters, and expects exactly the files the mock holds that
// match, in the mock's order (most recently modified first).
func TestAccFilesDataSource_filters(t *testing.T) {
	m := acctest.StartMock(t)
	all := m.Files()
	var live []mockserver.File
	for _, f := range all {
		if f.Status != mockFileDeleted {
			live = append(live, f)
		}
	}
	if len(live) <= 200 {
		t.Fatalf("the mock seeds %d files that are not deleted; the cases need more than 200", len(live))
	}
	var policyID, named string
	for _, f := range live {
		if policyID == "" && len(f.PolicyIDs) > 0 {
			policyID = f.PolicyIDs[0]
		}
		if named == "" && f.Type != 6 {
			named = f.Name
		}
	}
	modSince, modUntil := live[80].Modified, live[20].Modified
	createdSince := slices.MaxFunc(live[100:110], func(a, b mockserver.File) int { return cmp.Compare(a.Created, b.Created) }).Created

	cases := []struct {
		name, body string
		deleted    bool // whether deleted files may match
		keep       func(mockserver.File) bool
	}{
		{"all", ``, false, func(mockserver.File) bool { return true }},
		{"app_id", `app_id = [15600, 11770]`, false, func(f mockserver.File) bool { return f.AppID == 15600 || f.AppID == 11770 }},
		{"instance", `instance = 1`, false, func(f mockserver.File) bool { return f.Instance == 1 }},
		{"file_type", `file_type = ["spreadsheet", "folder"]`, false, func(f mockserver.File) bool { return f.Type == 2 || f.Type == 6 }},
		{"sharing", `sharing = ["external", "public_internet"]`, false, func(f mockserver.File) bool { return f.Sharing == 2 || f.Sharing == 4 }},
		{"filename", fmt.Sprintf("filename = %q", named), false, func(f mockserver.File) bool { return f.Name == named }},
		{"extension", `extension = ["docx", "pdf"]`, false, func(f mockserver.File) bool { return f.Extension == "docx" || f.Extension == "pdf" }},
		{"mime_type", `mime_type = ["text/plain"]`, false, func(f mockserver.File) bool { return f.MimeType == "text/plain" }},
		{"owner", `owner = ["bob@contoso.com", "pat@fabrikam.com"]`, false, func(f mockserver.File) bool {
			return f.OwnerAddress == "bob@contoso.com" || f.OwnerAddress == "pat@fabrikam.com"
		}},
		{"collaborator_domains", `collaborator_domains = ["gmail.com"]`, false, func(f mockserver.File) bool { return slices.Contains(f.Domains, "gmail.com") }},
		{"modified", fmt.Sprintf("modified_since = %q\n  modified_until = %q", formatMillis(modSince), formatMillis(modUntil)), false,
			func(f mockserver.File) bool { return f.Modified >= modSince && f.Modified <= modUntil }},
		{"created_since", fmt.Sprintf("created_since = %q", formatMillis(createdSince)), false, func(f mockserver.File) bool { return f.Created >= createdSince }},
		{"trashed", `trashed = true`, false, func(f mockserver.File) bool { return f.Status == 1 }},
		{"not_trashed", `trashed = false`, false, func(f mockserver.File) bool { return f.Status != 1 }},
		{"quarantined", `quarantined = true`, false, func(f mockserver.File) bool { return f.Quarantined }},
		{"folders", `folders = true`, false, func(f mockserver.File) bool { return f.Type == 6 }},
		{"no_folders", `folders = false`, false, func(f mockserver.File) bool { return f.Type != 6 }},
		{"include_deleted", `include_deleted = true`, true, func(mockserver.File) bool { return true }},
		{"deleted_documents", "include_deleted = true\n  file_type = [\"document\"]", true, func(f mockserver.File) bool { return f.Type == 1 }},
		{"policy_id", fmt.Sprintf("policy_id = %q", policyID), false, func(f mockserver.File) bool { return slices.Contains(f.PolicyIDs, policyID) }},
		{"raw_and_typed", `file_type = ["document", "spreadsheet"]
  filters   = jsonencode({ fileLabels = { eq = ["Confidential"] }, "collaborators.withDomain" = { neq = ["fabrikam.com"] } })`, false,
			func(f mockserver.File) bool {
				return (f.Type == 1 || f.Type == 2) && slices.Contains(f.Labels, "Confidential") && !slices.Contains(f.Domains, "fabrikam.com")
			}},
	}

	var cfg strings.Builder
	cfg.WriteString(acctest.ProviderConfig(m))
	var checks []statecheck.StateCheck
	for _, c := range cases {
		fmt.Fprintf(&cfg, "\ndata \"mda_files\" %q {\n  max_results = 5000\n  %s\n}\n", c.name, c.body)
		pool := live
		if c.deleted {
			pool = all
		}
		want := testAccFilesMatching(pool, c.keep)
		if len(want) == 0 || (c.name != "all" && !c.deleted && len(want) == len(live)) {
			t.Fatalf("case %s matches %d of %d seeded files, which proves nothing", c.name, len(want), len(live))
		}
		addr := "data.mda_files." + c.name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("files"), testAccFileIDList(want)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
		)
	}
	if len(all) == len(live) {
		t.Fatal("the mock seeds no deleted files, so include_deleted proves nothing")
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// TestAccFilesDataSource_paging covers the default budget of 100, a budget that ends
// inside the second page, and an empty result.
func TestAccFilesDataSource_paging(t *testing.T) {
	m := acctest.StartMock(t)
	live := testAccFilesMatching(m.Files(), func(f mockserver.File) bool { return f.Status != mockFileDeleted })
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `
data "mda_files" "default" {}

data "mda_files" "first_150" {
  max_results = 150
}

data "mda_files" "none" {
  filename = "no-such-file.txt"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_files.default", tfjsonpath.New("files"), testAccFileIDList(live[:100])),
				statecheck.ExpectKnownValue("data.mda_files.default", tfjsonpath.New("max_results"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue("data.mda_files.default", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(live)))),
				statecheck.ExpectKnownValue("data.mda_files.default", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_files.first_150", tfjsonpath.New("files"), testAccFileIDList(live[:150])),
				statecheck.ExpectKnownValue("data.mda_files.first_150", tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(live)))),
				statecheck.ExpectKnownValue("data.mda_files.first_150", tfjsonpath.New("truncated"), knownvalue.Bool(true)),

				statecheck.ExpectKnownValue("data.mda_files.none", tfjsonpath.New("files"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.mda_files.none", tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.mda_files.none", tfjsonpath.New("truncated"), knownvalue.Bool(false)),
			},
		}},
	})
	// Each read of the three costs 4 requests: 100 in one, 150 in two (100 + 50), the
	// empty result in one. The harness reads them several times (plan, apply, re-plan).
	if got := m.Stats().Routes["POST /api/v1/files/"]; got == 0 || got%4 != 0 {
		t.Errorf("the listings cost %d requests, want a multiple of 4", got)
	}
}

// TestAccFilesDataSource_mapping checks every attribute of a shared, labelled file and of
// a folder against the mock.
func TestAccFilesDataSource_mapping(t *testing.T) {
	m := acctest.StartMock(t)
	var file, folder mockserver.File
	for _, f := range m.Files() {
		if file.ID == "" && f.Status == 0 && f.AppID == 15600 && len(f.Labels) > 0 &&
			slices.ContainsFunc(f.Collaborators, func(c mockserver.FileCollaborator) bool { return c.Email != "" }) {
			file = f
		}
		if folder.ID == "" && f.Type == 6 && f.Status == 0 {
			folder = f
		}
	}
	if file.ID == "" || folder.ID == "" {
		t.Fatal("the mock seeds no shared, labelled OneDrive file or no folder")
	}
	collaborators := make([]knownvalue.Check, 0, len(file.Collaborators))
	for _, c := range file.Collaborators {
		var email, domain knownvalue.Check = knownvalue.Null(), knownvalue.Null()
		if c.Email != "" {
			email, domain = knownvalue.StringExact(c.Email), knownvalue.StringExact(c.Domain)
		}
		collaborators = append(collaborators, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(c.ID), "name": knownvalue.StringExact(c.Name), "email": email, "domain": domain,
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + fmt.Sprintf(`
data "mda_files" "one" {
  filters = jsonencode({ fileId = { eq = [%q] } })
}

data "mda_files" "folder" {
  filters = jsonencode({ fileId = { eq = [%q] } })
}
`, file.ID, folder.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_files.one", tfjsonpath.New("files"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":             knownvalue.StringExact(file.ID),
						"app_file_id":    knownvalue.StringExact(file.AppFileID),
						"name":           knownvalue.StringExact(file.Name),
						"app_id":         knownvalue.Int64Exact(15600),
						"app_name":       knownvalue.StringExact("Microsoft OneDrive for Business"),
						"instance":       knownvalue.Int64Exact(int64(file.Instance)),
						"type":           knownvalue.StringExact(fileTypeNames[file.Type]),
						"sharing":        knownvalue.StringExact(sharingNames[file.Sharing]),
						"status":         knownvalue.StringExact("exists"),
						"is_folder":      knownvalue.Bool(false),
						"size":           knownvalue.Int64Exact(file.Size),
						"created":        knownvalue.StringExact(formatMillis(file.Created)),
						"modified":       knownvalue.StringExact(formatMillis(file.Modified)),
						"owner_name":     knownvalue.StringExact(file.OwnerName),
						"owner_address":  knownvalue.StringExact(file.OwnerAddress),
						"owner_external": knownvalue.Bool(file.OwnerExternal),
						"link":           knownvalue.StringExact(file.Link),
						"parent_id":      knownvalue.StringExact(file.ParentID),
						"mime_type":      knownvalue.StringExact(file.MimeType),
						"extension":      knownvalue.StringExact(file.Extension),
						"domains":        testAccStringList(file.Domains),
						"collaborators":  knownvalue.ListExact(collaborators),
						"labels":         testAccStringList(file.Labels),
						"raw_json":       knownvalue.StringRegexp(testAccContains(`"_id":"` + file.ID + `"`)),
					}),
				})),
				statecheck.ExpectKnownValue("data.mda_files.folder", tfjsonpath.New("files"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":        knownvalue.StringExact(folder.ID),
						"type":      knownvalue.StringExact("folder"),
						"is_folder": knownvalue.Bool(true),
						"size":      knownvalue.Int64Exact(0),
						"mime_type": knownvalue.Null(),
						"extension": knownvalue.Null(),
					}),
				})),
			},
		}},
	})
}

// TestAccFilesDataSource_entraRefused: with an Entra application the data source fails
// at plan time with one error naming api_token, and the files routes see no request;
// the sign-in itself goes to the mock's token endpoint. With the legacy token the same
// data source works.
func TestAccFilesDataSource_entraRefused(t *testing.T) {
	m := acctest.StartMock(t, func(o *mockserver.Options) {
		o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Secret: testAccSecret, Roles: []string{"Investigation.manage"}}}
	})
	entra := fmt.Sprintf(`
provider "mda" {
  portal_url          = %[1]q
  authority_url       = %[1]q
  tenant_id           = %[2]q
  client_id           = %[3]q
  client_secret       = %[4]q
  requests_per_minute = 6000
}
`, m.URL(), m.Tenant(), testAccApp, testAccSecret)
	const want = `The Files API needs a legacy API token.*mda_%s reads MDA's Files API.*api_token.*MDA_API_TOKEN`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      entra + `data "mda_files" "all" {}`,
				PlanOnly:    true,
				ExpectError: expectOneError(fmt.Sprintf(want, "files")),
			},
			{
				Config:      entra + fmt.Sprintf(`data "mda_file" "one" { id = %q }`, m.Files()[0].ID),
				PlanOnly:    true,
				ExpectError: expectOneError(fmt.Sprintf(want, "file")),
			},
		},
	})
	st := m.Stats()
	signIns := 0
	for route, n := range st.Routes {
		if strings.HasSuffix(route, "/oauth2/v2.0/token") {
			signIns += n
		} else {
			t.Errorf("the mock saw %d requests to %s, want none", n, route)
		}
	}
	if signIns == 0 {
		t.Errorf("the provider never signed in, so the test proves nothing: %v", st.Routes)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(m) + `data "mda_files" "all" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mda_files.all", tfjsonpath.New("files"), knownvalue.ListSizeExact(100)),
			},
		}},
	})
}

// TestAccFilesDataSource_validation refuses bad filters at plan time, before any request.
func TestAccFilesDataSource_validation(t *testing.T) {
	m := acctest.StartMock(t)
	// The cases run in parallel, after this function returns: check once they are done.
	t.Cleanup(func() {
		if st := m.Stats(); st.Total != 0 {
			t.Errorf("a refused configuration reached the API: %+v", st.Routes)
		}
	})
	cases := map[string]struct{ body, want string }{
		"bad file_type":   {`file_type = ["video"]`, `Invalid Attribute Value Match.*file_type`},
		"bad sharing":     {`sharing = ["everyone"]`, `Invalid Attribute Value Match.*sharing`},
		"empty owner":     {`owner = [""]`, `Invalid Attribute Value.*owner`},
		"bad since":       {`modified_since = "last week"`, `Invalid timestamp.*"last week" is not an RFC 3339`},
		"typed and raw":   {`sharing = ["public"]` + "\n" + `filters = jsonencode({ sharing = { eq = [3] } })`, "Filter set twice.*\"sharing\".*`sharing`"},
		"deleted and raw": {`include_deleted = true` + "\n" + `filters = jsonencode({ allowDeleted = { eq = true } })`, "Filter set twice.*\"allowDeleted\".*`include_deleted`"},
		"unknown op":      {`filters = jsonencode({ policy = { matches = ["x"] } })`, `Invalid filters.*unknown operator "matches"`},
	}
	for desc, tc := range cases {
		t.Run(desc, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig(m) + fmt.Sprintf("\ndata \"mda_files\" \"test\" {\n%s\n}\n", tc.body),
					PlanOnly:    true,
					ExpectError: expectErrorWords(tc.want),
				}},
			})
		})
	}
}

// TestAccFilesDataSource_serverError: a 502 page from the listing is an error that names
// the status, not an empty list.
func TestAccFilesDataSource_serverError(t *testing.T) {
	m := acctest.StartMock(t)
	m.AddFault(mockserver.Fault{Match: "POST /api/v1/files/", Status: 502, Count: 100, Body: acctest.ErrorPage(502)})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig(m) + `data "mda_files" "all" {}`,
			ExpectError: expectErrorWords(`Unable to list files .* HTTP 502`),
		}},
	})
}

func testAccFilesMatching(all []mockserver.File, keep func(mockserver.File) bool) []mockserver.File {
	var out []mockserver.File
	for _, f := range all {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}

// testAccFileIDList expects exactly these files, in this order, by id.
func testAccFileIDList(files []mockserver.File) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(files))
	for _, f := range files {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(f.ID)}))
	}
	return knownvalue.ListExact(checks)
}

func testAccStringList(xs []string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(xs))
	for _, x := range xs {
		checks = append(checks, knownvalue.StringExact(x))
	}
	return knownvalue.ListExact(checks)
}
