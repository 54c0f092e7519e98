package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
	"github.com/mda-terraform/terraform-provider-mda/internal/provider"
)

const testToken = "probe-test-token-5f3a9c"

// startTarget starts a mock standing in for the tenant, with the real limit.
func startTarget(t *testing.T, opts mockserver.Options) *mockserver.Server {
	t.Helper()
	if opts.Tokens == nil && opts.Clients == nil {
		opts.Tokens = []string{testToken}
	}
	opts.Rate, opts.Window = 30, time.Minute
	srv, err := mockserver.Start(opts, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

type probeResult struct {
	code           int
	report         Report
	raw            string // the report file as written
	stdout, stderr string
	reference      *mockserver.Server
}

// runProbe runs the probe against target with env (MDA_PORTAL_URL added), as main
// would; configure, when set, installs a test's hooks.
func runProbe(t *testing.T, ctx context.Context, target *mockserver.Server, env map[string]string, configure func(*probe), args ...string) probeResult {
	t.Helper()
	if env == nil {
		env = map[string]string{"MDA_API_TOKEN": testToken}
	}
	env["MDA_PORTAL_URL"] = target.URL()
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	cfg, err := parseFlags(append([]string{"-out", out}, args...), &stderr)
	if err != nil {
		t.Fatal(err)
	}
	p := &probe{cfg: cfg, stdout: &stdout, stderr: &stderr, red: &redactor{}}
	if configure != nil {
		configure(p)
	}
	useEnv(t, env)
	res := probeResult{code: p.main(ctx)}
	res.stdout, res.stderr, res.reference = stdout.String(), stderr.String(), p.reference
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report (exit %d): %v\n%s", res.code, err, res.stderr)
	}
	res.raw = string(b)
	if err := json.Unmarshal(b, &res.report); err != nil {
		t.Fatal(err)
	}
	return res
}

func afterStep(f func(label, step string)) func(*probe) {
	return func(p *probe) { p.afterStep = f }
}

func stepByName(run *Run, name string) *Step {
	for i := range run.Steps {
		if run.Steps[i].Name == name {
			return &run.Steps[i]
		}
	}
	return nil
}

// assertNoProbeRanges checks that no tfacc-probe- range is left on srv.
func assertNoProbeRanges(t *testing.T, srv *mockserver.Server) {
	t.Helper()
	for _, s := range srv.Subnets() {
		if strings.HasPrefix(s.Name, rangePrefix) {
			t.Errorf("range %s (%s) left behind", s.Name, s.ID)
		}
	}
}

// assertNoClose checks that no request to srv could have closed, dismissed, resolved or
// reopened an alert.
func assertNoClose(t *testing.T, srv *mockserver.Server) {
	t.Helper()
	for route, n := range srv.Stats().Routes {
		for _, w := range []string{"close", "dismiss", "resolve", "reopen"} {
			if strings.Contains(route, w) {
				t.Errorf("%s was called %d times", route, n)
			}
		}
	}
}

// Every step of the sequence, the alert and burst ones included, runs against both
// mocks and they agree: CI's proof that the probe works without a tenant.
func TestProbeMockAgainstMockFindsNoDifference(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	alert := target.Alerts()[0]
	res := runProbe(t, t.Context(), target, nil, nil, "-alert-id", alert.ID, "-spend-budget")

	if res.code != 0 || len(res.report.Differences) != 0 {
		t.Fatalf("exit %d, differences %v\n%s", res.code, res.report.Differences, res.stdout)
	}
	if res.report.Differences == nil || !strings.Contains(res.raw, `"differences": []`) {
		t.Error("the report must hold an empty difference list, not none")
	}
	// Graph needs an Entra app; delete duplicate runs only if the duplicate was created.
	notRun := []string{stepGraphStreams, stepDeleteDuplicate}
	all := []string{stepList1, stepList101, stepCreate, stepFetch, stepUpdateWithID, stepUpdateWithoutID, stepDuplicate,
		stepDeleteDuplicate, stepOverlap, stepDeleteOverlap, stepDelete, stepDeleteAgain, stepAlerts, stepAlertFetch,
		stepAlertRead, stepAlertUnread, stepAlertRefetch, stepStreams, stepCategories, stepBlockScript, stepGraphStreams, stepBurst}
	for _, run := range []*Run{res.report.Target, res.report.Reference} {
		if run == nil {
			t.Fatal("a run is missing from the report")
		}
		var names []string
		for _, s := range run.Steps {
			names = append(names, s.Name)
		}
		if !slices.Equal(names, all) {
			t.Errorf("%s steps:\n%q\nwant\n%q", run.Label, names, all)
		}
		for _, s := range run.Steps {
			ran := s.Skipped == "" && s.Error == "" && s.Status != 0 && s.Shape != nil
			if ran == slices.Contains(notRun, s.Name) {
				t.Errorf("%s %q: ran %v (skipped %q, error %q)", run.Label, s.Name, ran, s.Skipped, s.Error)
			}
		}
		if len(run.Cleanup) != 0 || len(run.Leftovers) != 0 {
			t.Errorf("%s: the sequence should have removed everything itself: cleanup %v, leftovers %v", run.Label, run.Cleanup, run.Leftovers)
		}
		burst := stepByName(run, stepBurst)
		if burst.Status != 429 || burst.Headers["Retry-After"] == "" || !strings.Contains(burst.Body, "throttled") {
			t.Errorf("%s burst recorded %d %v %s, want the 429 with Retry-After", run.Label, burst.Status, burst.Headers, burst.Body)
		}
	}
	for _, want := range []struct {
		step   string
		status int
		shape  string
	}{
		{stepCreate, 200, "string"},
		{stepDuplicate, 400, "object{error,name}"},
		{stepDeleteAgain, 404, "object{detail}"},
		{stepCategories, 200, "array"},
		{stepBlockScript, 200, "text"},
	} {
		s := stepByName(res.report.Target, want.step)
		if s.Status != want.status || !strings.HasPrefix(s.Shape.String(), want.shape) {
			t.Errorf("%s: %d %s, want %d %s", want.step, s.Status, s.Shape, want.status, want.shape)
		}
	}
	// 19 requests of the sequence leave 11 of the 30 a minute; the 12th call is refused.
	if n := res.report.Target.MDARequests; n != 19+12 {
		t.Errorf("target: %d MDA requests, want 31", n)
	}
	assertNoProbeRanges(t, target)
	assertNoProbeRanges(t, res.reference)
	assertNoClose(t, target)
	assertNoClose(t, res.reference)
	if got, _ := target.Alert(alert.ID); got.Status != alert.Status {
		t.Errorf("alert status %d, was %d", got.Status, alert.Status)
	}
}

// The request count the guide quotes: 15 without -alert-id, 19 with it (the mock accepts
// the overlapping range, so its delete is one of them).
func TestProbeRequestCount(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 15},
		{[]string{"-alert-id", target.Alerts()[0].ID}, 19},
	} {
		target.ResetThrottle()
		res := runProbe(t, t.Context(), target, nil, nil, tc.args...)
		if got := res.report.Target.MDARequests; got != tc.want {
			t.Errorf("%v: %d MDA requests, want %d", tc.args, got, tc.want)
		}
	}
}

