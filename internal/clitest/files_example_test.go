package clitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// TestAccFilesExample runs the mda_files docs example as written, next to a default
// provider block with an Entra client secret, the setting the example is for: the file
// data sources read through the aliased provider's legacy token (its portal URL from
// MDA_PORTAL_URL, the token from the example's variable), and the outputs are what the
// mock's seed says they should be. It runs on the real CLI because the example declares
// its own provider block.
func TestAccFilesExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	example, err := os.ReadFile("../../examples/data-sources/mda_files/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	const app, secret = "aaaaaaaa-0000-0000-0000-0000000000f1", "files-example-secret"
	m := acctest.StartMock(t, func(o *mockserver.Options) {
		o.Clients = []mockserver.ClientCredential{{ID: app, Secret: secret, Roles: []string{"Investigation.read"}}}
	})
	t.Setenv("MDA_PORTAL_URL", m.URL()) // the aliased provider's portal URL; not parallel for it
	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t,
		fmt.Sprintf("  portal_url    = %q\n  authority_url = %q\n  tenant_id     = %q\n  client_id     = %q\n  client_secret = %q",
			m.URL(), m.URL(), m.Tenant(), app, secret),
		string(example))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	before := time.Now()
	work.MustRun(ctx, "apply", "-auto-approve", "-input=false", "-var", "mda_api_token="+acctest.Token)
	after := time.Now()
	out := work.MustRun(ctx, "output", "-json")
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(out.Stdout), &outputs); err != nil {
		t.Fatalf("reading the outputs: %v\n%s", err, out.Stdout)
	}

	sharingWords := []string{"private", "internal", "external", "public", "public_internet"}
	sharedOutside := func(cutoff time.Time) []string {
		var want []string
		for _, f := range m.Files() {
			if f.Status != 2 && (f.Type == 1 || f.Type == 2) && f.Sharing >= 2 && f.Modified >= cutoff.UnixMilli() &&
				(slices.Contains(f.Domains, "gmail.com") || slices.Contains(f.Domains, "outlook.com")) {
				want = append(want, fmt.Sprintf("%s: %s (%s, %s)", f.OwnerAddress, f.Name, sharingWords[f.Sharing], strings.Join(f.Domains, ", ")))
			}
		}
		return want
	}
	var got []string
	if err := json.Unmarshal(outputs["shared_outside"].Value, &got); err != nil {
		t.Fatal(err)
	}
	// plantimestamp() falls between before and after; a file modified in between would
	// make the expectation depend on the instant, so only the two agreeing bounds count.
	want := sharedOutside(before.Add(-720 * time.Hour))
	if slices.Equal(want, sharedOutside(after.Add(-720*time.Hour))) && !slices.Equal(got, want) {
		t.Errorf("shared_outside = %q, want %q", got, want)
	}
	if len(got) == 0 {
		t.Error("shared_outside is empty, so the example shows nothing against the seed")
	}

	trashed := 0
	for _, f := range m.Files() {
		if f.Status == 1 && f.AppID == 15600 {
			trashed++
		}
	}
	var trash string
	if err := json.Unmarshal(outputs["trash"].Value, &trash); err != nil {
		t.Fatal(err)
	}
	if wantTrash := fmt.Sprintf("%d of %d", trashed, trashed); trash != wantTrash || trashed == 0 {
		t.Errorf("trash = %q, want %q", trash, wantTrash)
	}
	if n := m.Stats().Routes["POST /api/v1/files/"]; n == 0 {
		t.Error("the example listed no files")
	}
}
