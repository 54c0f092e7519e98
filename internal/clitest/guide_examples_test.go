package clitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// The guides' examples live in examples/guides/<guide>/..., and each directory holding a
// commands.sh is one example, run here as a user runs it:
//
//   - The example's top directory (examples/guides/<guide>) is copied whole, so examples of
//     one guide can share files (adopt/generate and adopt/for-each both use adopt/find).
//   - cmd/mda-mock is started as the guides say (`-token t1`, its real limit of 30 requests
//     per minute), and every `export` line it prints is applied.
//   - commands.sh runs line by line in the example's directory, each line by bash, with
//     `terraform` (and `tofu`) on PATH being the CLI under test, HOME a new empty
//     directory, and TF_CLI_CONFIG_FILE a dev_overrides configuration for the provider the
//     harness built, unless the example has its own *.tfrc (whose placeholder path
//     guidePluginPlaceholder is replaced by the harness's) and exports it itself.
//   - Blank lines and comment lines are skipped; a line ending in a backslash continues on
//     the next. `export NAME=...`, `unset NAME` and `cd DIR` lines carry over to the
//     following lines; other shell variables do not.
//   - GOPATH is a directory whose bin holds the provider the harness built, where `go
//     install .` would have put it, and GOBIN is unset.
//   - A line must exit 0, unless its trailing comment says "exit code N".
//   - A comment "Needs ... X.Y or later" skips the example on older CLIs.
//   - guideExampleHooks may add, per directory, a mock that starts with data (setup) and
//     checks beyond exit codes (check).

const (
	guideExamplesRoot = "../../examples/guides"
	// guidePluginPlaceholder is the provider directory the guides' CLI configurations name
	// ($(go env GOPATH)/bin for a user called "you").
	guidePluginPlaceholder = "/home/you/go/bin"
	// guideMockToken is the token the guides start cmd/mda-mock with.
	guideMockToken   = "t1"
	guideStepTimeout = 3 * time.Minute
)

// guideHooks is what a directory's example needs beyond commands.sh.
type guideHooks struct {
	// mockFlags are added to cmd/mda-mock's command line.
	mockFlags []string
	// env is added to the environment of every line.
	env map[string]string
	// setup runs once the mock is up and before the first line.
	setup func(t *testing.T, m *guideMock)
	// check runs after the last line.
	check func(t *testing.T, r *guideRun)
}

// guideExampleHooks is keyed by the example's directory under examples/guides.
var guideExampleHooks = map[string]guideHooks{
	"adopt/generate":             {setup: seedGuideRanges, check: checkAdopted},
	"adopt/for-each":             {setup: seedGuideRanges, check: checkAdoptedForEach},
	"dev-overrides":              {check: checkDevOverrides},
	"dev-overrides/local-mirror": {check: checkLocalMirror},
	// Graph's Cloud Discovery API needs an Entra app; the mock gives it the Graph role.
	"shadow-it": {mockFlags: []string{"-client", "shadow-it-report:s3cret:Discovery.read"}},
}

// TestAccGuideExamples runs every example of the guides as written, against cmd/mda-mock.
func TestAccGuideExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc, make testacc-tofu)")
	}
	acctest.PreCheck(t)
	t.Parallel()
	cli := acctest.NewCLI(t)
	examples, err := discoverGuideExamples(guideExamplesRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatalf("no commands.sh under %s: the guides' examples have moved, and this test would pass on nothing", guideExamplesRoot)
	}
	for _, ex := range examples {
		t.Run(strings.ReplaceAll(ex.dir, "/", "_"), func(t *testing.T) {
			t.Parallel()
			r := runGuideExample(t, cli, ex, guideExampleHooks[ex.dir])
			if r == nil {
				return
			}
			for _, res := range r.results {
				t.Logf("%-70s exit %d, %5.1fs, %d requests", res.step.line, res.exit, res.elapsed.Seconds(), res.requests.Total)
			}
		})
	}
}

// guideExample is one directory with a commands.sh.
type guideExample struct {
	root  string // the guide's top directory under examples/guides, copied whole
	dir   string // the example's directory, relative to examples/guides, slash-separated
	steps []guideStep
	needs [2]int // the oldest CLI version (major, minor) that runs it, or zero
}

type guideStep struct {
	line     string
	wantExit int
}