// The acceptance case: a server that refuses update_rule without _id (the inferred
// self-collision) differs from the default mock there, and only there.
func TestProbeReportsUpdateWithoutID(t *testing.T) {
	target := startTarget(t, mockserver.Options{RequireIDOnUpdate: true})
	res := runProbe(t, t.Context(), target, nil, nil)

	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", res.code, res.stdout)
	}
	var status bool
	for _, d := range res.report.Differences {
		if d.Step != stepUpdateWithoutID {
			t.Errorf("unexpected difference: %s", d)
		}
		if d.What == "status" && d.Target == "400" && d.Reference == "200" {
			status = true
		}
	}
	if !status {
		t.Errorf("no status difference for %q: %v", stepUpdateWithoutID, res.report.Differences)
	}
	if !strings.Contains(res.stdout, "DIFF "+stepUpdateWithoutID) {
		t.Errorf("the table does not mark the step:\n%s", res.stdout)
	}
	assertNoProbeRanges(t, target)
}

// Without -alert-id no request names an alert: only the list runs.
func TestProbeAlertStepsNeedAlertID(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	res := runProbe(t, t.Context(), target, nil, nil)
	if res.code != 0 {
		t.Fatalf("exit %d: %v", res.code, res.report.Differences)
	}
	for _, n := range []string{stepAlertFetch, stepAlertRead, stepAlertUnread, stepAlertRefetch} {
		if s := stepByName(res.report.Target, n); s == nil || !strings.Contains(s.Skipped, "-alert-id") {
			t.Errorf("%s: %+v", n, s)
		}
	}
	for _, srv := range []*mockserver.Server{target, res.reference} {
		for route := range srv.Stats().Routes {
			if strings.Contains(route, "/alerts/{id}") {
				t.Errorf("%s was called without -alert-id", route)
			}
		}
		assertNoClose(t, srv)
	}
}

