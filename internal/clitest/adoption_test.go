package clitest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// adoptRanges is the size of the tenant TestAccAdoptGenerateConfig takes over: the
// issue's 270, three pages of the listing, so a step that lists more than once shows in
// its count. TestAccAdoptForEach takes over adoptForEachRanges, to keep the slower of the
// two CLIs well inside two minutes.
const (
	adoptRanges        = 270
	adoptForEachRanges = 120
)

// adoptHooks runs an adopt example on n awkward ranges, with the mock's limit lifted and
// the provider's raised so that the test measures requests, not waits.
func adoptHooks(n int, check func(*testing.T, *guideRun)) guideHooks {
	return guideHooks{
		mockFlags: []string{"-rate", "-1"},
		env:       map[string]string{"MDA_REQUESTS_PER_MINUTE": "6000"},
		setup: func(t *testing.T, m *guideMock) {
			for i := range n {
				m.create(t, awkwardRange(i))
			}
		},
		check: check,
	}
}

// TestAccAdoptGenerateConfig adopts a tenant of 270 ranges whose names break naive
// adoption (quotes, backslashes, non-ASCII, HCL's ${ and %{, white space at either end,
// leading digits, names that differ only in case) by running the guide's example as
// written: import blocks generated from mda_ip_ranges, `plan -generate-config-out`, the
// trim of white space the provider refuses, apply, and an empty plan. Every range must
// then be in state once, as MDA holds it. It logs the requests of each step, and what a
// loop of `terraform import` costs per range for comparison.
func TestAccAdoptGenerateConfig(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	ex := findGuideExample(t, "adopt/generate")
	r := runGuideExample(t, cli, ex, adoptHooks(adoptRanges, func(t *testing.T, r *guideRun) {
		checkAdopted(t, r)
		checkGenerateErrors(t, r)
		checkAdoptBudget(t, r, adoptRanges)
	}))
	logSteps(t, r, adoptRanges)
	logImportApply(t, r)
	logImportLoop(t, r, 3)
}

// TestAccAdoptForEach adopts such a tenant with the `import { for_each }` form, which
// needs OpenTofu or Terraform 1.7.
func TestAccAdoptForEach(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	ex := findGuideExample(t, "adopt/for-each")
	r := runGuideExample(t, cli, ex, adoptHooks(adoptForEachRanges, func(t *testing.T, r *guideRun) {
		checkAdoptBudget(t, r, adoptForEachRanges) // first: checkAdoptedForEach plans once more
		checkAdoptedForEach(t, r)
	}))
	if r == nil {
		return
	}
	plan := r.result("terraform plan -detailed-exitcode")
	want := fmt.Sprintf("Plan: %d to import, 0 to add, %d to change, 0 to destroy.", adoptForEachRanges, awkwardUntrimmed(adoptForEachRanges))
	if !strings.Contains(plan.output, want) {
		t.Errorf("the first plan does not say %q:\n%s", want, tail(plan.output, 3000))
	}
	logSteps(t, r, adoptForEachRanges)
}

// checkAdoptedForEach: as checkAdopted, and the example's unmanaged_range_ids output is
// empty after the adoption, then names a range added in the portal, and the plan reports
// that change (exit code 2).
func checkAdoptedForEach(t *testing.T, r *guideRun) {
	t.Helper()
	checkAdopted(t, r)
	if out := strings.TrimSpace(r.result("terraform output -json unmanaged_range_ids").output); out != "[]" {
		t.Errorf("unmanaged_range_ids after the adoption is %s, want []", out)
	}
	r.mock.create(t, guideRange{Name: "added in the portal", Category: 1, Subnets: []string{"100.64.0.0/10"}})
	var added string
	for id, s := range r.mock.customRanges(t) {
		if s.Name == "added in the portal" {
			added = id
		}
	}
	plan := r.run(guideStep{line: "terraform plan -detailed-exitcode -no-color"})
	if plan.exit != 2 || !strings.Contains(plan.output, "unmanaged_range_ids") || !strings.Contains(plan.output, added) {
		t.Errorf("after a range was added in the portal, the plan exited %d; want 2 and unmanaged_range_ids naming %s:\n%s",
			plan.exit, added, tail(plan.output, 3000))
	}
}