var (
	exitCodeComment = regexp.MustCompile(`\s#[^'"]*\bexit code (\d+)[^'"]*$`)
	needsComment    = regexp.MustCompile(`(?i)^#.*\bneeds\b.*?(\d+)\.(\d+) or later`)
	exportLine      = regexp.MustCompile(`^(export\s+[A-Za-z_][A-Za-z0-9_]*=|unset\s+[A-Za-z_])`)
	cdLine          = regexp.MustCompile(`^cd\s+(\S+)$`)
)

// discoverGuideExamples finds every commands.sh under root.
func discoverGuideExamples(root string) ([]guideExample, error) {
	var out []guideExample
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "commands.sh" {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		ex, err := parseGuideCommands(path)
		if err != nil {
			return err
		}
		ex.dir = filepath.ToSlash(rel)
		ex.root = filepath.Join(root, strings.Split(ex.dir, "/")[0])
		out = append(out, ex)
		return nil
	})
	return out, err
}

// parseGuideCommands reads a commands.sh into steps.
func parseGuideCommands(path string) (guideExample, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return guideExample{}, err
	}
	var ex guideExample
	var pending string
	for n, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if m := needsComment.FindStringSubmatch(line); m != nil {
			major, _ := strconv.Atoi(m[1])
			minor, _ := strconv.Atoi(m[2])
			ex.needs = [2]int{major, minor}
		}
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending += cont + " "
			continue
		}
		line, pending = pending+line, ""
		step := guideStep{line: line}
		if m := exitCodeComment.FindStringSubmatch(line); m != nil {
			step.wantExit, _ = strconv.Atoi(m[1])
			step.line = strings.TrimSpace(line[:len(line)-len(m[0])])
		}
		if step.line == "" {
			return ex, fmt.Errorf("%s:%d: an exit code comment with no command", path, n+1)
		}
		ex.steps = append(ex.steps, step)
	}
	if pending != "" {
		return ex, fmt.Errorf("%s: the last line ends in a backslash", path)
	}
	return ex, nil
}

// findGuideExample returns the example in dir (relative to examples/guides).
func findGuideExample(t *testing.T, dir string) guideExample {
	t.Helper()
	examples, err := discoverGuideExamples(guideExamplesRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		if ex.dir == dir {
			return ex
		}
	}
	t.Fatalf("no examples/guides/%s/commands.sh", dir)
	return guideExample{}
}

// guideRun is one example being run.
type guideRun struct {
	t       *testing.T
	cli     *acctest.CLI
	ex      guideExample
	mock    *guideMock
	work    string // the copy of the example's directory
	cwd     string
	env     map[string]string
	results []guideStepResult
}

type guideStepResult struct {
	step     guideStep
	exit     int
	output   string
	elapsed  time.Duration
	requests mockserver.Stats // what the line cost in the mock
}

// runGuideExample copies ex, starts its mock and runs its commands, failing t at the
// first line that does not exit as commands.sh says. It returns nil, having checked that
// the CLI refuses the example, when the example needs a newer CLI.
func runGuideExample(t *testing.T, cli *acctest.CLI, ex guideExample, hooks guideHooks) *guideRun {
	t.Helper()
	r := newGuideRun(t, cli, ex, hooks)
	if ex.needs != [2]int{} {
		if v := cliVersion(t, cli); v[0] < ex.needs[0] || v[0] == ex.needs[0] && v[1] < ex.needs[1] {
			// Acceptance runs never skip: on an older CLI the example must be refused
			// outright, before it touches anything, which is what its guide promises.
			res := r.run(guideStep{line: "terraform validate -no-color"})
			if res.exit != 1 || !strings.Contains(res.output, "Error: ") {
				t.Fatalf("examples/guides/%s needs %d.%d or later, and %s %d.%d should refuse it; "+
					"terraform validate exited %d:\n%s", ex.dir, ex.needs[0], ex.needs[1], cli.Path, v[0], v[1], res.exit, res.output)
			}
			t.Logf("examples/guides/%s needs %d.%d or later; %s %d.%d refuses it as it should:\n%s",
				ex.dir, ex.needs[0], ex.needs[1], cli.Path, v[0], v[1], res.output)
			return nil
		}
	}
	if hooks.setup != nil {
		hooks.setup(t, r.mock)
	}
	for _, step := range ex.steps {
		res := r.run(step)
		if res.exit != step.wantExit {
			t.Fatalf("examples/guides/%s: `%s` exited %d, the example says %d (after %s):\n%s",
				ex.dir, step.line, res.exit, step.wantExit, res.elapsed.Round(time.Millisecond), tail(res.output, 6000))
		}
	}
	if hooks.check != nil {
		hooks.check(t, r)
	}
	return r
}

