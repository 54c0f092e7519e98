// Command mda-probe learns what the MDA documentation leaves open. It runs a fixed
// sequence of requests against a tenant (or any MDA-like server), records every answer as
// the server sent it, runs the same sequence against a reference server (by default an
// in-process mock, the one the provider's tests use) and reports where the two differ.
// See usage below and the "Testing against your tenant" guide.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
	"github.com/mda-terraform/terraform-provider-mda/internal/provider"
)

const usage = `Usage: mda-probe [flags]

Runs a fixed sequence of requests against the MDA tenant named by the provider's
environment, then against a reference server, writes both runs to a JSON report and
prints where they differ. Exit status: 0 no difference, 1 differences, 2 the probe
could not run (configuration, a refused credential, the report file) or was interrupted.

Environment: the provider's own variables, read by the provider's code, so every
sign-in the provider supports works here too:
  MDA_PORTAL_URL                          the tenant's portal or API URL (required)
  MDA_API_TOKEN                           a legacy API token, or an Entra sign-in:
  MDA_TENANT_ID / ARM_TENANT_ID,          tenant and application, with one of
  MDA_CLIENT_ID / ARM_CLIENT_ID
  ..._CLIENT_SECRET, ..._CLIENT_SECRET_FILE_PATH, ..._CLIENT_CERTIFICATE[_PATH]
  ..._USE_OIDC (GitHub Actions, Azure DevOps, HCP Terraform, a token or token file),
  ..._USE_MSI (managed identity), ..._USE_CLI (the Azure CLI)
  MDA_AUTHORITY_URL, MDA_GRAPH_URL, MDA_ENVIRONMENT / ARM_ENVIRONMENT  as for the provider
  MDA_PROBE_AGAINST_TOKEN                 the reference's token (instead of -against-token)
See the provider's documentation for the whole list and its precedence.

The sequence (14 to 16 MDA requests, by what the server accepts; 4 more with -alert-id;
up to 35 more with -spend-budget; one Microsoft Graph request with an Entra sign-in):
  list ranges with limit 1 and 101; create a tfacc-probe-<random> range (198.18.0.0/15,
  category Other); fetch it; update it with and without _id; create a duplicate name and
  an overlapping range (deleted at once if created); delete the range twice; list alerts
  (limit 1); with -alert-id: fetch the alert, mark it read and unread in the order that
  restores its state, fetch it again (never close); list discovery streams, the first
  stream's categories, a block script (format 120); the Graph stream list (Entra
  sign-ins only); with -spend-budget: list calls back to back until the first 429.
Whatever happens, even on Ctrl-C, it deletes the ranges it created and restores the
alert; it touches nothing else.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the command line and environment ask for.
type config struct {
	out            string
	against        string
	againstToken   string
	alertID        string
	againstAlertID string
	spendBudget    bool
	private        bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("mda-probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		say(stderr, "%s", usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.out, "out", "mda-probe-report.json", "the JSON report to write")
	fs.StringVar(&c.against, "against", "", "the reference server's portal URL (default: an in-process mock with real-limit throttling)")
	fs.StringVar(&c.againstToken, "against-token", "", "legacy API token for -against (default: MDA_PROBE_AGAINST_TOKEN, else the tenant's credential)")
	fs.StringVar(&c.alertID, "alert-id", "", "run the alert steps on this alert: fetch, mark read/unread (its state restored), never close")
	fs.StringVar(&c.againstAlertID, "against-alert-id", "", "the alert of the reference server (default: the first one it lists)")
	fs.BoolVar(&c.spendBudget, "spend-budget", false, "also send list calls back to back until the first 429, to record it (throttles the tenant for about a minute)")
	fs.BoolVar(&c.private, "private", false, "leave out the bodies of successful answers that hold the tenant's data (range, alert, stream and category lists, the alert, the block script), keeping their shapes: for a report filed in public")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		// Said here, like the flag package's own parse errors.
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		say(stderr, "mda-probe: %v\n", err)
		return c, err
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2 // parseFlags has said why
	}
	if c.againstToken == "" {
		c.againstToken = os.Getenv("MDA_PROBE_AGAINST_TOKEN")
	}
	// An id as Defender XDR shows it (with "ca") works too; a malformed one would only
	// earn a 400 from the tenant.
	for _, id := range []*string{&c.alertID, &c.againstAlertID} {
		if *id == "" {
			continue
		}
		if *id, err = mda.NormalizeAlertID(*id); err != nil {
			say(stderr, "mda-probe: %v\n", err)
			return 2
		}
	}
	p := &probe{cfg: c, stdout: stdout, stderr: stderr, red: &redactor{}}
	return p.main(ctx)
}

// probe is one invocation.
type probe struct {
	cfg            config
	stdout, stderr io.Writer
	red            *redactor
	// afterStep and reference let tests interrupt a run and inspect the in-process mock.
	afterStep func(label, step string)
	reference *mockserver.Server
	// sleep, when set, replaces the runners' wait after a 429.
	sleep func(ctx context.Context, d time.Duration) error
}

func (p *probe) main(ctx context.Context) int {
	// The provider's own reading of its variables: every sign-in kind it supports, the
	// same precedence and the same refusals.
	tcfg, kind, secrets, err := provider.ClientConfigFromEnvironment()
	p.red.add(secrets...)
	if err != nil {
		say(p.stderr, "mda-probe: %v\n", p.red.apply(err.Error()))
		return 2
	}
	opts := options{alertSteps: p.cfg.alertID != "", spendBudget: p.cfg.spendBudget, private: p.cfg.private}
	rep := &Report{
		Tool: "mda-probe", Version: 1, Started: time.Now().UTC(), Differences: []Difference{},
		Options: ReportOpts{AlertSteps: opts.alertSteps, SpendBudget: opts.spendBudget, Private: opts.private},
	}

	target, err := newEndpoint("target", tcfg, kind, p.cfg.alertID)
	if err != nil {
		say(p.stderr, "mda-probe: %v\n", p.red.apply(err.Error()))
		return 2
	}
	say(p.stderr, "mda-probe: target %s (%s)\n", target.apiURL, kind)
	// Sign in before the first step: a refused credential would fail every step alike.
	// The token is cached, so this costs no extra sign-in.
	if _, err := target.auth(ctx); err != nil {
		say(p.stderr, "mda-probe: signing in to the target: %v\n", p.red.apply(err.Error()))
		return 2
	}
	rep.Target = p.runOne(ctx, target, opts)
	if rep.Target.Interrupted {
		return p.finish(rep, errors.New("interrupted; the report holds what ran and what cleanup did"))
	}
	if rep.Target.Stopped != "" {
		return p.finish(rep, errors.New("target: "+rep.Target.Stopped))
	}

	ref, err := p.referenceEndpoint(tcfg, kind)
	if err != nil {
		return p.finish(rep, err)
	}
	if p.reference != nil {
		defer p.reference.Close()
	}
	say(p.stderr, "mda-probe: reference %s (%s)\n", ref.apiURL, ref.credential)
	rep.Reference = p.runOne(ctx, ref, opts)
	if rep.Reference.Interrupted {
		return p.finish(rep, errors.New("interrupted; the report holds what ran and what cleanup did"))
	}
	rep.Differences = compare(rep.Target, rep.Reference)
	var table strings.Builder
	printComparison(&table, rep)
	say(p.stdout, "%s", p.red.apply(table.String()))
	return p.finish(rep, nil)
}

func (p *probe) runOne(ctx context.Context, ep endpoint, opts options) *Run {
	r := newRunner(ep, opts, p.red)
	if p.sleep != nil {
		r.sleep = p.sleep
	}
	r.afterStep = func(label, step string) {
		if n := len(r.run.Steps); n > 0 {
			say(p.stderr, "  %-9s %-40s %s\n", label, step, brief(&r.run.Steps[n-1]))
		}
		if p.afterStep != nil {
			p.afterStep(label, step)
		}
	}
	run := r.Run(ctx)
	for i := range run.Cleanup {
		say(p.stderr, "  %-9s %-40s %s\n", ep.label, run.Cleanup[i].Name, brief(&run.Cleanup[i]))
	}
	for _, l := range run.Leftovers {
		say(p.stderr, "mda-probe: %s: NOT CLEANED UP: %s (make sweep removes tfacc- ranges)\n", ep.label, l)
	}
	return run
}

// say writes to the terminal. A failed write there is not worth stopping for: the
// report file is the record, and writing it is checked.
func say(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

// finish writes the report and picks the exit status.
func (p *probe) finish(rep *Report, runErr error) int {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err == nil {
		// Again over the whole text: a secret must not reach the file whatever field
		// it would have hidden in.
		err = os.WriteFile(p.cfg.out, []byte(p.red.apply(string(b))+"\n"), 0o600)
	}
	if err != nil {
		say(p.stderr, "mda-probe: writing the report: %v\n", err)
		return 2
	}
	say(p.stderr, "mda-probe: report written to %v\n", p.cfg.out)
	if runErr != nil {
		say(p.stderr, "mda-probe: %v\n", p.red.apply(runErr.Error()))
		return 2
	}
	if len(rep.Differences) > 0 {
		return 1
	}
	return 0
}

// newEndpoint signs in through internal/mda (the provider's own sign-in) but sends
// nothing through it: the probe takes only the Authorization header from the client.
func newEndpoint(label string, cfg mda.Config, kind, alertID string) (endpoint, error) {
	c, err := mda.New(cfg)
	if err != nil {
		return endpoint{}, fmt.Errorf("%s: %w", label, err)
	}
	ep := endpoint{label: label, apiURL: c.APIURL(), credential: kind, auth: c.Authorization, alertID: alertID}
	if err := c.GraphAvailable(); err != nil {
		ep.graphSkip = "the credential cannot call Microsoft Graph: " + err.Error()
	} else {
		ep.graphURL, ep.graphAuth = c.GraphURL(), c.GraphAuthorization
	}
	return ep, nil
}

// referenceEndpoint is -against with its token or the tenant's credential, or else an
// in-process mock with the real limit, signed in to with the same kind of credential as
// the tenant (a legacy token, or an Entra app that also has Graph), so that the
// Graph step runs on both sides or on neither.
func (p *probe) referenceEndpoint(tcfg mda.Config, kind string) (endpoint, error) {
	if p.cfg.against != "" {
		cfg := tcfg
		cfg.PortalURL = p.cfg.against
		if p.cfg.againstToken != "" {
			p.red.add(p.cfg.againstToken)
			cfg = mda.Config{PortalURL: p.cfg.against, APIToken: p.cfg.againstToken}
			kind = "api_token"
		}
		return newEndpoint("reference", cfg, kind, p.cfg.againstAlertID)
	}
	token := "probe-" + randomHex(16)
	opts := mockserver.Options{Tokens: []string{token}, Rate: 30, Window: time.Minute}
	cfg := mda.Config{APIToken: token}
	entra := tcfg.APIToken == ""
	if entra {
		id, secret := "11111111-2222-3333-4444-"+randomHex(6), randomHex(20)
		opts.Clients = []mockserver.ClientCredential{{
			ID: id, Secret: secret,
			Roles:      []string{"Settings.manage", "Investigation.manage", "Discovery.manage"},
			GraphRoles: []string{mockserver.GraphDiscoveryRole},
		}}
		cfg = mda.Config{ClientID: id, ClientSecret: secret}
	}
	srv, err := mockserver.Start(opts, "127.0.0.1:0")
	if err != nil {
		return endpoint{}, fmt.Errorf("starting the reference mock: %w", err)
	}
	p.reference = srv
	cfg.PortalURL = srv.URL()
	refKind := "in-process mock, api_token"
	if entra {
		cfg.TenantID, cfg.AuthorityURL, cfg.GraphURL = srv.Tenant(), srv.URL(), srv.URL()
		refKind = "in-process mock, client_secret"
	}
	return newEndpoint("reference", cfg, refKind, p.cfg.againstAlertID)
}