// The read state is put back whichever it was, by the sequence or, when the run stops
// between the two marks, by cleanup.
func TestProbeRestoresAlertReadState(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		interrupt string // the step after which the run is cancelled
	}{
		{"unread", 0, ""},
		{"read", 1, ""},
		{"unread, interrupted after the first mark", 0, stepAlertRead},
		{"read, interrupted after the first mark", 1, stepAlertUnread},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := startTarget(t, mockserver.Options{})
			id := target.Alerts()[0].ID
			if err := target.EditAlert(id, func(a *mockserver.Alert) { a.Status = tc.status }); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			res := runProbe(t, ctx, target, nil, afterStep(func(label, step string) {
				if label == "target" && step == tc.interrupt {
					cancel()
				}
			}), "-alert-id", id)

			if got, _ := target.Alert(id); got.Status != tc.status {
				t.Errorf("statusValue %d, was %d", got.Status, tc.status)
			}
			stats := target.Stats().Routes
			if stats["POST /api/v1/alerts/{id}/read/"] != 1 || stats["POST /api/v1/alerts/{id}/unread/"] != 1 {
				t.Errorf("want one read and one unread: %v", stats)
			}
			if tc.interrupt != "" {
				if res.code != 2 || !res.report.Target.Interrupted || len(res.report.Target.Cleanup) == 0 {
					t.Errorf("exit %d, interrupted %v, cleanup %v", res.code, res.report.Target.Interrupted, res.report.Target.Cleanup)
				}
			} else if res.code != 0 {
				t.Errorf("exit %d: %v", res.code, res.report.Differences)
			}
			assertNoClose(t, target)
			assertNoProbeRanges(t, target)
		})
	}
}

// Ctrl-C in the middle of the sequence: the range still goes, on cleanup's own context.
func TestProbeInterruptedStillDeletesRange(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var sawRange bool
	res := runProbe(t, ctx, target, nil, afterStep(func(label, step string) {
		if label == "target" && step == stepFetch {
			for _, s := range target.Subnets() {
				sawRange = sawRange || strings.HasPrefix(s.Name, rangePrefix)
			}
			cancel()
		}
	}))

	if !sawRange {
		t.Fatal("the range did not exist when the run was cancelled")
	}
	if res.code != 2 || !res.report.Target.Interrupted || res.report.Reference != nil {
		t.Errorf("exit %d, interrupted %v, reference run %v", res.code, res.report.Target.Interrupted, res.report.Reference != nil)
	}
	if last := res.report.Target.Steps[len(res.report.Target.Steps)-1].Name; last != stepFetch {
		t.Errorf("the run went on to %q after the cancel", last)
	}
	cl := res.report.Target.Cleanup
	if len(cl) != 1 || cl[0].Method != "DELETE" || cl[0].Status != 200 {
		t.Errorf("cleanup: %+v", cl)
	}
	assertNoProbeRanges(t, target)
}

