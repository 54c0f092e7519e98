// Package bench measures the provider as users run it: the real terraform CLI, the
// provider built as a plugin binary (so Terraform starts a process for each walk, as in
// production; see acctest.CLI), and the mock tenant at MDA's real limit of 30 requests per
// minute. Each benchmark prints its wall time next to the lower bound that limit allows,
// and fails on any error or any throttled request. The storm (storm_bench_test.go) is the
// exception: it runs at a raised limit and measures correctness under injected faults.
// Run them with `make bench`.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	benchToken  = "bench-token-0123456789abcdef0123456789abcdef0123456789abcdef0123"
	benchRate   = 30
	benchWindow = 60 * time.Second
)

// BenchmarkIPRangeApply40 applies 40 new IP ranges with -parallelism=20. The apply walk
// lists the tenant once (1 request) and creates 40 ranges (40 requests): 41 requests, of
// which only 30 fit in the first minute.
func BenchmarkIPRangeApply40(b *testing.B) {
	cli := acctest.NewCLI(b)
	for range b.N {
		b.StopTimer()
		m := startBenchMock(b)
		work := benchWorkdir(b, cli, m, benchRangesConfig(40))
		b.StartTimer()

		elapsed := runTerraform(b, work, "apply", "-auto-approve", "-input=false", "-parallelism=20")

		b.StopTimer()
		st := m.Stats()
		custom := 0
		for _, s := range m.Subnets() {
			if !s.BuiltIn {
				custom++
			}
		}
		if custom != 40 {
			b.Fatalf("the tenant holds %d custom ranges after the apply, want 40", custom)
		}
		reportAgainstLimit(b, "apply of 40 new IP ranges", elapsed, st)
		m.Close()
	}
}

// BenchmarkIPRangeRefresh150Of250 plans (and so refreshes) 150 managed ranges in a tenant
// of 250: the listing's 3 pages serve all 150 reads.
func BenchmarkIPRangeRefresh150Of250(b *testing.B) {
	cli := acctest.NewCLI(b)
	for range b.N {
		b.StopTimer()
		m := startBenchMock(b)
		ranges := m.SeedSubnets(250, "bench")[:150]
		work := benchWorkdir(b, cli, m, managedRangesConfig)
		writeManaged(b, work.Dir, ranges)
		b.StartTimer()

		// -detailed-exitcode makes any planned change fail the run: the refresh must find
		// exactly what the state says.
		elapsed := runTerraform(b, work, "plan", "-input=false", "-detailed-exitcode", "-lock=false")

		b.StopTimer()
		st := m.Stats()
		if st.Total > 3 {
			b.Errorf("refreshing 150 ranges cost %d requests (%v), want at most 3", st.Total, st.Routes)
		}
		reportAgainstLimit(b, "refresh of 150 ranges in a tenant of 250", elapsed, st)
		m.Close()
	}
}

// reportAgainstLimit prints the wall time beside the lower bound of the rate limit and
// fails on throttled requests: the provider must wait for the budget, never spend past it.
func reportAgainstLimit(b *testing.B, what string, elapsed time.Duration, st mockserver.Stats) {
	b.Helper()
	lower := lowerBound(st.Total, benchRate, benchWindow)
	b.ReportMetric(elapsed.Seconds(), "wall-s")
	b.ReportMetric(lower.Seconds(), "lower-bound-s")
	b.ReportMetric(float64(st.Total), "requests")
	b.ReportMetric(float64(st.Throttled), "throttled")
	fmt.Printf("%s: %.1fs wall, lower bound %.1fs at %d requests per %s; %d requests, %d throttled %v\n",
		what, elapsed.Seconds(), lower.Seconds(), benchRate, benchWindow, st.Total, st.Throttled, st.Routes)
	if st.Throttled > 0 {
		b.Errorf("%d requests were throttled; the limiter must keep the provider inside the budget", st.Throttled)
	}
}

// lowerBound is the least time n requests can take when at most rate fit in any window:
// request k (counting from 0) cannot start before floor(k/rate) windows have passed.
func lowerBound(n, rate int, window time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration((n-1)/rate) * window
}

