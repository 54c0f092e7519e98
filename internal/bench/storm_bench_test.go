package bench

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// The storm measures correctness, not pacing: both the mock and the provider run at a
// raised limit of stormRate requests per minute, far above what the storm spends, so that
// the only failures are the injected ones. The 30-per-minute pacing is what the other
// benchmarks measure.
const (
	stormRate        = 3000
	stormParallelism = 20
	// stormRetries is above the default of 5 on purpose: at 30% independent failures,
	// 6 attempts all fail with probability 0.3^6 = 0.07%, so a run of ~600 operations would
	// lose one about every third run whatever the provider does. 11 attempts make that
	// 2e-6 per operation: a failure then means the provider gave up on something it
	// should have absorbed (a write it does not retry, a create it does not resolve).
	stormRetries = 10
)

const htmlGateway = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"

// stormMix is the storm: each entry fails its share of every IP-range request (listing,
// create, update, delete, confirmation lookups), 30% in all. "after" entries let MDA act
// first and then lose the answer, the case where a blind retry duplicates a create and a
// missing retry fails a delete that happened. A 429 comes only before acting: MDA's
// throttle answers before the request is processed, and the client trusts that.
var stormMix = []struct {
	share float64
	fault mockserver.Fault
}{
	{0.06, mockserver.Fault{Status: 429, Headers: map[string]string{"Retry-After": "1"}}},
	{0.05, mockserver.Fault{Status: 502, Body: htmlGateway}},
	{0.04, mockserver.Fault{Status: 502, Body: htmlGateway, After: true}},
	{0.03, mockserver.Fault{Status: 503, Headers: map[string]string{"Retry-After": "1"}}},
	{0.03, mockserver.Fault{Status: 503, After: true}},
	{0.05, mockserver.Fault{Drop: true}},
	{0.04, mockserver.Fault{Drop: true, After: true}},
}

// stormWrites are the routes whose failures the provider handles kind by kind: a create
// may be repeated only after a look-up, an update or a delete may be repeated as is.
var stormWrites = []string{
	"POST /api/v1/subnet/create_rule/",
	"POST /api/v1/subnet/{id}/update_rule/",
	"DELETE /api/v1/subnet/{id}/",
}

// startStorm queues the storm on m. First, every kind of stormMix once on each write
// route, so that no run passes because the dice spared a kind (with 20 ranges they
// would, often). Then stormMix on every IP-range route: the mock tries Fraction faults in
// order, each rolling its own die, so entry i gets share_i / (1 - shares before it); each
// entry then fails its share of all requests, and the mix sums to 30%.
func startStorm(m *mockserver.Server) (total float64) {
	for _, route := range stormWrites {
		for _, e := range stormMix {
			f := e.fault
			f.Match = route
			f.Count = 1
			m.AddFault(f)
		}
	}
	for _, e := range stormMix {
		f := e.fault
		f.Match = "* /api/v1/subnet*"
		f.Fraction = e.share / (1 - total)
		total += e.share
		m.AddFault(f)
	}
	return total
}

// stormPhase is one CLI command under the storm and what it cost.
type stormPhase struct {
	name    string
	elapsed time.Duration
	stats   mockserver.Stats
	retries int
	failed  bool
}

func (p stormPhase) String() string {
	routes := slices.Sorted(maps.Keys(p.stats.Routes))
	parts := make([]string, 0, len(routes))
	for _, r := range routes {
		parts = append(parts, fmt.Sprintf("%s=%d", r, p.stats.Routes[r]))
	}
	return fmt.Sprintf("%-8s %6.1fs wall, %4d requests, %3d injected faults (%.0f%%), %3d throttled by the mock, %3d client retries; %s",
		p.name, p.elapsed.Seconds(), p.stats.Total, p.stats.Faulted, 100*float64(p.stats.Faulted)/max(1, float64(p.stats.Total)),
		p.stats.Throttled, p.retries, strings.Join(parts, " "))
}

// stormConfig is n ranges with distinct names and subnets, all of one category.
func stormConfig(n int, category string) string {
	return fmt.Sprintf(`
resource "mda_ip_range" "r" {
  count    = %d
  name     = "storm-${count.index}"
  category = %q
  subnets  = ["10.${floor(count.index / 100)}.${count.index %% 100}.0/24"]
}
`, n, category)
}

