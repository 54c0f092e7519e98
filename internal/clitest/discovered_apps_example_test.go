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
)

// TestAccDiscoveredAppsExample runs the docs example of mda_discovered_apps as written,
// signed in as an Entra app with the Graph permission, and checks its outputs against the
// mock's own Graph listing.
func TestAccDiscoveredAppsExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	m := acctest.StartGraphMock(t)
	cli := acctest.NewCLI(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	example, err := os.ReadFile("../../examples/data-sources/mda_discovered_apps/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	work := cli.NewWorkdir(t, fmt.Sprintf(`  portal_url          = %[1]q
  authority_url       = %[1]q
  graph_url           = %[1]q
  tenant_id           = %[2]q
  client_id           = %[3]q
  client_secret       = %[4]q
  requests_per_minute = 6000`, m.URL(), m.Tenant(), acctest.GraphAppID, acctest.GraphAppSecret), string(example))
	work.MustRun(ctx, "apply", "-auto-approve", "-input=false")
	res := work.MustRun(ctx, "output", "-json")
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &outputs); err != nil {
		t.Fatalf("reading the outputs: %v\n%s", err, res.Stdout)
	}

	type app struct {
		ID          string   `json:"id"`
		DisplayName string   `json:"displayName"`
		Category    string   `json:"category"`
		RiskScore   int      `json:"riskScore"`
		UserCount   int      `json:"userCount"`
		Tags        []string `json:"tags"`
	}
	apps := func(stream, period string) []app {
		var out []app
		for _, raw := range acctest.GraphApps(t, m, acctest.GraphStreamID(t, m, stream), period) {
			b, _ := json.Marshal(raw)
			var a app
			if err := json.Unmarshal(b, &a); err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
		return out
	}
	global30, global90, proxy := apps("Global View", "P30D"), apps("Global View", "P90D"), apps("Zscaler proxy", "P30D")

	if got := string(outputs["app_count"].Value); got != fmt.Sprint(len(global30)) {
		t.Errorf("app_count = %s, want %d", got, len(global30))
	}

	var genai map[string]int
	if err := json.Unmarshal(outputs["genai_users"].Value, &genai); err != nil {
		t.Fatal(err)
	}
	wantGenai := map[string]int{}
	for _, a := range global90 {
		if a.Category == "generativeAi" && a.UserCount >= 10 {
			wantGenai[a.DisplayName] = a.UserCount
		}
	}
	if len(wantGenai) == 0 || fmt.Sprint(genai) != fmt.Sprint(wantGenai) {
		t.Errorf("genai_users = %v, want %v (not empty)", genai, wantGenai)
	}

	var risky []string
	if err := json.Unmarshal(outputs["unsanctioned_risky"].Value, &risky); err != nil {
		t.Fatal(err)
	}
	var wantRisky []string
	for _, a := range global30 {
		if a.RiskScore <= 4 && slices.Contains(a.Tags, "Unsanctioned") {
			wantRisky = append(wantRisky, fmt.Sprintf("%s (%d)", a.DisplayName, a.RiskScore))
		}
	}
	slices.Sort(risky)
	slices.Sort(wantRisky)
	if len(wantRisky) == 0 || !slices.Equal(risky, wantRisky) {
		t.Errorf("unsanctioned_risky = %v, want %v (not empty)", risky, wantRisky)
	}

	var drives []string
	if err := json.Unmarshal(outputs["proxy_drives"].Value, &drives); err != nil {
		t.Fatal(err)
	}
	var wantDrives []string
	for _, a := range proxy {
		if strings.Contains(strings.ToLower(a.DisplayName), "drive") {
			wantDrives = append(wantDrives, a.DisplayName)
		}
	}
	slices.Sort(drives)
	slices.Sort(wantDrives)
	if len(wantDrives) == 0 || !slices.Equal(drives, wantDrives) {
		t.Errorf("proxy_drives = %v, want %v (not empty)", drives, wantDrives)
	}
}