// checkGenerateErrors: the plan that generates the configuration stops on the names with
// white space at either end, and on nothing else.
func checkGenerateErrors(t *testing.T, r *guideRun) {
	t.Helper()
	gen := r.result("-generate-config-out")
	var titles []string
	for _, line := range strings.Split(gen.output, "\n") {
		if title, ok := strings.CutPrefix(strings.TrimLeft(line, "│╷ "), "Error: "); ok {
			titles = append(titles, title)
		}
	}
	want := awkwardUntrimmed(adoptRanges)
	bad := 0
	for _, title := range titles {
		if title != "Invalid IP range name" {
			bad++
		}
	}
	if len(titles) != want || bad > 0 {
		t.Errorf("the generating plan reported %d errors (%d of another kind), want %d \"Invalid IP range name\":\n%s",
			len(titles), bad, want, tail(gen.output, 4000))
	}
	if strings.Count(gen.output, "to = mda_ip_range.") > 0 {
		t.Errorf("the plan output quotes import blocks; it should only plan them")
	}
}

// checkAdoptBudget: every step that reads the tenant lists it once (ceil(n/100) pages),
// however many ranges it imports; the apply lists it once more, in its apply walk, to
// check that the trimmed names are free, and sends one update per rename.
func checkAdoptBudget(t *testing.T, r *guideRun, n int) {
	t.Helper()
	pages := (n + 99) / 100
	renames := awkwardUntrimmed(n)
	for _, b := range []struct {
		line string
		max  int
	}{
		{"terraform -chdir=../find apply", pages},
		{"terraform plan", pages}, // -generate-config-out, or the for_each form's first plan
		{"terraform apply", 2*pages + renames},
	} {
		if got := r.result(b.line).requests; got.Total > b.max || got.Throttled > 0 {
			t.Errorf("`%s` cost %d requests (%v) in a tenant of %d ranges, want at most %d", b.line, got.Total, got.Routes, n, b.max)
		}
	}
	if last := r.lastResult("terraform plan -detailed-exitcode"); last.requests.Total > pages {
		t.Errorf("the last plan cost %d requests (%v) for %d ranges, want at most %d", last.requests.Total, last.requests.Routes, n, pages)
	}
}

// logSteps logs what each line of the example cost.
func logSteps(t *testing.T, r *guideRun, n int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d custom ranges, %s:\n", r.ex.dir, n, filepath.Base(r.cli.Path))
	for _, res := range r.results {
		fmt.Fprintf(&b, "  %-62s exit %d %6.1fs %3d requests %v\n", res.step.line, res.exit, res.elapsed.Seconds(), res.requests.Total, res.requests.Routes)
	}
	t.Log(b.String())
}

// logImportApply applies the adopted configuration again into an empty state, now that
// no range needs renaming, and logs what the imports alone cost.
func logImportApply(t *testing.T, r *guideRun) {
	t.Helper()
	r.cwd = copyFiles(t, r.work, "import-again", "main.tf", "imports.tf", "generated.tf")
	res := r.run(guideStep{line: "terraform apply -auto-approve"})
	want := fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", adoptRanges)
	if res.exit != 0 || !strings.Contains(res.output, want) {
		t.Fatalf("applying the import blocks again into an empty state: exit %d, want %q\n%s", res.exit, want, tail(res.output, 3000))
	}
	t.Logf("terraform apply of %d import blocks, no rename: %d requests %v, %.1fs", adoptRanges, res.requests.Total, res.requests.Routes, res.elapsed.Seconds())
	if pages := (adoptRanges + 99) / 100; res.requests.Total > pages {
		t.Errorf("applying %d import blocks cost %d requests, want one listing (%d)", adoptRanges, res.requests.Total, pages)
	}
}

