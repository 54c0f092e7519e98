package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CLI runs the real terraform or tofu binary named by TF_ACC_TERRAFORM_PATH against this
// provider built as a plugin binary and installed through dev_overrides. Unlike the
// in-process harness of terraform-plugin-testing, the provider then runs as its own
// process, started by the CLI for each walk, exactly as users run it: that is what a
// benchmark must measure, and the only way a test can send the CLI a signal.
type CLI struct {
	// Path is the terraform or tofu binary.
	Path string
	// Host is the registry host the CLI puts in front of provider sources.
	Host    string
	plugins string
}

var (
	buildOnce    sync.Once
	buildDir     string
	buildFailure error
)

// NewCLI finds the CLI and builds the provider, once per test binary. It fails t (it does
// not skip) when TF_ACC_TERRAFORM_PATH is unset: callers decide whether to run at all.
func NewCLI(t testing.TB) *CLI {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run this with `make testacc`, `make testacc-tofu` or `make bench`, which point it at bin/terraform or bin/tofu.")
	}
	if _, err := exec.LookPath(tf); err != nil {
		t.Fatalf("TF_ACC_TERRAFORM_PATH=%s is not an executable (%s): run `make tools`.", tf, err)
	}
	buildOnce.Do(func() { buildDir, buildFailure = buildProvider() })
	if buildFailure != nil {
		t.Fatal(buildFailure)
	}
	host := "registry.terraform.io"
	if IsOpenTofu() {
		host = "registry.opentofu.org"
	}
	return &CLI{Path: tf, Host: host, plugins: buildDir}
}

// RemoveProviderBuild deletes the provider binary NewCLI built. Call it from TestMain
// after m.Run.
func RemoveProviderBuild() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

// buildProvider builds the module's main package into a new plugin directory.
func buildProvider() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "mda-cli-plugins-")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Built as goreleaser builds a release (CGO_ENABLED=0, -trimpath): the CLI tests run
	// what ships, and `make release-check` then finds linux_amd64's compile in the cache.
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(dir, "terraform-provider-mda"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return dir, fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return dir, nil
}

// moduleRoot is the nearest directory above the working directory (the test's package)
// that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run the tests with go test from the module")
		}
		dir = parent
	}
}

// PluginDir is the directory holding the provider binary NewCLI built: what a
// dev_overrides entry names, as `go install` would for a user.
func (c *CLI) PluginDir() string { return c.plugins }

// ProviderSource is the provider's address as the CLI under test spells it.
func (c *CLI) ProviderSource() string { return c.Host + "/mda-terraform/mda" }

// Workdir is a configuration directory with its own CLI config (dev_overrides to the
// built provider), state and limiter window.
type Workdir struct {
	Dir string
	cli *CLI
	t   testing.TB
	run int
}

// NewWorkdir writes a configuration: the terraform block, provider (the body of the
// provider "mda" block) and config (everything else). No `init` is needed: dev_overrides
// skips installation.
func (c *CLI) NewWorkdir(t testing.TB, provider, config string) *Workdir {
	t.Helper()
	w := &Workdir{Dir: t.TempDir(), cli: c, t: t}
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, c.ProviderSource(), c.plugins)
	tf := fmt.Sprintf(`terraform {
  required_providers {
    mda = { source = %q }
  }
}

provider "mda" {
%s
}
`, c.ProviderSource(), provider)
	for name, body := range map[string]string{"terraformrc": rc, "provider.tf": tf, "main.tf": config} {
		w.WriteFile(name, body)
	}
	return w
}

// WriteFile writes a file into the working directory, failing the test on error.
func (w *Workdir) WriteFile(name, body string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, name), []byte(body), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// Result is one finished CLI command.
type Result struct {
	Args     []string
	Output   string // stdout and stderr, interleaved
	Stdout   string
	ExitCode int // -1 when the command did not run or was killed
	Elapsed  time.Duration
	// LogPath is the provider's INFO log for this command (TF_LOG_PROVIDER).
	LogPath string
	Err     error
}

// Failed reports whether the command failed or printed an error diagnostic.
func (r Result) Failed() bool {
	return r.ExitCode != 0 || strings.Contains(r.Output, "Error:")
}