func TestLowerBound(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {1, 0}, {30, 0}, {31, time.Minute}, {41, time.Minute}, {60, time.Minute}, {61, 2 * time.Minute}} {
		if got := lowerBound(tc.n, 30, time.Minute); got != tc.want {
			t.Errorf("lowerBound(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

func startBenchMock(b *testing.B) *mockserver.Server {
	b.Helper()
	m, err := mockserver.Start(mockserver.Options{Tokens: []string{benchToken}, Rate: benchRate, Window: benchWindow}, "")
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// TestMain removes the provider binary that the benchmarks and tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	acctest.RemoveProviderBuild()
	os.Exit(code)
}

// benchWorkdir is a configuration for the real CLI against m, at the mock's real limit.
func benchWorkdir(b *testing.B, cli *acctest.CLI, m *mockserver.Server, config string) *acctest.Workdir {
	b.Helper()
	return cli.NewWorkdir(b, fmt.Sprintf("  portal_url = %q\n  api_token  = %q", m.URL(), benchToken), config)
}

func benchRangesConfig(n int) string {
	return fmt.Sprintf(`
resource "mda_ip_range" "r" {
  count    = %d
  name     = "bench-${count.index}"
  category = "corporate"
  subnets  = ["10.${floor(count.index / 100)}.${count.index %% 100}.0/24"]
}
`, n)
}

// managedRangesConfig manages the ranges listed in ranges.json, keyed by name.
const managedRangesConfig = `
locals {
  ranges = jsondecode(file("${path.module}/ranges.json"))
}

resource "mda_ip_range" "r" {
  for_each = local.ranges
  name     = each.key
  category     = each.value.category
  subnets      = each.value.subnets
  organization = each.value.organization
  tags         = each.value.tags
}
`

var categoryWords = map[int]string{1: "corporate", 2: "administrative", 3: "risky", 4: "vpn", 5: "cloud_provider", 6: "other"}

// writeManaged puts existing ranges under management without creating them: the
// configuration and a state that match what the tenant holds, so the benchmark spends its
// budget on the refresh alone.
func writeManaged(b *testing.B, work string, ranges []mockserver.Subnet) {
	b.Helper()
	config := map[string]any{}
	instances := make([]map[string]any, 0, len(ranges))
	for _, s := range ranges {
		cidrs := make([]string, 0, len(s.Subnets))
		for _, n := range s.Subnets {
			cidrs = append(cidrs, n.OriginalString)
		}
		category := categoryWords[s.Category]
		var org, tags any
		if s.Organization != nil {
			org = *s.Organization
		}
		if len(s.Tags) > 0 {
			names := make([]string, 0, len(s.Tags))
			for _, t := range s.Tags {
				names = append(names, t.Name)
			}
			tags = names
		}
		config[s.Name] = map[string]any{"category": category, "subnets": cidrs, "organization": org, "tags": tags}
		instances = append(instances, map[string]any{
			"index_key":      s.Name,
			"schema_version": 0,
			"attributes": map[string]any{
				"id": s.ID, "name": s.Name, "category": category, "subnets": cidrs,
				"organization": org, "tags": tags, "timeouts": nil,
			},
		})
	}
	state := map[string]any{
		"version": 4, "terraform_version": "1.5.7", "serial": 1, "lineage": "00000000-0000-0000-0000-00000000bec4",
		"outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": "mda_ip_range", "name": "r",
			"provider":  `provider["registry.terraform.io/mda-terraform/mda"]`,
			"instances": instances,
		}},
	}
	for name, v := range map[string]any{"ranges.json": config, "terraform.tfstate": state} {
		raw, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), raw, 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

// runTerraform runs one CLI command in work and returns its wall time; any non-zero exit
// or error diagnostic fails the benchmark.
func runTerraform(b *testing.B, work *acctest.Workdir, args ...string) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	defer cancel()
	return work.MustRun(ctx, args...).Elapsed
}