// copyFiles copies files of dir into a new sibling directory called name.
func copyFiles(t *testing.T, dir, name string, files ...string) string {
	t.Helper()
	to := filepath.Join(filepath.Dir(dir), name)
	if err := os.Mkdir(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

var importBlock = regexp.MustCompile(`to = (mda_ip_range\.\S+)\s+id = "([0-9a-f]+)"`)

// logImportLoop imports n of the ranges one `terraform import` at a time, into a copy of
// the adopted configuration without its state, and logs what each costs: every import is
// a new provider process, so each lists the tenant again.
func logImportLoop(t *testing.T, r *guideRun, n int) {
	t.Helper()
	imports, err := os.ReadFile(filepath.Join(r.work, "imports.tf"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := importBlock.FindAllStringSubmatch(string(imports), n)
	if len(blocks) < n {
		t.Fatalf("imports.tf holds %d import blocks, want at least %d", len(blocks), n)
	}
	r.cwd = copyFiles(t, r.work, "import-loop", "main.tf", "generated.tf")
	total := 0
	for _, b := range blocks {
		res := r.run(guideStep{line: fmt.Sprintf("terraform import %s %s", b[1], b[2])})
		if res.exit != 0 {
			t.Fatalf("terraform import %s: exit %d\n%s", b[1], res.exit, tail(res.output, 3000))
		}
		total += res.requests.Total
		t.Logf("terraform import %s: %d requests %v, %.1fs", b[1], res.requests.Total, res.requests.Routes, res.elapsed.Seconds())
	}
	perImport := float64(total) / float64(n)
	t.Logf("a loop of `terraform import` costs %.1f requests per range here: %.0f for the %d ranges, against one listing for all of them with import blocks",
		perImport, perImport*adoptRanges, adoptRanges)
	if perImport < 1 {
		t.Errorf("an import cost %.1f requests; it must at least list the ranges once", perImport)
	}
}

// awkwardRange is the i-th range of a tenant that breaks naive adoption. Names are unique,
// and stay unique once trimmed.
func awkwardRange(i int) guideRange {
	names := []string{
		`Office "HQ" O'Neil %d`,
		`back\slash %d\ `, // ends with a backslash and a space
		"Büro München %d",
		"trailing space %d ",
		"  leading and trailing %d  ",
		"${var.office_%d}",
		"%%{ if true }%d%%{ endif }",
		"%d.0.0.0 network",
		"東京オフィス %d",
		"🛰️ uplink #%d",
		"Case %d",
		"CASE %d", // the same label as "Case %d" but for the id
	}
	k := i % len(names)
	num := i
	if k == len(names)-1 {
		num = i - 1
	}
	rg := guideRange{
		Name:     fmt.Sprintf(names[k], num),
		Category: 1 + i%6,
		Subnets:  []string{fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)},
	}
	if i%3 == 0 {
		rg.Subnets = append(rg.Subnets, fmt.Sprintf("2001:db8:%x::/48", i))
	}
	if i%4 == 0 {
		rg.Subnets = append(rg.Subnets, fmt.Sprintf("198.51.100.%d", i%250))
	}
	if i%6 == 1 {
		rg.Subnets = append(rg.Subnets, fmt.Sprintf("2001:0db8:ffff:%04x:0000::/80", i)) // kept as written
	}
	if i%4 == 1 {
		rg.Organization = `ISP "Contoso" \ ${ltd}`
	}
	if i%5 == 0 {
		rg.Tags = append(rg.Tags, "zone-a")
	}
	if i%7 == 0 {
		rg.Tags = append(rg.Tags, `Zone "B"`, "héllo")
	}
	return rg
}

// awkwardUntrimmed counts the first n awkward ranges whose names start or end with white
// space.
func awkwardUntrimmed(n int) int {
	c := 0
	for i := range n {
		if name := awkwardRange(i).Name; name != strings.TrimSpace(name) {
			c++
		}
	}
	return c
}