// runStorm applies n ranges, plans, updates every one, plans again and destroys them,
// each in one CLI run under the storm, and checks after each step that the tenant and
// the state agree: exactly n ranges with the configured names and category after an
// apply, each in state under its server id, an empty plan, and nothing left after the
// destroy. It returns the phases for the caller to
// print; it fails tb at the first broken promise, after printing what ran.
func runStorm(tb testing.TB, cli *acctest.CLI, n int, deadline time.Duration, printf func(string, ...any)) []stormPhase {
	tb.Helper()
	m, err := mockserver.Start(mockserver.Options{Tokens: []string{benchToken}, Rate: stormRate, Window: time.Minute}, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	work := cli.NewWorkdir(tb, fmt.Sprintf("  portal_url          = %q\n  api_token           = %q\n  requests_per_minute = %d\n  max_retries         = %d",
		m.URL(), benchToken, stormRate, stormRetries), stormConfig(n, "corporate"))
	share := startStorm(m)
	printf("storm: %d IP ranges, -parallelism=%d, %.0f%% of IP-range requests failing (429, 502, 503, drops; before and after acting; each kind also once on the create, update and delete routes), limit raised to %d/min, max_retries=%d, %s\n",
		n, stormParallelism, 100*share, stormRate, stormRetries, cli.Path)

	ctx, cancel := context.WithTimeout(tb.Context(), deadline)
	defer cancel()
	var phases []stormPhase
	run := func(name string, args ...string) {
		tb.Helper()
		m.ResetStats()
		r := work.Run(ctx, args...)
		p := stormPhase{name: name, elapsed: r.Elapsed, stats: m.Stats(), retries: r.LogCount("retrying MDA request"), failed: r.Failed()}
		phases = append(phases, p)
		printf("  %s\n", p)
		if r.Err != nil || p.failed {
			// Say what the failed run left behind before stopping: how far the tenant and
			// the state drifted apart is the measure of the damage.
			for _, problem := range tenantProblems(ctx, tb, work, m, -1, 0) {
				printf("    %s\n", problem)
			}
			tb.Fatalf("%s under the storm did not succeed in one run (exit %d, %v); its diagnostics, by kind:\n%s\nthe first in full:\n%s",
				name, r.ExitCode, r.Err, summarizeErrors(r.Output), errorsOf(r.Output))
		}
	}

	parallelism := fmt.Sprintf("-parallelism=%d", stormParallelism)
	run("apply", "apply", "-auto-approve", "-input=false", parallelism)
	checkStormTenant(ctx, tb, work, m, n, 1)
	// -detailed-exitcode: 0 is an empty plan, 2 a planned change, 1 an error.
	run("plan", "plan", "-input=false", "-detailed-exitcode", "-lock=false", parallelism)

	work.WriteFile("main.tf", stormConfig(n, "other"))
	run("update", "apply", "-auto-approve", "-input=false", parallelism)
	checkStormTenant(ctx, tb, work, m, n, 6)
	run("plan", "plan", "-input=false", "-detailed-exitcode", "-lock=false", parallelism)

	run("destroy", "destroy", "-auto-approve", "-input=false", parallelism)
	checkStormTenant(ctx, tb, work, m, 0, 0)
	return phases
}

// checkStormTenant fails tb unless the tenant and the state agree: exactly want custom
// ranges, named storm-0 ... storm-<want-1> once each and all of category (the API's
// number), and the state holding each under its server id and nothing else.
func checkStormTenant(ctx context.Context, tb testing.TB, work *acctest.Workdir, m *mockserver.Server, want, category int) {
	tb.Helper()
	if problems := tenantProblems(ctx, tb, work, m, want, category); len(problems) > 0 {
		tb.Fatalf("tenant and state disagree:\n  %s", strings.Join(problems, "\n  "))
	}
}

// tenantProblems lists how the tenant and the state disagree; want < 0 skips the checks
// of the count, the names and the category, for a run that failed part-way.
func tenantProblems(ctx context.Context, tb testing.TB, work *acctest.Workdir, m *mockserver.Server, want, category int) []string {
	tb.Helper()
	byName := map[string][]string{}
	ids := map[string]string{}
	var problems []string
	stale := 0
	for _, s := range m.Subnets() {
		if !s.BuiltIn {
			byName[s.Name] = append(byName[s.Name], s.ID)
			ids[s.ID] = s.Name
			if want >= 0 && s.Category != category {
				stale++
			}
		}
	}
	if stale > 0 {
		problems = append(problems, fmt.Sprintf("%d ranges in the tenant are not of category %d", stale, category))
	}
	if want >= 0 && len(ids) != want {
		problems = append(problems, fmt.Sprintf("the tenant holds %d custom ranges, want %d", len(ids), want))
	}
	for name, got := range byName {
		if len(got) > 1 {
			problems = append(problems, fmt.Sprintf("%d ranges are named %q: %v", len(got), name, got))
		}
	}
	for i := range max(want, 0) {
		if name := fmt.Sprintf("storm-%d", i); len(byName[name]) == 0 {
			problems = append(problems, fmt.Sprintf("no range is named %q", name))
		}
	}
	state, err := work.State(ctx)
	if err != nil {
		return append(problems, err.Error())
	}
	inState := map[string]bool{}
	for _, r := range state {
		if r.Type != "mda_ip_range" {
			continue
		}
		id, _ := r.Values["id"].(string)
		inState[id] = true
		if name, ok := ids[id]; !ok {
			problems = append(problems, fmt.Sprintf("%s has id %q, which the tenant does not hold", r.Address, id))
		} else if name != r.Values["name"] {
			problems = append(problems, fmt.Sprintf("%s is named %v in state but %q in the tenant", r.Address, r.Values["name"], name))
		}
	}
	var orphans []string
	for id, name := range ids {
		if !inState[id] {
			orphans = append(orphans, name)
		}
	}
	if len(orphans) > 0 {
		sort.Strings(orphans)
		problems = append(problems, fmt.Sprintf("%d ranges are in the tenant but not in state: %s", len(orphans), strings.Join(orphans, ", ")))
	}
	sort.Strings(problems)
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
	}
	return problems
}