func (r Result) String() string {
	return fmt.Sprintf("%s (exit %d after %s)\n%s", strings.Join(r.Args, " "), r.ExitCode, r.Elapsed.Round(time.Millisecond), r.Output)
}

// LogCount counts the lines of the provider log that contain s: e.g. the client's
// "retrying MDA request" gives the number of retries in the command.
func (r Result) LogCount(s string) int {
	raw, err := os.ReadFile(r.LogPath)
	if err != nil {
		return 0
	}
	return strings.Count(string(raw), s)
}

// Process is a CLI command that runs in the background until Wait.
type Process struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	stdout *lockedBuffer
	start  time.Time
	res    Result
	done   chan struct{}
}

// Start starts a CLI command (with -no-color) and returns at once.
func (w *Workdir) Start(ctx context.Context, args ...string) (*Process, error) {
	w.run++
	args = append(args, "-no-color")
	logPath := filepath.Join(w.Dir, fmt.Sprintf("provider-%02d-%s.log", w.run, args[0]))
	cmd := exec.CommandContext(ctx, w.cli.Path, args...)
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(w.Dir, "terraformrc"),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		// Each workdir has its own limiter window, so that runs do not share a budget.
		"MDA_LIMITER_STATE_DIR="+filepath.Join(w.Dir, "limiter"),
		"TF_LOG_PROVIDER=INFO", "TF_LOG_PATH="+logPath,
	)
	p := &Process{cmd: cmd, out: &lockedBuffer{}, stdout: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(p.out, p.stdout), p.out
	p.res = Result{Args: args, ExitCode: -1, LogPath: logPath}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s %s: %w", w.cli.Path, args[0], err)
	}
	go func() {
		err := cmd.Wait()
		p.res.Elapsed = time.Since(p.start)
		p.res.Output = p.out.String()
		p.res.Stdout = p.stdout.String()
		p.res.ExitCode = cmd.ProcessState.ExitCode()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			p.res.Err = err
		}
		close(p.done)
	}()
	return p, nil
}

// Interrupt sends the CLI SIGINT, as Ctrl-C in a terminal or a cancelled CI job does.
// Only the CLI gets it: the plugins it started ignore interrupts (go-plugin) and hear of
// the stop from the CLI, so the CLI alone decides what happens next.
func (p *Process) Interrupt() error { return p.cmd.Process.Signal(os.Interrupt) }

// Done is closed when the command has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the command to exit.
func (p *Process) Wait() Result {
	<-p.done
	return p.res
}

// Output is what the command has printed so far.
func (p *Process) Output() string { return p.out.String() }

// Run runs a CLI command (with -no-color) to its end, within ctx.
func (w *Workdir) Run(ctx context.Context, args ...string) Result {
	w.t.Helper()
	p, err := w.Start(ctx, args...)
	if err != nil {
		return Result{Args: args, ExitCode: -1, Err: err}
	}
	return p.Wait()
}

// MustRun runs a CLI command and fails the test if it fails or prints an error.
func (w *Workdir) MustRun(ctx context.Context, args ...string) Result {
	w.t.Helper()
	r := w.Run(ctx, args...)
	if r.Err != nil || r.Failed() {
		w.t.Fatalf("%s failed: %v\n%s", w.cli.Path, r.Err, r)
	}
	return r
}

// StateInstance is one resource instance in the state, as `show -json` prints it.
type StateInstance struct {
	Address string         `json:"address"`
	Type    string         `json:"type"`
	Values  map[string]any `json:"values"`
}

// State reads the state through the CLI (`show -json`), so what it returns is what the
// CLI itself will plan from. It returns the managed instances, child modules ignored.
func (w *Workdir) State(ctx context.Context) ([]StateInstance, error) {
	r := w.Run(ctx, "show", "-json")
	if r.Err != nil {
		return nil, fmt.Errorf("show -json: %w", r.Err)
	}
	if r.ExitCode != 0 {
		return nil, fmt.Errorf("show -json failed: %s", r)
	}
	// Warnings go to stderr; stdout is one JSON document.
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []StateInstance `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		return nil, fmt.Errorf("decoding show -json: %w\n%s", err, r.Output)
	}
	if doc.Values == nil {
		return nil, nil
	}
	return doc.Values.RootModule.Resources, nil
}

// lockedBuffer is a bytes.Buffer that the command's two output streams may share, read
// while the command runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