// A create whose answer is lost (the range exists, the probe has no id) is found by its
// name and deleted; nothing else is.
func TestProbeCleansUpCreateWithLostAnswer(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	if _, err := target.AddSubnet("tfacc-someone-else", 1, []string{"10.9.8.0/24"}); err != nil {
		t.Fatal(err)
	}
	target.AddFault(mockserver.Fault{Match: "POST /api/v1/subnet/create_rule/", Drop: true, After: true})
	res := runProbe(t, t.Context(), target, nil, nil)

	if s := stepByName(res.report.Target, stepCreate); s.Error == "" {
		t.Fatalf("create: %+v", s)
	}
	if len(res.report.Target.Leftovers) != 0 {
		t.Errorf("leftovers: %v", res.report.Target.Leftovers)
	}
	assertNoProbeRanges(t, target)
	if _, ok := target.FindSubnetByName("tfacc-someone-else"); !ok {
		t.Error("cleanup deleted a range that is not the probe's")
	}
	if res.code != 1 {
		t.Errorf("exit %d: a create without an answer is a difference", res.code)
	}
}

// No credential reaches the report or the output, even when the server echoes it.
func TestProbeReportHasNoSecrets(t *testing.T) {
	const clientID, secret = "11111111-1111-1111-1111-111111111111", "probe-client-secret-9d2e7"
	target := startTarget(t, mockserver.Options{Clients: []mockserver.ClientCredential{{
		ID: clientID, Secret: secret,
		Roles:      []string{"Settings.manage", "Investigation.manage", "Discovery.manage"},
		GraphRoles: []string{mockserver.GraphDiscoveryRole},
	}}})
	jwt := target.IssueAccessToken(clientID, "Settings.manage")
	const sig = "c2lnbmF0dXJlLXNlY3JldA"
	target.AddFault(mockserver.Fault{Match: "GET /api/discovery/streams/", Status: 500,
		Body:    `{"detail":"secret ` + secret + ` token ` + jwt + ` url https://x.blob.core.windows.net/c/b?sv=2024&sig=` + sig + `"}`,
		Headers: map[string]string{"Location": "https://x.blob.core.windows.net/c/b?sig=" + sig}})
	env := map[string]string{"ARM_TENANT_ID": target.Tenant(), "ARM_CLIENT_ID": clientID, "ARM_CLIENT_SECRET": secret,
		"MDA_AUTHORITY_URL": target.URL(), "MDA_GRAPH_URL": target.URL()}
	res := runProbe(t, t.Context(), target, env, nil)

	if s := stepByName(res.report.Target, stepStreams); s.Status != 500 || !strings.Contains(s.Body, redacted) {
		t.Fatalf("the echoing step: %d %s", s.Status, s.Body)
	}
	// The reference mock signs in the same way, so the Graph step runs on both sides.
	for _, run := range []*Run{res.report.Target, res.report.Reference} {
		if s := stepByName(run, stepGraphStreams); s.Status != 200 || s.Shape.ItemsOf != "value" {
			t.Errorf("%s: Graph step with an Entra app: %+v", run.Label, s)
		}
	}
	if len(res.report.Differences) != 2 || res.report.Differences[0].Step != stepStreams {
		t.Errorf("want only the injected 500 to differ: %v", res.report.Differences)
	}
	for where, text := range map[string]string{"report": res.raw, "stdout": res.stdout, "stderr": res.stderr} {
		for _, leak := range []string{secret, jwt, sig} {
			if strings.Contains(text, leak) {
				t.Errorf("the %s holds %q", where, leak)
			}
		}
	}
}