var (
	rangeNumber = regexp.MustCompile(`storm-\d+`)
	localPort   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	objectID    = regexp.MustCompile(`\b[0-9a-f]{24}\b`)
	whitespace  = regexp.MustCompile(`\s+`)
)

// summarizeErrors counts a CLI output's error diagnostics by title and first paragraph,
// with range names, ids and ports masked, so a run with fifty failures reads as the two
// or three ways it failed.
func summarizeErrors(out string) string {
	counts := map[string]int{}
	for _, chunk := range strings.Split(out, "\nError: ")[1:] {
		paras := strings.Split(chunk, "\n\n")
		key := paras[0]
		for _, p := range paras[1:] {
			if t := strings.TrimSpace(p); t != "" && !strings.HasPrefix(t, "with ") {
				key += ": " + t
				break
			}
		}
		key = whitespace.ReplaceAllString(key, " ")
		key = rangeNumber.ReplaceAllString(key, "storm-N")
		key = localPort.ReplaceAllString(key, "127.0.0.1:PORT")
		key = objectID.ReplaceAllString(key, "ID")
		counts[key]++
	}
	keys := slices.Sorted(maps.Keys(counts))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %3d x %s\n", counts[k], k)
	}
	return b.String()
}

// errorsOf keeps the error diagnostics of a CLI output, which under a storm may otherwise
// be buried in hundreds of progress lines; with none it returns the output's tail.
func errorsOf(out string) string {
	if i := strings.Index(out, "Error:"); i >= 0 {
		out = out[max(0, strings.LastIndex(out[:i], "\n")):]
		if len(out) > 8000 {
			out = out[:8000] + "\n..."
		}
		return out
	}
	if len(out) > 4000 {
		return "...\n" + out[len(out)-4000:]
	}
	return out
}

// BenchmarkIPRangeStorm applies, updates and destroys 200 ranges with 30% of requests
// failing transiently, each in one CLI run with an empty plan after each apply, and
// prints what each run cost.
func BenchmarkIPRangeStorm(b *testing.B) {
	cli := acctest.NewCLI(b)
	for range b.N {
		phases := runStorm(b, cli, 200, 20*time.Minute, func(f string, a ...any) { fmt.Printf(f, a...) })
		for _, p := range phases {
			if p.name != "plan" {
				b.ReportMetric(p.elapsed.Seconds(), p.name+"-wall-s")
			}
		}
		var requests, faulted, retries int
		for _, p := range phases {
			requests += p.stats.Total
			faulted += p.stats.Faulted
			retries += p.retries
		}
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(float64(faulted), "faults")
		b.ReportMetric(float64(retries), "retries")
	}
}

// TestAccIPRangeStorm is the storm at a tenth of the size, for every acceptance run on
// both CLIs: 20 ranges applied, updated and destroyed with 30% of requests failing.
func TestAccIPRangeStorm(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	runStorm(t, acctest.NewCLI(t), 20, 5*time.Minute, func(f string, a ...any) {
		t.Helper()
		t.Logf(strings.TrimSuffix(f, "\n"), a...)
	})
}
