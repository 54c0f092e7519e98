package clitest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// TestAccDiscoveryExamples runs the docs examples of mda_discovery_streams,
// mda_discovery_categories and mda_discovery_block_script as written, each in its own
// working directory against one mock, and checks their outputs against the mock's seed.
func TestAccDiscoveryExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	m := acctest.StartMock(t)
	cli := acctest.NewCLI(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	apply := func(name string) (acctest.Result, map[string]json.RawMessage, *acctest.Workdir) {
		t.Helper()
		example, err := os.ReadFile("../../examples/data-sources/" + name + "/data-source.tf")
		if err != nil {
			t.Fatal(err)
		}
		work := cli.NewWorkdir(t, fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = 6000",
			m.URL(), acctest.Token), string(example))
		res := work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
		out := work.MustRun(ctx, "output", "-json")
		var outputs map[string]struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal([]byte(out.Stdout), &outputs); err != nil {
			t.Fatalf("reading the outputs: %v\n%s", err, out.Stdout)
		}
		values := map[string]json.RawMessage{}
		for k, v := range outputs {
			values[k] = v.Value
		}
		return res, values, work
	}
	streams := m.DiscoveryStreams()

	res, out, _ := apply("mda_discovery_streams")
	var byName map[string]string
	if err := json.Unmarshal(out["streams"], &byName); err != nil {
		t.Fatal(err)
	}
	if len(byName) != len(streams) || !strings.HasPrefix(byName["Global View"], "view, invalid, last data 20") ||
		byName["Checkpoint report"] != "input, checkpoint, last data never" {
		t.Errorf("streams = %v", byName)
	}
	if string(out["global_view_id"]) != `"57869acdb4b3d5154f095af7"` {
		t.Errorf("global_view_id = %s", out["global_view_id"])
	}
	// The seeded Palo Alto collector last received logs 26 hours ago: the check warns,
	// and the apply still succeeds.
	if !strings.Contains(res.Output, "A Cloud Discovery log collector has received no logs for 24 hours.") {
		t.Errorf("the collectors check did not warn:\n%s", res.Output)
	}

	_, out, _ = apply("mda_discovery_categories")
	var perCategory map[string]int
	if err := json.Unmarshal(out["apps_per_category"], &perCategory); err != nil {
		t.Fatal(err)
	}
	want := m.DiscoveryCategories(streams[0].ID, 30)
	cloudStorage := 0
	for _, c := range want {
		if perCategory[c.ID] != c.Total {
			t.Errorf("apps_per_category[%s] = %d, want %d", c.ID, perCategory[c.ID], c.Total)
		}
		if c.ID == "SAASDB_CATEGORY_CLOUD_STORAGE" {
			cloudStorage = c.Total
		}
	}
	if len(perCategory) != len(want) || string(out["cloud_storage_apps"]) != fmt.Sprint(cloudStorage) {
		t.Errorf("apps_per_category has %d entries, want %d; cloud_storage_apps = %s, want %d",
			len(perCategory), len(want), out["cloud_storage_apps"], cloudStorage)
	}

	_, out, work := apply("mda_discovery_block_script")
	script := m.BlockScript(120)
	if string(out["blocked_domains"]) != fmt.Sprint(strings.Count(script, "\n")) {
		t.Errorf("blocked_domains = %s for the script %q", out["blocked_domains"], script)
	}
	// The firewall workflow's resource holds the script byte for byte and, with the
	// script unchanged, stays as it is.
	state, err := work.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range state {
		if r.Address == "terraform_data.zscaler_block_list" {
			found = true
			if input, _ := r.Values["input"].(string); input != script {
				t.Errorf("terraform_data input = %#v, want %q", r.Values["input"], script)
			}
		}
	}
	if !found {
		t.Errorf("no terraform_data.zscaler_block_list in the state: %+v", state)
	}
	if r := work.Run(ctx, "plan", "-detailed-exitcode", "-input=false"); r.ExitCode != 0 {
		t.Errorf("a second plan is not empty:\n%s", r)
	}
}