func newGuideRun(t *testing.T, cli *acctest.CLI, ex guideExample, hooks guideHooks) *guideRun {
	t.Helper()
	tmp := t.TempDir()
	copyRoot := filepath.Join(tmp, filepath.Base(ex.root))
	if err := os.CopyFS(copyRoot, os.DirFS(ex.root)); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(tmp, filepath.FromSlash(ex.dir))
	r := &guideRun{t: t, cli: cli, ex: ex, work: work, cwd: work, env: guideBaseEnv()}

	home := filepath.Join(tmp, "home")
	shims := filepath.Join(tmp, "bin")
	for _, d := range []string{home, shims} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Both names, so a guide may say either; the CLI under test answers to both.
	for _, name := range []string{"terraform", "tofu"} {
		if err := os.Symlink(cli.Path, filepath.Join(shims, name)); err != nil {
			t.Fatal(err)
		}
	}
	r.env["PATH"] = shims + string(os.PathListSeparator) + os.Getenv("PATH")
	// A home of its own: no ~/.terraformrc, and the provider's limiter window (under the
	// user cache directory) is this run's alone.
	r.env["HOME"] = home
	r.env["XDG_CACHE_HOME"] = filepath.Join(home, ".cache")
	r.env["XDG_CONFIG_HOME"] = filepath.Join(home, ".config")
	gobin := filepath.Join(tmp, "go", "bin")
	if err := os.MkdirAll(gobin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(cli.PluginDir(), "terraform-provider-mda"), filepath.Join(gobin, "terraform-provider-mda")); err != nil {
		t.Fatal(err)
	}
	r.env["GOPATH"] = filepath.Dir(gobin)
	r.env["TF_IN_AUTOMATION"] = "1"
	r.env["CHECKPOINT_DISABLE"] = "1"

	ownConfig := false
	_ = filepath.WalkDir(copyRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tfrc" {
			return err
		}
		ownConfig = true
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Contains(raw, []byte(guidePluginPlaceholder)) {
			t.Fatalf("%s does not name %s, the placeholder this test replaces with the provider it built", path, guidePluginPlaceholder)
		}
		return os.WriteFile(path, bytes.ReplaceAll(raw, []byte(guidePluginPlaceholder), []byte(cli.PluginDir())), 0o600)
	})
	if !ownConfig {
		rc := filepath.Join(home, "dev.tfrc")
		body := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"mda-terraform/mda\" = %q\n  }\n  direct {}\n}\n", cli.PluginDir())
		if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r.env["TF_CLI_CONFIG_FILE"] = rc
	}

	r.mock = startGuideMock(t, cli, hooks.mockFlags...)
	for _, line := range r.mock.exports {
		if res := r.run(guideStep{line: line}); res.exit != 0 {
			t.Fatalf("cmd/mda-mock printed %q, which bash cannot run: %s", line, res.output)
		}
	}
	if r.env["MDA_PORTAL_URL"] != r.mock.url {
		t.Fatalf("cmd/mda-mock serves %s but its printed exports set MDA_PORTAL_URL=%q", r.mock.url, r.env["MDA_PORTAL_URL"])
	}
	for k, v := range hooks.env {
		r.env[k] = v
	}
	return r
}

// guideBaseEnv is this process's environment without what would steer the CLI or the
// provider elsewhere than the example says.
func guideBaseEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "MDA_") || strings.HasPrefix(k, "ARM_") ||
			strings.HasPrefix(k, "XDG_") || k == "HOME" || k == "PWD" || k == "OLDPWD" || k == "GOBIN" || k == "GOPATH" {
			continue
		}
		env[k] = v
	}
	return env
}

func (r *guideRun) environ() []string {
	out := make([]string, 0, len(r.env)+1)
	for k, v := range r.env {
		out = append(out, k+"="+v)
	}
	return append(out, "PWD="+r.cwd)
}