// Ids, names and timestamps never count; status, shape, media type and Retry-After do.
func TestCompare(t *testing.T) {
	step := func(status int, body, ct, retry string) Step {
		h := map[string]string{"Content-Type": ct}
		if retry != "" {
			h["Retry-After"] = retry
		}
		return Step{Name: "s", Status: status, Body: body, Headers: h, Shape: shapeOf(ct, []byte(body))}
	}
	base := step(200, `{"data":[{"_id":"a1","name":"tfacc-probe-1"}],"total":1}`, "application/json", "")
	for _, tc := range []struct {
		name  string
		other Step
		want  []string
	}{
		{"volatile values", step(200, `{"data":[{"_id":"b2","name":"tfacc-probe-2"}],"total":7}`, "application/json; charset=utf-8", ""), nil},
		{"status", step(201, base.Body, "application/json", ""), []string{"status"}},
		{"keys", step(200, `{"data":[{"_id":"a1"}],"total":1}`, "application/json", ""), []string{"shape"}},
		{"html", step(200, "<html>", "text/html", ""), []string{"shape", "content-type"}},
		{"retry-after", step(200, base.Body, "application/json", "3"), []string{"retry-after"}},
		{"no answer", Step{Name: "s", Error: "connection reset"}, []string{"status"}},
		{"skipped", Step{Name: "s", Skipped: "x"}, []string{"ran"}},
		{"skipped, dependent", Step{Name: "s", Skipped: "x", Conditional: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range compare(&Run{Steps: []Step{base}}, &Run{Steps: []Step{tc.other}}) {
				got = append(got, d.What)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// pipelineEnvVars are the variables that CI platforms set and the provider reads besides
// its MDA_* and ARM_* ones.
var pipelineEnvVars = []string{
	"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN",
	"TFC_WORKLOAD_IDENTITY_TOKEN", "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
}

// useEnv makes env the provider's environment for the rest of the test. Every MDA_*,
// ARM_* and pipeline variable of the runner is blanked first, so that a CI job's own
// OIDC token or managed identity cannot steer a test.
func useEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "MDA_") || strings.HasPrefix(k, "ARM_") || slices.Contains(pipelineEnvVars, k) {
			t.Setenv(k, "")
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// The probe reads the environment through the provider's own code: the kinds, the
// precedence and the refusals are the provider's, not a second reading of them.
func TestProbeReadsTheProviderEnvironment(t *testing.T) {
	entra := func(more map[string]string) map[string]string {
		env := map[string]string{"ARM_TENANT_ID": "00000000-0000-0000-0000-0000000000aa", "ARM_CLIENT_ID": "11111111-2222-3333-4444-555555555555"}
		maps.Copy(env, more)
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		kind    string
		secret  string // a value the secrets to redact must hold
		wantErr string
	}{
		{"token", map[string]string{"MDA_API_TOKEN": "tok-0123456789"}, "api_token", "tok-0123456789", ""},
		{"ARM secret", entra(map[string]string{"ARM_CLIENT_SECRET": "s3cret-value"}), "client_secret", "s3cret-value", ""},
		{"MDA wins over ARM", map[string]string{"MDA_API_TOKEN": "tok-0123456789", "ARM_CLIENT_SECRET": "s"}, "api_token", "", ""},
		{"GitHub Actions OIDC", entra(map[string]string{"ARM_USE_OIDC": "true",
			"ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-request-token"}),
			"oidc (GitHub Actions)", "gh-request-token", ""},
		{"managed identity", map[string]string{"ARM_USE_MSI": "true", "ARM_MSI_ENDPOINT": "http://127.0.0.1:9/metadata/identity/oauth2/token"},
			"managed identity (IMDS)", "", ""},
		{"two kinds at one level", map[string]string{"MDA_API_TOKEN": "tok", "MDA_CLIENT_SECRET": "s"}, "", "", "Conflicting MDA credentials"},
		{"none", map[string]string{}, "", "", "No MDA credentials configured"},
		{"no portal", map[string]string{"MDA_PORTAL_URL": "", "MDA_API_TOKEN": "tok"}, "", "", "Missing MDA portal URL"},
		{"plain http to a remote host", map[string]string{"MDA_PORTAL_URL": "http://contoso.us3.portal.cloudappsecurity.com", "MDA_API_TOKEN": "tok"},
			"", "", "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"MDA_PORTAL_URL": "https://contoso.us3.portal.cloudappsecurity.com"}
			maps.Copy(env, tc.env)
			useEnv(t, env)
			_, kind, secrets, err := provider.ClientConfigFromEnvironment()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || kind != tc.kind {
				t.Errorf("kind %q, error %v; want %q", kind, err, tc.kind)
			}
			if tc.secret != "" && !slices.Contains(secrets, tc.secret) {
				t.Errorf("secrets to redact %q lack %q", secrets, tc.secret)
			}
		})
	}
}

// A pipeline's sign-in, not only a token or a secret: the whole sequence runs on a
// GitHub Actions OIDC sign-in and on a managed identity, the Graph step included, and
// the report holds neither the request token nor the identity header.
func TestProbeSignsInAsAPipeline(t *testing.T) {
	const (
		app        = "11111111-2222-3333-4444-555555555555"
		subject    = "repo:contoso/mda-config:ref:refs/heads/main"
		ghRequest  = "gh-request-token-7d1e5a"
		identityID = "22222222-3333-4444-5555-666666666666"
		idHeader   = "identity-header-9c2b47"
	)
	roles := []string{"Settings.manage", "Investigation.manage", "Discovery.manage"}
	for _, tc := range []struct {
		name   string
		opts   mockserver.Options
		env    func(m *mockserver.Server) map[string]string
		kind   string
		secret string
		method string
	}{
		{
			name: "GitHub Actions OIDC",
			opts: mockserver.Options{
				Clients: []mockserver.ClientCredential{{ID: app, Roles: roles, GraphRoles: []string{mockserver.GraphDiscoveryRole},
					Federated: []mockserver.FederatedIdentity{{Subject: subject}}}},
				OIDCRuns: []mockserver.OIDCRun{{RequestToken: ghRequest, Subject: subject}},
			},
			env: func(m *mockserver.Server) map[string]string {
				return map[string]string{"ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": app, "ARM_USE_OIDC": "true",
					"ACTIONS_ID_TOKEN_REQUEST_URL": m.URL() + "/_mock/oidc/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": ghRequest}
			},
			kind: "oidc (GitHub Actions)", secret: ghRequest, method: mockserver.SignInFederated,
		},
		{
			name: "managed identity (App Service)",
			opts: mockserver.Options{
				IdentityHeader: idHeader,
				ManagedIdentities: []mockserver.ManagedIdentity{{ClientID: identityID, System: true, Roles: roles,
					GraphRoles: []string{mockserver.GraphDiscoveryRole}}},
			},
			env: func(m *mockserver.Server) map[string]string {
				return map[string]string{"ARM_USE_MSI": "true", "IDENTITY_ENDPOINT": m.URL() + "/msi/token", "IDENTITY_HEADER": idHeader}
			},
			kind: "managed identity (App Service)", secret: idHeader, method: mockserver.SignInManagedIdentity,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := startTarget(t, tc.opts)
			env := tc.env(target)
			env["MDA_AUTHORITY_URL"], env["MDA_GRAPH_URL"] = target.URL(), target.URL()
			res := runProbe(t, t.Context(), target, env, nil)

			if res.code != 0 || len(res.report.Differences) != 0 {
				t.Fatalf("exit %d, differences %v\n%s\n%s", res.code, res.report.Differences, res.stdout, res.stderr)
			}
			if got := res.report.Target.Credential; got != tc.kind {
				t.Errorf("target credential %q, want %q", got, tc.kind)
			}
			for _, run := range []*Run{res.report.Target, res.report.Reference} {
				if s := stepByName(run, stepGraphStreams); s.Status != 200 {
					t.Errorf("%s: the Graph step answered %d (skipped %q, error %q), want 200", run.Label, s.Status, s.Skipped, s.Error)
				}
			}
			ins := target.SignIns()
			if len(ins) == 0 {
				t.Fatal("the target saw no sign-in")
			}
			for _, in := range ins {
				if in.Method != tc.method {
					t.Errorf("sign-in by %q, want %q", in.Method, tc.method)
				}
			}
			for _, out := range []string{res.raw, res.stdout, res.stderr} {
				if strings.Contains(out, tc.secret) {
					t.Errorf("%q leaked into the probe's output", tc.secret)
				}
			}
			assertNoProbeRanges(t, target)
		})
	}
}

// What the command line and the environment get wrong ends the probe with 2 before it
// sends anything that changes the tenant.
func TestRunRefusesBadInput(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	env := map[string]string{"MDA_PORTAL_URL": target.URL(), "MDA_API_TOKEN": testToken}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"help", []string{"-h"}, env, 0, "Usage: mda-probe"},
		{"malformed alert id", []string{"-alert-id", "nope"}, env, 2, "not valid"},
		{"stray argument", []string{"extra"}, env, 2, "unexpected arguments"},
		{"no credential", nil, map[string]string{"MDA_PORTAL_URL": target.URL()}, 2, "No MDA credentials configured"},
		{"refused token", nil, map[string]string{"MDA_PORTAL_URL": target.URL(), "MDA_API_TOKEN": "wrong-token-123"}, 2, "refused the credential"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"-out", filepath.Join(t.TempDir(), "r.json")}, tc.args...)
			useEnv(t, tc.env)
			code := run(t.Context(), args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
		})
	}
	if routes := target.Stats().Routes; len(routes) != 1 || routes["POST /api/v1/subnet/"] != 1 {
		t.Errorf("only the refused token's first list should have reached the server: %v", routes)
	}
}

