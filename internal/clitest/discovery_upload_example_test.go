package clitest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// TestAccDiscoveryLogUploadExample runs both mda_discovery_log_upload docs examples as
// written, with the log files they name made in the working directory (path.module):
// the apply uploads three files, an unchanged file plans nothing, a changed one is
// replaced, and destroy warns that MDA keeps what was uploaded.
func TestAccDiscoveryLogUploadExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	var config strings.Builder
	for _, name := range []string{"resource.tf", "snapshot.tf"} {
		b, err := os.ReadFile("../../examples/resources/mda_discovery_log_upload/" + name)
		if err != nil {
			t.Fatal(err)
		}
		config.Write(b)
	}
	m := acctest.StartMock(t)
	cli := acctest.NewCLI(t)
	work := cli.NewWorkdir(t, fmt.Sprintf("  portal_url = %q\n  api_token  = %q", m.URL(), acctest.Token), config.String())
	write := func(name, body string) {
		p := filepath.Join(work.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("logs/zscaler-nightly.log", "2026-11-27 01:00:00 reason=Allowed url=example.com\n")
	write("exports/fw-east.log", "1,2026/11/27 01:00:00,TRAFFIC,east\n")
	write("exports/fw-west.log", "1,2026/11/27 01:00:00,TRAFFIC,west\n")

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	finished := func() int {
		n := 0
		for _, b := range m.Blobs() {
			if b.Finished {
				n++
			}
		}
		return n
	}
	if n := finished(); n != 3 {
		t.Fatalf("%d uploads finished, want 3", n)
	}
	snapshots := map[string]bool{}
	for _, s := range m.DiscoveryStreams() {
		if s.Snapshot {
			snapshots[s.Name] = true
		}
	}
	if !snapshots["Firewall fw-east"] || !snapshots["Firewall fw-west"] {
		t.Errorf("snapshot reports %v, want Firewall fw-east and Firewall fw-west", snapshots)
	}
	if r := work.Run(ctx, "plan", "-detailed-exitcode", "-input=false"); r.ExitCode != 0 {
		t.Fatalf("plan after apply is not empty:\n%s", r)
	}

	write("exports/fw-west.log", "1,2026/11/28 01:00:00,TRAFFIC,west\n")
	r := work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(r.Output, "1 added, 0 changed, 1 destroyed") {
		t.Errorf("a changed export should replace its one upload:\n%s", r)
	}
	if n := finished(); n != 4 {
		t.Errorf("%d uploads finished, want 4", n)
	}
	if m.BlobSawAuthorization() {
		t.Error("the blob target saw an Authorization header")
	}

	r = work.MustRun(ctx, "destroy", "-auto-approve", "-input=false")
	if !strings.Contains(r.Output, "removed from state only") {
		t.Errorf("destroy printed no warning that MDA keeps the uploads:\n%s", r)
	}
}