// run runs one line of commands.sh and records what it cost in the mock.
func (r *guideRun) run(step guideStep) guideStepResult {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), guideStepTimeout)
	defer cancel()
	before := r.mock.stats(r.t)
	start := time.Now()
	res := guideStepResult{step: step}

	script := step.line
	envFile := filepath.Join(r.t.TempDir(), "env")
	isExport := exportLine.MatchString(step.line)
	if isExport {
		script += "\n__rc=$?; env -0 > " + shellQuoteArg(envFile) + "; exit $__rc"
	}
	if m := cdLine.FindStringSubmatch(step.line); m != nil {
		script += "\n__rc=$?; pwd > " + shellQuoteArg(envFile) + "; exit $__rc"
	}
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", script)
	cmd.Dir = r.cwd
	cmd.Env = r.environ()
	out, err := cmd.CombinedOutput()
	res.output = stripANSI(string(out))
	res.elapsed = time.Since(start)
	res.exit = -1
	var exit *exec.ExitError
	switch {
	case err == nil:
		res.exit = 0
	case errors.As(err, &exit):
		res.exit = exit.ExitCode()
	default:
		res.output += "\n" + err.Error()
	}
	if ctx.Err() != nil {
		res.output += fmt.Sprintf("\n(killed after %s)", guideStepTimeout)
	}
	if res.exit == 0 && isExport {
		r.loadEnv(envFile)
	}
	if res.exit == 0 && cdLine.MatchString(step.line) {
		raw, _ := os.ReadFile(envFile)
		r.cwd = strings.TrimSpace(string(raw))
	}
	res.requests = statsSince(before, r.mock.stats(r.t))
	r.results = append(r.results, res)
	return res
}

// loadEnv takes the environment bash left after an export line, without what bash sets
// for itself.
func (r *guideRun) loadEnv(path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(raw), "\x00") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "PWD" || k == "OLDPWD" || k == "SHLVL" || k == "_" || k == "__rc" {
			continue
		}
		env[k] = v
	}
	r.env = env
}

// result returns the result of the first line that contains s.
func (r *guideRun) result(s string) guideStepResult {
	r.t.Helper()
	for _, res := range r.results {
		if strings.Contains(res.step.line, s) {
			return res
		}
	}
	r.t.Fatalf("no line of examples/guides/%s/commands.sh contains %q", r.ex.dir, s)
	return guideStepResult{}
}

// lastResult returns the result of the last line that contains s.
func (r *guideRun) lastResult(s string) guideStepResult {
	r.t.Helper()
	for i := len(r.results) - 1; i >= 0; i-- {
		if strings.Contains(r.results[i].step.line, s) {
			return r.results[i]
		}
	}
	r.t.Fatalf("no line of examples/guides/%s/commands.sh contains %q", r.ex.dir, s)
	return guideStepResult{}
}