// A 429 in the middle of the sequence (someone else spent the budget) is waited out as
// Retry-After says and the step sent once more; the report keeps the retry's answer and
// says it was throttled.
func TestProbeWaitsOutA429(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	target.AddFault(mockserver.Fault{Match: "GET /api/discovery/streams/", Status: 429, Headers: map[string]string{"Retry-After": "7"}})
	var waits []time.Duration
	res := runProbe(t, t.Context(), target, nil, func(p *probe) {
		p.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	})
	s := stepByName(res.report.Target, stepStreams)
	if s.Status != 200 || len(s.Notes) == 0 || !strings.Contains(s.Notes[0], "throttled") {
		t.Errorf("streams step: %d %v", s.Status, s.Notes)
	}
	if !slices.Equal(waits, []time.Duration{7 * time.Second}) {
		t.Errorf("waited %v, want 7s once", waits)
	}
	if res.code != 0 {
		t.Errorf("exit %d: %v", res.code, res.report.Differences)
	}
}

// -private keeps what the maintainers need (every shape, the answers about the probe's
// own range, the error bodies) and leaves out the tenant's data.
func TestProbePrivateLeavesOutTenantData(t *testing.T) {
	target := startTarget(t, mockserver.Options{})
	alert := target.Alerts()[0]
	res := runProbe(t, t.Context(), target, nil, nil, "-private", "-alert-id", alert.ID)
	if res.code != 0 {
		t.Fatalf("exit %d: %v", res.code, res.report.Differences)
	}
	if strings.Contains(res.raw, alert.Title) {
		t.Errorf("the report holds the alert's title %q", alert.Title)
	}
	for _, s := range res.report.Target.Steps {
		if s.Skipped != "" {
			continue
		}
		if s.Shape == nil || s.Shape.Type == "" {
			t.Errorf("%s: no shape", s.Name)
		}
		if empty := s.Body == ""; empty != tenantData[s.Name] {
			t.Errorf("%s: body %q", s.Name, s.Body)
		}
	}
	if s := stepByName(res.report.Target, stepDuplicate); !strings.Contains(s.Body, "already exists") {
		t.Errorf("the duplicate's error body is gone: %q", s.Body)
	}
}