// managedRanges reads the state of the example's directory through the CLI and returns
// its mda_ip_range instances.
func (r *guideRun) managedRanges() []acctest.StateInstance {
	r.t.Helper()
	res := r.run(guideStep{line: "terraform show -json -no-color > state.json"})
	r.results = r.results[:len(r.results)-1] // not a line of the example
	if res.exit != 0 {
		r.t.Fatalf("terraform show -json: %s", res.output)
	}
	raw, err := os.ReadFile(filepath.Join(r.cwd, "state.json"))
	if err != nil {
		r.t.Fatal(err)
	}
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []acctest.StateInstance `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		r.t.Fatalf("decoding show -json: %s", err)
	}
	var out []acctest.StateInstance
	if doc.Values != nil {
		for _, s := range doc.Values.RootModule.Resources {
			if s.Type == "mda_ip_range" {
				out = append(out, s)
			}
		}
	}
	return out
}

// guideMock is cmd/mda-mock running as its own process.
type guideMock struct {
	url     string
	exports []string // the `export ...` lines it printed
}

var (
	mockBuildOnce sync.Once
	mockBin       string
	mockBuildErr  error
)

// startGuideMock builds cmd/mda-mock (once) and starts it as the guides do, on a free port.
func startGuideMock(t *testing.T, cli *acctest.CLI, flags ...string) *guideMock {
	t.Helper()
	mockBuildOnce.Do(func() {
		// Beside the provider build, which TestMain removes; the CLI looks only for
		// terraform-provider-* there.
		mockBin = filepath.Join(cli.PluginDir(), "mda-mock")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", mockBin, "../../cmd/mda-mock").CombinedOutput()
		if err != nil {
			mockBuildErr = fmt.Errorf("building cmd/mda-mock: %w\n%s", err, out)
		}
	})
	if mockBuildErr != nil {
		t.Fatal(mockBuildErr)
	}
	args := append([]string{"-token", guideMockToken, "-listen", "127.0.0.1:0", "-quiet"}, flags...)
	// Not the test's context: the mock must outlive the test's last line, until Cleanup
	// stops it with an interrupt as Ctrl-C would.
	cmd := exec.CommandContext(context.WithoutCancel(t.Context()), mockBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	m := &guideMock{}
	banner := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		err := errors.New("cmd/mda-mock exited before printing its banner")
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "export ") {
				m.exports = append(m.exports, line)
			}
			if f := strings.Fields(line); len(f) > 5 && f[0] == "mda-mock" && f[1] == "serving" {
				m.url = f[5]
			}
			if strings.HasPrefix(line, "Admin API:") {
				err = nil
				break
			}
		}
		banner <- err
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-banner:
		if err != nil {
			t.Fatalf("%s\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("cmd/mda-mock printed no banner in 30s\n%s", stderr.String())
	}
	if m.url == "" || len(m.exports) == 0 {
		t.Fatalf("cmd/mda-mock's banner names no URL (%q) or no exports (%q)", m.url, m.exports)
	}
	return m
}

// stats reads the mock's request counters through its admin API, which is never counted.
func (m *guideMock) stats(t *testing.T) mockserver.Stats {
	t.Helper()
	var st mockserver.Stats
	m.admin(t, http.MethodGet, "/_mock/stats", &st)
	return st
}

// subnets returns every range the mock holds, built-in ones included.
func (m *guideMock) subnets(t *testing.T) []mockserver.Subnet {
	t.Helper()
	var out []mockserver.Subnet
	m.admin(t, http.MethodGet, "/_mock/subnets", &out)
	return out
}

// customRanges returns the mock's custom ranges by id.
func (m *guideMock) customRanges(t *testing.T) map[string]mockserver.Subnet {
	t.Helper()
	out := map[string]mockserver.Subnet{}
	for _, s := range m.subnets(t) {
		if !s.BuiltIn {
			out[s.ID] = s
		}
	}
	return out
}

func (m *guideMock) admin(t *testing.T, method, path string, into any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, m.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("%s %s: %s", method, path, err)
	}
}

// guideRange is a range the tenant holds before an example runs.
type guideRange struct {
	Name         string   `json:"name"`
	Category     int      `json:"category"`
	Subnets      []string `json:"subnets"`
	Organization string   `json:"organization,omitempty"`
	Tags         []string `json:"tags,omitempty"`
}

// create adds a range through the API, as a portal admin or a script before Terraform
// did; the mock counts the request, so callers take stats after.
func (m *guideMock) create(t *testing.T, rg guideRange) {
	t.Helper()
	body, err := json.Marshal(rg)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, m.url+"/api/v1/subnet/create_rule/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+guideMockToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("creating range %q: %s\n%s", rg.Name, resp.Status, raw)
	}
}

// statsSince is what was counted between two snapshots.
func statsSince(before, after mockserver.Stats) mockserver.Stats {
	d := mockserver.Stats{
		Total:     after.Total - before.Total,
		Throttled: after.Throttled - before.Throttled,
		Faulted:   after.Faulted - before.Faulted,
		Routes:    map[string]int{},
	}
	for k, v := range after.Routes {
		if n := v - before.Routes[k]; n != 0 {
			d.Routes[k] = n
		}
	}
	return d
}

// cliVersion is the CLI's version as (major, minor): OpenTofu reports its own.
func cliVersion(t *testing.T, cli *acctest.CLI) [2]int {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), cli.Path, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %s", cli.Path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %s\n%s", cli.Path, err, out)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	if len(parts) < 2 {
		t.Fatalf("%s reports version %q", cli.Path, v.Version)
	}
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	return [2]int{major, minor}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

func shellQuoteArg(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// seedGuideRanges gives the adopt examples a small tenant with the names that break
// naive adoption; TestAccAdopt runs the same examples on 120 of them.
func seedGuideRanges(t *testing.T, m *guideMock) {
	for i := range 12 {
		m.create(t, awkwardRange(i))
	}
}

// checkAdopted: every custom range of the tenant is in the state once, as MDA holds it,
// and names that started or ended with white space were trimmed in MDA too.
func checkAdopted(t *testing.T, r *guideRun) {
	t.Helper()
	tenant := r.mock.customRanges(t)
	state := r.managedRanges()
	if len(state) != len(tenant) {
		t.Errorf("%d mda_ip_range instances in state, the tenant holds %d custom ranges", len(state), len(tenant))
	}
	seen := map[string]string{}
	for _, inst := range state {
		id, _ := inst.Values["id"].(string)
		if prev, dup := seen[id]; dup {
			t.Errorf("%s and %s both manage range %s", prev, inst.Address, id)
		}
		seen[id] = inst.Address
		s, ok := tenant[id]
		if !ok {
			t.Errorf("%s has id %q, which the tenant does not hold", inst.Address, id)
			continue
		}
		if diff := rangeDiff(inst.Values, s); diff != "" {
			t.Errorf("%s differs from range %s in MDA: %s", inst.Address, id, diff)
		}
		if s.Name != strings.TrimSpace(s.Name) {
			t.Errorf("range %s is still named %q in MDA after the apply", id, s.Name)
		}
	}
}

var categoryWord = map[int]string{1: "corporate", 2: "administrative", 3: "risky", 4: "vpn", 5: "cloud_provider", 6: "other"}

// rangeDiff compares a state instance with the range in MDA.
func rangeDiff(v map[string]any, s mockserver.Subnet) string {
	var diffs []string
	if v["name"] != s.Name {
		diffs = append(diffs, fmt.Sprintf("name %q, MDA %q", v["name"], s.Name))
	}
	if v["category"] != categoryWord[s.Category] {
		diffs = append(diffs, fmt.Sprintf("category %v, MDA %d", v["category"], s.Category))
	}
	var cidrs []string
	for _, c := range s.Subnets {
		cidrs = append(cidrs, c.OriginalString)
	}
	if got := stringSet(v["subnets"]); !slices.Equal(got, sorted(cidrs)) {
		diffs = append(diffs, fmt.Sprintf("subnets %q, MDA %q", got, sorted(cidrs)))
	}
	org := ""
	if s.Organization != nil {
		org = *s.Organization
	}
	if got, _ := v["organization"].(string); got != org {
		diffs = append(diffs, fmt.Sprintf("organization %q, MDA %q", got, org))
	}
	var tags []string
	for _, tg := range s.Tags {
		tags = append(tags, tg.Name)
	}
	if got := stringSet(v["tags"]); !slices.Equal(got, sorted(tags)) {
		diffs = append(diffs, fmt.Sprintf("tags %q, MDA %q", got, sorted(tags)))
	}
	if len(tags) == 0 && v["tags"] != nil {
		diffs = append(diffs, fmt.Sprintf("tags %v, want null for a range without tags", v["tags"]))
	}
	return strings.Join(diffs, "; ")
}

func stringSet(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	return sorted(out)
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}

// checkDevOverrides: the CLI said it used the override, and the apply did what main.tf says.
func checkDevOverrides(t *testing.T, r *guideRun) {
	t.Helper()
	plan := r.result("terraform plan")
	if !strings.Contains(plan.output, "Provider development overrides are in effect") ||
		!strings.Contains(plan.output, "mda-terraform/mda in "+r.cli.PluginDir()) {
		t.Errorf("the first plan does not report the dev_overrides entry for mda-terraform/mda in %s:\n%s", r.cli.PluginDir(), plan.output)
	}
	apply := r.result("terraform apply")
	if !strings.Contains(apply.output, `corporate_ranges = toset([`) || !strings.Contains(apply.output, `"Head office"`) {
		t.Errorf("the apply's output does not list the new range:\n%s", apply.output)
	}
	if left := r.mock.customRanges(t); len(left) != 0 {
		t.Errorf("the destroy left %d custom ranges in the tenant: %v", len(left), left)
	}
}

// checkLocalMirror: init installed the copy from the implied local mirror, not from a
// dev_overrides entry, and the plan used it.
func checkLocalMirror(t *testing.T, r *guideRun) {
	t.Helper()
	if init := r.result("terraform init"); !strings.Contains(init.output, "Installed mda-terraform/mda v0.0.1 (unauthenticated)") ||
		strings.Contains(init.output, "development overrides") {
		t.Errorf("init did not install mda-terraform/mda v0.0.1 from the local mirror:\n%s", init.output)
	}
	if plan := r.result("terraform plan"); !strings.Contains(plan.output, `"Microsoft Azure"`) {
		t.Errorf("the plan does not list the built-in ranges:\n%s", plan.output)
	}
}
