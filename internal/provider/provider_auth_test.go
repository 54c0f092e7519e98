package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// These tests configure the provider as a pipeline does: through the environment only,
// with an empty provider block. The environment is the process's, and the provider runs
// in this process, so they use t.Setenv and resource.Test, never ParallelTest: Go runs
// them before any parallel test resumes, and restores every variable after each.

const (
	testAccApp        = "aaaaaaaa-0000-0000-0000-00000000000a"
	testAccSecret     = "acctest-client-secret~value.1"
	testAccCertPass   = "acctest-pfx-password"
	testAccSubject    = "repo:contoso/mda-config:environment:production"
	testAccSubjectNew = "repo:contoso/mda-config:environment:production-rotated"
	testAccGHRequest  = "acctest-github-request-token"
	testAccADOToken   = "acctest-ado-system-access-token"
	testAccADOConn    = "c0ffee00-0000-0000-0000-0000000000ad"
	testAccADOSubject = "sc://contoso/mda-config/mda-production"
	testAccSystemMI   = "bbbbbbbb-0000-0000-0000-00000000000b"
	testAccUserMI     = "cccccccc-0000-0000-0000-00000000000c"
	testAccIDHeader   = "acctest-identity-header"
)

// testAccAuthEnvVars is every variable the provider reads, plus the CI and Azure ones it
// reacts to. Each test clears them all first, so that the runner's own environment (a
// GitHub Actions job with id-token permission, an Azure VM) cannot leak into a test.
var testAccAuthEnvVars = []string{
	"MDA_PORTAL_URL", "MDA_API_TOKEN", "MDA_AUTHORITY_URL", "MDA_REQUESTS_PER_MINUTE", "MDA_MAX_RETRIES", "MDA_REQUEST_TIMEOUT",
	"MDA_TENANT_ID", "ARM_TENANT_ID", "MDA_CLIENT_ID", "ARM_CLIENT_ID",
	"MDA_CLIENT_SECRET", "ARM_CLIENT_SECRET", "MDA_CLIENT_SECRET_FILE_PATH", "ARM_CLIENT_SECRET_FILE_PATH",
	"MDA_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE", "MDA_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PATH",
	"MDA_CLIENT_CERTIFICATE_PASSWORD", "ARM_CLIENT_CERTIFICATE_PASSWORD",
	"MDA_USE_OIDC", "ARM_USE_OIDC", "MDA_OIDC_TOKEN", "ARM_OIDC_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN",
	"MDA_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE",
	"MDA_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI",
	"MDA_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN",
	"MDA_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
	"MDA_USE_MSI", "ARM_USE_MSI", "MDA_MSI_ENDPOINT", "ARM_MSI_ENDPOINT", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
	"MDA_USE_CLI", "ARM_USE_CLI", "MDA_ENVIRONMENT", "ARM_ENVIRONMENT",
}

// testAccSecretEnvVars are the variables whose values must never appear in a log.
var testAccSecretEnvVars = []string{
	"MDA_API_TOKEN", "ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PASSWORD", "ARM_OIDC_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN", "IDENTITY_HEADER",
}

// testAccSkipUnlessAcc skips before a test starts mocks, makes keys and sets up stubs whose
// checks would fail if resource.Test then skipped.
func testAccSkipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
}

// testAccSetAuthEnv clears every variable the provider reads and sets vars, with a lifted
// request budget (the mock's is lifted too).
func testAccSetAuthEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, v := range testAccAuthEnvVars {
		t.Setenv(v, "")
	}
	t.Setenv("MDA_REQUESTS_PER_MINUTE", "6000")
	t.Setenv("MDA_MAX_RETRIES", "1")
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

// testAccTraceLog turns TRACE logging on for the CLI and for the provider under test and
// returns the file both write to. The provider runs in this process, so TF_LOG_PATH alone
// would not reach it: terraform-plugin-testing's log sink sends the in-process provider's
// tflog output to TF_ACC_LOG_PATH (or a per-test TF_LOG_PATH_MASK file, which is cleared
// here because it would take precedence), and TF_ACC_LOG_PATH also becomes the CLI's
// TF_LOG_PATH.
func testAccTraceLog(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "terraform-trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", path)
	t.Setenv("TF_ACC_LOG_PATH", path)
	t.Setenv("TF_LOG_PATH_MASK", "")
	t.Setenv("TF_LOG_PROVIDER", "")
	t.Setenv("TF_LOG_CORE", "")
	return path
}

// testAccCheckLogClean fails when the log lacks the provider's own lines (the check would
// then prove nothing) or holds any of the secrets.
func testAccCheckLogClean(t *testing.T, path string, wantLines []string, secrets []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the trace log: %s", err)
	}
	log := string(b)
	if os.Getenv("MDA_KEEP_TRACE_LOG") != "" {
		_ = os.WriteFile(filepath.Join(os.Getenv("MDA_KEEP_TRACE_LOG"), strings.ReplaceAll(t.Name(), "/", "_")+".log"), b, 0o600)
	}
	for _, w := range wantLines {
		if !strings.Contains(log, w) {
			t.Errorf("the trace log (%d bytes) lacks %q: the provider's log lines are not in it, so the secret check proves nothing", len(b), w)
		}
	}
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(log, s) {
			t.Errorf("the trace log contains a secret (%.6s…, %d characters)", s, len(s))
		}
	}
}

// testAccCert makes an RSA key and a self-signed certificate at run time; no private key
// is committed.
func testAccCert(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "terraform-provider-mda acceptance test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func testAccPFX(t *testing.T, key *rsa.PrivateKey, cert *x509.Certificate) []byte {
	t.Helper()
	data, err := pkcs12.Modern.Encode(key, cert, nil, testAccCertPass)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func testAccPEM(t *testing.T, key *rsa.PrivateKey, cert *x509.Certificate) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join([][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	}, nil)
}

func testAccWriteFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testAccStubAz puts a fake `az` first on PATH that records its arguments and prints
// output; the real Azure CLI, if installed, is never reached.
func testAccStubAz(t *testing.T, output string) (argsFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the az stub is a shell script")
	}
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	out := testAccWriteFile(t, "az-output", []byte(output))
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %q\nwhile IFS= read -r line || [ -n \"$line\" ]; do printf '%%s\\n' \"$line\"; done < %q\n", argsFile, out)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

// testAccEnvOnlyConfig is an empty provider block and one IP range: everything else comes
// from the environment.
func testAccEnvOnlyConfig(name string) string {
	return fmt.Sprintf(`
provider "mda" {}

resource "mda_ip_range" "test" {
  name     = %q
  category = "vpn"
  subnets  = ["10.20.0.0/16"]
}
`, name)
}

// testAccCheckSignIns checks the mock's sign-in log: at least one sign-in, all with
// method and none refused.
func testAccCheckSignIns(m *acctest.Mock, method string, extra func([]mockserver.SignIn) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ins := m.SignIns()
		if method != "" && len(ins) == 0 {
			return fmt.Errorf("the mock saw no sign-in, want %s", method)
		}
		for _, in := range ins {
			if in.Method != method || in.Error != "" {
				return fmt.Errorf("sign-in %+v, want method %s and no error", in, method)
			}
		}
		if extra != nil {
			return extra(ins)
		}
		return nil
	}
}

// testAccAuthMode is one way a pipeline signs in.
type testAccAuthMode struct {
	name   string
	mock   func(*mockserver.Options)
	env    func(t *testing.T, m *acctest.Mock) map[string]string
	method string // the mock's SignIn.Method; "" for the legacy token and the Azure CLI
	check  func([]mockserver.SignIn) error
	// secrets returns secret values that are neither in the environment nor in the mock's
	// sign-in log.
	secrets func() []string
}

func testAccAuthModes(t *testing.T) []testAccAuthMode {
	key, cert := testAccCert(t)
	app := func(c mockserver.ClientCredential) func(*mockserver.Options) {
		return func(o *mockserver.Options) {
			c.ID, c.Roles = testAccApp, []string{"Settings.manage"}
			o.Clients = append(o.Clients, c)
		}
	}
	entra := func(m *acctest.Mock, more map[string]string) map[string]string {
		env := map[string]string{"MDA_PORTAL_URL": m.URL(), "MDA_AUTHORITY_URL": m.URL(), "ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": testAccApp}
		for k, v := range more {
			env[k] = v
		}
		return env
	}
	subject := func(want string) func([]mockserver.SignIn) error {
		return func(ins []mockserver.SignIn) error {
			for _, in := range ins {
				if in.Subject != want {
					return fmt.Errorf("federated subject %q, want %q", in.Subject, want)
				}
			}
			return nil
		}
	}
	fedApp := app(mockserver.ClientCredential{Federated: []mockserver.FederatedIdentity{
		{Subject: testAccSubject},
		{Issuer: mockserver.AzureDevOpsIssuer, Subject: testAccADOSubject},
	}})
	msi := func(o *mockserver.Options) {
		o.IdentityHeader = testAccIDHeader
		o.ManagedIdentities = []mockserver.ManagedIdentity{
			{ClientID: testAccSystemMI, System: true, Roles: []string{"Settings.manage"}},
			{ClientID: testAccUserMI, Roles: []string{"Investigation.manage"}},
		}
	}
	identity := func(want string) func([]mockserver.SignIn) error {
		return func(ins []mockserver.SignIn) error {
			for _, in := range ins {
				if in.ClientID != want {
					return fmt.Errorf("managed identity %q signed in, want %q", in.ClientID, want)
				}
			}
			return nil
		}
	}

	var cliToken string
	return []testAccAuthMode{
		{
			name: "legacy token",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "MDA_API_TOKEN": acctest.Token}
			},
		},
		{
			name: "client secret",
			mock: app(mockserver.ClientCredential{Secret: testAccSecret}),
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{"ARM_CLIENT_SECRET": testAccSecret})
			},
			method: mockserver.SignInClientSecret,
		},
		{
			name: "certificate, PKCS#12 in base64",
			mock: app(mockserver.ClientCredential{Certificates: []*x509.Certificate{cert}}),
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{
					"ARM_CLIENT_CERTIFICATE":          base64.StdEncoding.EncodeToString(testAccPFX(t, key, cert)),
					"ARM_CLIENT_CERTIFICATE_PASSWORD": testAccCertPass,
				})
			},
			method: mockserver.SignInCertificate,
		},
		{
			name: "certificate, PKCS#12 file",
			mock: app(mockserver.ClientCredential{Certificates: []*x509.Certificate{cert}}),
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{
					"ARM_CLIENT_CERTIFICATE_PATH":     testAccWriteFile(t, "cert.pfx", testAccPFX(t, key, cert)),
					"ARM_CLIENT_CERTIFICATE_PASSWORD": testAccCertPass,
				})
			},
			method: mockserver.SignInCertificate,
		},
		{
			name: "certificate, PEM file",
			mock: app(mockserver.ClientCredential{Certificates: []*x509.Certificate{cert}}),
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{"ARM_CLIENT_CERTIFICATE_PATH": testAccWriteFile(t, "cert.pem", testAccPEM(t, key, cert))})
			},
			method: mockserver.SignInCertificate,
		},
		{
			name: "OIDC token",
			mock: fedApp,
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{
					"ARM_USE_OIDC":   "true",
					"ARM_OIDC_TOKEN": m.IssueFederatedToken(mockserver.FederatedClaims{Subject: testAccSubject}),
				})
			},
			method: mockserver.SignInFederated,
			check:  subject(testAccSubject),
		},
		{
			name: "GitHub Actions",
			mock: func(o *mockserver.Options) {
				fedApp(o)
				o.OIDCRuns = []mockserver.OIDCRun{{RequestToken: testAccGHRequest, Subject: testAccSubject}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{
					"ARM_USE_OIDC":                   "true",
					"ACTIONS_ID_TOKEN_REQUEST_URL":   m.URL() + "/_mock/oidc/token?api-version=2.0",
					"ACTIONS_ID_TOKEN_REQUEST_TOKEN": testAccGHRequest,
				})
			},
			method: mockserver.SignInFederated,
			check:  subject(testAccSubject),
		},
		{
			name: "Azure DevOps",
			mock: func(o *mockserver.Options) {
				fedApp(o)
				o.OIDCRuns = []mockserver.OIDCRun{{RequestToken: testAccADOToken, Subject: testAccADOSubject, ServiceConnectionID: testAccADOConn}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return entra(m, map[string]string{
					"ARM_USE_OIDC":                           "true",
					"SYSTEM_OIDCREQUESTURI":                  m.URL() + "/_mock/oidc/ado",
					"SYSTEM_ACCESSTOKEN":                     testAccADOToken,
					"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": testAccADOConn,
				})
			},
			method: mockserver.SignInFederated,
			check:  subject(testAccADOSubject),
		},
		{
			name: "managed identity, IMDS",
			mock: msi,
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				// ARM_TENANT_ID is what pipelines export for other providers: a managed
				// identity ignores it.
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_TENANT_ID": m.Tenant(), "ARM_USE_MSI": "true",
					"ARM_MSI_ENDPOINT": m.URL() + "/metadata/identity/oauth2/token"}
			},
			method: mockserver.SignInManagedIdentity,
			check:  identity(testAccSystemMI),
		},
		{
			name: "managed identity, IMDS, user-assigned",
			mock: msi,
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_USE_MSI": "true", "ARM_CLIENT_ID": testAccUserMI,
					"ARM_MSI_ENDPOINT": m.URL() + "/metadata/identity/oauth2/token"}
			},
			method: mockserver.SignInManagedIdentity,
			check:  identity(testAccUserMI),
		},
		{
			name: "managed identity, App Service",
			mock: msi,
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_USE_MSI": "true",
					"IDENTITY_ENDPOINT": m.URL() + "/msi/token", "IDENTITY_HEADER": testAccIDHeader}
			},
			method: mockserver.SignInManagedIdentity,
			check:  identity(testAccSystemMI),
		},
		{
			name: "Azure CLI",
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				cliToken = m.IssueAccessToken("cli-user@contoso.com", "Settings.manage")
				args := testAccStubAz(t, fmt.Sprintf(`{"accessToken": %q, "expires_on": %d, "tokenType": "Bearer"}`,
					cliToken, time.Now().Add(time.Hour).Unix()))
				t.Cleanup(func() {
					b, _ := os.ReadFile(args)
					want := "account get-access-token --resource 05a65629-4c1b-48c1-a78b-804c4abdd4af -o json --tenant " + m.Tenant()
					for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
						if line != want {
							t.Errorf("az was called with %q, want %q", line, want)
						}
					}
				})
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_USE_CLI": "true", "ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": testAccApp}
			},
			secrets: func() []string { return []string{cliToken} },
		},
	}
}

// TestAccProviderAuth_environmentOnly applies and reads an IP range with each credential
// kind configured through the environment alone, with TRACE logging on, and greps the log
// for every secret, assertion and access token involved.
func TestAccProviderAuth_environmentOnly(t *testing.T) {
	testAccSkipUnlessAcc(t)
	for _, mode := range testAccAuthModes(t) {
		t.Run(mode.name, func(t *testing.T) {
			var opts []func(*mockserver.Options)
			if mode.mock != nil {
				opts = append(opts, mode.mock)
			}
			m := acctest.StartMock(t, opts...)
			env := mode.env(t, m)
			testAccSetAuthEnv(t, env)
			logPath := testAccTraceLog(t)
			name := acctest.RandomName("tfacc-auth")
			addr := "mda_ip_range.test"
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckIPRangeDestroy(m),
				Steps: []resource.TestStep{{
					Config: testAccEnvOnlyConfig(name),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("category"), knownvalue.StringExact("vpn")),
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						testAccCheckMockIPRange(m, name, func(mockserver.Subnet) error { return nil }),
						testAccCheckSignIns(m, mode.method, mode.check),
					),
				}},
			})

			secrets := []string{acctest.Token}
			for _, k := range testAccSecretEnvVars {
				if v := env[k]; v != "" {
					secrets = append(secrets, v)
				}
			}
			for _, in := range m.SignIns() {
				secrets = append(secrets, in.Assertion, in.AccessToken)
			}
			want := []string{"configured MDA client", "MDA request"}
			if mode.method != "" || mode.name == "Azure CLI" {
				want = append(want, "fetched an Entra ID access token")
			}
			if mode.secrets != nil {
				secrets = append(secrets, mode.secrets()...)
			}
			testAccCheckLogClean(t, logPath, want, secrets)
		})
	}
}

// TestAccProviderAuth_oidcTokenFileRotation proves that the token file is read again on
// every token refresh, within one provider process: the mock's first sign-in rotates the
// file and moves the mock's clock past the life of the access token it just issued, so
// the provider's next request is refused with 401, it fetches a new token, and that one
// must come from the rotated file.
func TestAccProviderAuth_oidcTokenFileRotation(t *testing.T) {
	testAccSkipUnlessAcc(t)
	clock := &testAccClock{offset: 0}
	tokenFile := filepath.Join(t.TempDir(), "federated-token")
	var m *acctest.Mock
	var rotations atomic.Int32
	m = acctest.StartMock(t, func(o *mockserver.Options) {
		o.Now = clock.Now
		o.TokenLifetime = time.Minute
		o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.manage"}, Federated: []mockserver.FederatedIdentity{
			{Subject: testAccSubject}, {Subject: testAccSubjectNew},
		}}}
		o.OnSignIn = func(in mockserver.SignIn) {
			if in.Subject == testAccSubject && rotations.Add(1) == 1 {
				clock.Advance(2 * time.Minute)
				testAccWriteToken(t, tokenFile, m.IssueFederatedToken(mockserver.FederatedClaims{Subject: testAccSubjectNew}))
			}
		}
	})
	testAccWriteToken(t, tokenFile, m.IssueFederatedToken(mockserver.FederatedClaims{Subject: testAccSubject}))
	testAccSetAuthEnv(t, map[string]string{
		"MDA_PORTAL_URL": m.URL(), "MDA_AUTHORITY_URL": m.URL(), "ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": testAccApp,
		"ARM_USE_OIDC": "true", "AZURE_FEDERATED_TOKEN_FILE": tokenFile,
	})
	logPath := testAccTraceLog(t)
	name := acctest.RandomName("tfacc-rotate")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{{
			// The data source gives the plan a request to send after Configure's sign-in.
			Config: testAccEnvOnlyConfig(name) + `
data "mda_ip_ranges" "probe" {
  built_in = false
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckMockIPRange(m, name, func(mockserver.Subnet) error { return nil }),
				testAccCheckSignIns(m, mockserver.SignInFederated, func(ins []mockserver.SignIn) error {
					// The first two sign-ins are both the plan's: Configure's, from the
					// original file, and the one after the data source's 401, from the
					// rotated file.
					if len(ins) < 2 || ins[0].Subject != testAccSubject || ins[1].Subject != testAccSubjectNew {
						return fmt.Errorf("sign-in subjects %v, want %q then %q", testAccSubjects(ins), testAccSubject, testAccSubjectNew)
					}
					return nil
				}),
			),
		}},
	})
	if n := rotations.Load(); n != 1 {
		t.Errorf("the original token was used for %d sign-ins, want exactly one", n)
	}
	var secrets []string
	for _, in := range m.SignIns() {
		secrets = append(secrets, in.Assertion, in.AccessToken)
	}
	// The refresh after the 401 happened inside one provider process: the client logs it.
	testAccCheckLogClean(t, logPath, []string{"configured MDA client", "MDA refused the access token; fetching a new one",
		"fetched an Entra ID access token"}, secrets)
}

func testAccWriteToken(t *testing.T, path, token string) {
	t.Helper()
	// Write then rename, as Kubernetes updates projected tokens: a reader never sees half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		t.Error(err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Error(err)
	}
}

func testAccSubjects(ins []mockserver.SignIn) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Subject
	}
	return out
}

// testAccClock is the mock's clock: real time plus an offset a test can move forward.
type testAccClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testAccClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testAccClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// TestAccProviderAuth_refusals checks that each way signing in can fail ends in one
// diagnostic that says what is wrong and what to do.
func TestAccProviderAuth_refusals(t *testing.T) {
	testAccSkipUnlessAcc(t)
	key, cert := testAccCert(t)
	_, registered := testAccCert(t)
	for _, tc := range []struct {
		name string
		mock func(*mockserver.Options)
		env  func(t *testing.T, m *acctest.Mock) map[string]string
		want string
	}{
		{
			name: "wrong client secret",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Secret: testAccSecret, Roles: []string{"Settings.manage"}}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_CLIENT_SECRET": "not-the-secret"})
			},
			want: `Unable to sign in to MDA.*AADSTS7000215: Invalid client secret provided.*Value, not its Secret ID`,
		},
		{
			name: "unregistered certificate",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.manage"}, Certificates: []*x509.Certificate{registered}}}
			},
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_CLIENT_CERTIFICATE_PATH": testAccWriteFile(t, "c.pem", testAccPEM(t, key, cert))})
			},
			want: `with a client certificate.*AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.*upload its public part`,
		},
		{
			name: "expired federated token",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.manage"}, Federated: []mockserver.FederatedIdentity{{Subject: testAccSubject}}}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": m.IssueFederatedToken(mockserver.FederatedClaims{
					Subject: testAccSubject, IssuedAt: time.Now().Add(-time.Hour), Expiry: time.Now().Add(-50 * time.Minute)})})
			},
			want: `with a federated token.*AADSTS700024: Client assertion is not within its valid time range.*live only minutes`,
		},
		{
			name: "federated token for another audience",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.manage"}, Federated: []mockserver.FederatedIdentity{{Subject: testAccSubject}}}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": m.IssueFederatedToken(mockserver.FederatedClaims{
					Subject: testAccSubject, Audience: "api://some-other-audience"})})
			},
			want: `AADSTS700212: No matching federated identity record found for presented assertion audience 'api://some-other-audience'.*api://AzureADTokenExchange`,
		},
		{
			name: "federated token for another subject",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.manage"}, Federated: []mockserver.FederatedIdentity{{Subject: testAccSubject}}}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": m.IssueFederatedToken(mockserver.FederatedClaims{
					Subject: "repo:contoso/mda-config:pull_request"})})
			},
			want: `AADSTS700213: .*subject 'repo:contoso/mda-config:pull_request'.*matching is case-sensitive`,
		},
		{
			name: "missing role",
			mock: func(o *mockserver.Options) {
				o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Roles: []string{"Settings.read"}, Certificates: []*x509.Certificate{cert}}}
			},
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_CLIENT_CERTIFICATE_PATH": testAccWriteFile(t, "c.pem", testAccPEM(t, key, cert))})
			},
			want: `Unable to create IP range.*HTTP 403.*Insufficient role based permissions.*Grant the application the MDA permission Settings.manage or Investigation.manage`,
		},
		{
			name: "managed identity that is not there",
			mock: func(o *mockserver.Options) {
				o.ManagedIdentities = []mockserver.ManagedIdentity{{ClientID: testAccSystemMI, System: true, Roles: []string{"Settings.manage"}}}
			},
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_USE_MSI": "true", "ARM_CLIENT_ID": testAccUserMI,
					"ARM_MSI_ENDPOINT": m.URL() + "/metadata/identity/oauth2/token"}
			},
			want: `with a managed identity \(IMDS endpoint .*HTTP 400: invalid_request: Identity not found.*user-assigned identity attached to it`,
		},
		{
			name: "Azure CLI not logged in",
			env: func(t *testing.T, m *acctest.Mock) map[string]string {
				testAccStubAzFailing(t, "ERROR: Please run 'az login' to setup account.")
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "ARM_USE_CLI": "true", "ARM_TENANT_ID": m.Tenant()}
			},
			want: `with the Azure CLI.*Please run 'az login' to setup account.*az login --tenant`,
		},
		{
			name: "GCC High portal in the public cloud",
			env: func(*testing.T, *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": "https://contoso.us1.portal.cloudappsecurity.us", "MDA_API_TOKEN": acctest.Token}
			},
			want: `MDA portal URL does not match the cloud.*environment variable MDA_PORTAL_URL.*belongs to the usgovernment cloud.*set the environment to "usgovernment".*default environment \(public\)`,
		},
		{
			name: "commercial portal in usgovernment",
			env: func(*testing.T, *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": "https://contoso.us2.portal.cloudappsecurity.com", "MDA_API_TOKEN": acctest.Token,
					"ARM_ENVIRONMENT": "usgovernment"}
			},
			want: `MDA portal URL does not match the cloud.*belongs to the public cloud.*<tenant>.us1.portal.cloudappsecurity.us \(GCC High\).*environment variable ARM_ENVIRONMENT`,
		},
		{
			name: "unknown environment",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return map[string]string{"MDA_PORTAL_URL": m.URL(), "MDA_API_TOKEN": acctest.Token, "ARM_ENVIRONMENT": "german"}
			},
			want: `Unknown Microsoft cloud.*ARM_ENVIRONMENT is "german".*china, public, usgovernment`,
		},
		{
			name: "two credential kinds from the environment",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_CLIENT_SECRET": "s", "ARM_USE_MSI": "true"})
			},
			want: `Conflicting MDA credentials.*a client secret \(from environment variable ARM_CLIENT_SECRET\) and a managed identity \(from environment variable ARM_USE_MSI\)`,
		},
		{
			name: "OIDC without a token",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true"})
			},
			want: `No federated token for OIDC.*environment variable ARM_USE_OIDC.*id-token: write`,
		},
		{
			name: "Azure DevOps without a service connection",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true", "SYSTEM_OIDCREQUESTURI": m.URL() + "/_mock/oidc/ado", "SYSTEM_ACCESSTOKEN": "x"})
			},
			want: `Missing Azure DevOps service connection.*ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`,
		},
		{
			name: "GitHub Actions without the request token",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_OIDC": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": m.URL() + "/_mock/oidc/token"})
			},
			want: `Missing OIDC request token.*ACTIONS_ID_TOKEN_REQUEST_URL is set.*id-token: write`,
		},
		{
			name: "federated token without use_oidc",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_OIDC_TOKEN": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"})
			},
			want: `No MDA credentials configured.*A federated token is configured in the environment: set use_oidc = true`,
		},
		{
			name: "invalid boolean",
			env: func(_ *testing.T, m *acctest.Mock) map[string]string {
				return testAccEntraEnv(m, map[string]string{"ARM_USE_MSI": "yes please"})
			},
			want: `Invalid boolean.*ARM_USE_MSI is "yes please"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*mockserver.Options)
			if tc.mock != nil {
				opts = append(opts, tc.mock)
			}
			m := acctest.StartMock(t, opts...)
			testAccSetAuthEnv(t, tc.env(t, m))
			t.Setenv("MDA_MAX_RETRIES", "0")
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccEnvOnlyConfig(acctest.RandomName("tfacc-refused")),
					ExpectError: expectOneError(tc.want),
				}},
			})
		})
	}
}

// testAccMDARequests counts the mock's requests other than sign-ins.
func testAccMDARequests(m *acctest.Mock) (mda, signIns int) {
	for route, n := range m.Stats().Routes {
		if strings.HasSuffix(route, "/oauth2/v2.0/token") {
			signIns += n
		} else {
			mda += n
		}
	}
	return mda, signIns
}

// TestAccProviderAuth_wrongSecretFailsPlan: a configuration that only creates resources
// sends no MDA request during plan, so a wrong client secret used to pass the plan and
// fail the apply halfway. Configure signs in now: the plan fails with Entra's message,
// and MDA is never asked.
func TestAccProviderAuth_wrongSecretFailsPlan(t *testing.T) {
	testAccSkipUnlessAcc(t)
	m := acctest.StartMock(t, func(o *mockserver.Options) {
		o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Secret: testAccSecret, Roles: []string{"Settings.manage"}}}
	})
	testAccSetAuthEnv(t, testAccEntraEnv(m, map[string]string{"ARM_CLIENT_SECRET": "not-the-secret"}))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccEnvOnlyConfig(acctest.RandomName("tfacc-plan-refused")),
			PlanOnly:    true,
			ExpectError: expectOneError(`Unable to sign in to MDA.*AADSTS7000215: Invalid client secret provided.*Value, not its Secret ID`),
		}},
	})
	requests, signIns := testAccMDARequests(m)
	if requests != 0 || signIns == 0 {
		t.Errorf("the mock saw %d MDA requests and %d sign-ins, want 0 and at least 1: %v", requests, signIns, m.Stats().Routes)
	}
	for _, in := range m.SignIns() {
		if in.Error != "AADSTS7000215" {
			t.Errorf("sign-in %+v, want refused with AADSTS7000215", in)
		}
	}
}

// TestAccProviderAuth_blockTokenBeatsARMSecret: a pipeline exports ARM_CLIENT_SECRET,
// ARM_CLIENT_ID and ARM_TENANT_ID for azurerm and configures api_token in the provider
// block. The block wins: the mock's sign-in log stays empty, and the application behind
// the ARM_* secret may only read, so a create signed in with it would be refused.
func TestAccProviderAuth_blockTokenBeatsARMSecret(t *testing.T) {
	testAccSkipUnlessAcc(t)
	m := acctest.StartMock(t, func(o *mockserver.Options) {
		o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Secret: testAccSecret, Roles: []string{"Settings.read"}}}
	})
	testAccSetAuthEnv(t, map[string]string{
		// MDA_AUTHORITY_URL keeps a wrong choice on the mock rather than the internet.
		"MDA_AUTHORITY_URL": m.URL(), "ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": testAccApp, "ARM_CLIENT_SECRET": testAccSecret,
	})
	logPath := testAccTraceLog(t)
	name := acctest.RandomName("tfacc-block-token")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "mda" {
  portal_url = %q
  api_token  = %q
}

resource "mda_ip_range" "test" {
  name     = %q
  category = "vpn"
  subnets  = ["10.20.0.0/16"]
}
`, m.URL(), acctest.Token, name),
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckMockIPRange(m, name, func(mockserver.Subnet) error { return nil }),
				testAccCheckSignIns(m, "", nil),
			),
		}},
	})
	if requests, signIns := testAccMDARequests(m); requests == 0 || signIns != 0 {
		t.Errorf("the mock saw %d MDA requests and %d sign-ins, want some and none: %v", requests, signIns, m.Stats().Routes)
	}
	testAccCheckLogClean(t, logPath,
		[]string{"ARM_CLIENT_SECRET is set but the provider block configures api_token; using api_token", "configured MDA client"},
		// The test harness logs the configuration it writes, api_token included, so
		// only the ARM_* secret can be checked here.
		[]string{testAccSecret})
}

// testAccCountingProvider counts Configure calls: each builds a client, whose token cache
// starts empty.
type testAccCountingProvider struct {
	provider.Provider
	configures *atomic.Int64
}

func (p testAccCountingProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.configures.Add(1)
	p.Provider.Configure(ctx, req, resp)
}

// TestAccProviderAuth_oneSignInPerConfigure: the token Configure fetches to check the
// credential is the one every request of that provider instance then uses, so a whole
// create, refresh, plan and destroy cost exactly one sign-in per Configure.
func TestAccProviderAuth_oneSignInPerConfigure(t *testing.T) {
	testAccSkipUnlessAcc(t)
	m := acctest.StartMock(t, func(o *mockserver.Options) {
		o.Clients = []mockserver.ClientCredential{{ID: testAccApp, Secret: testAccSecret, Roles: []string{"Settings.manage"}}}
	})
	testAccSetAuthEnv(t, testAccEntraEnv(m, map[string]string{"ARM_CLIENT_SECRET": testAccSecret}))
	var configures atomic.Int64
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"mda": providerserver.NewProtocol6WithError(testAccCountingProvider{Provider: New("test")(), configures: &configures}),
	}
	name := acctest.RandomName("tfacc-one-sign-in")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             testAccCheckIPRangeDestroy(m),
		Steps: []resource.TestStep{
			{Config: testAccEnvOnlyConfig(name), Check: testAccCheckSignIns(m, mockserver.SignInClientSecret, nil)},
			{Config: testAccEnvOnlyConfig(name), PlanOnly: true},
		},
	})
	requests, signIns := testAccMDARequests(m)
	if n := configures.Load(); n < 2 || int64(signIns) != n || len(m.SignIns()) != signIns {
		t.Errorf("%d Configure calls, %d sign-ins (%d in the sign-in log), want one per Configure", n, signIns, len(m.SignIns()))
	}
	// With requests made, one sign-in per Configure means that they reused its token.
	if requests == 0 {
		t.Errorf("the mock saw no MDA request, so the test proves nothing")
	}
}

// expectOneError matches output with exactly one diagnostic ("Error:" once) that matches
// pattern (spaces match any white space, as in expectErrorWords). Go's regexp has no
// look-ahead, so "anything but Error:" is spelled out, and pattern's ".*" may not skip
// over a second error either.
func expectOneError(pattern string) *regexp.Regexp {
	const notError = `(?:[^E]|E[^r]|Er[^r]|Err[^o]|Erro[^r]|Error[^:])*`
	want := strings.ReplaceAll(strings.ReplaceAll(pattern, ".*", notError), " ", `\s+`)
	return regexp.MustCompile(`(?s)\A` + notError + `Error:` + notError + want + notError + `\z`)
}

func testAccEntraEnv(m *acctest.Mock, more map[string]string) map[string]string {
	env := map[string]string{"MDA_PORTAL_URL": m.URL(), "MDA_AUTHORITY_URL": m.URL(), "ARM_TENANT_ID": m.Tenant(), "ARM_CLIENT_ID": testAccApp}
	for k, v := range more {
		env[k] = v
	}
	return env
}

// testAccStubAzFailing puts a fake `az` on PATH that fails as a signed-out CLI does.
func testAccStubAzFailing(t *testing.T, stderr string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the az stub is a shell script")
	}
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\necho %q >&2\nexit 1\n", stderr)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// TestAccProviderAuth_configRefusals covers settings refused before any request, written
// in the provider block (so these tests need no environment and run in parallel).
// TestAccProviderAuth_configRefusals runs two refusals end to end: a schema validator's
// and a conflict between credential kinds. The rest are unit tests of Configure
// (TestConfigure_refusals).
func TestAccProviderAuth_configRefusals(t *testing.T) {
	key, cert := testAccCert(t)
	pfxPath := testAccWriteFile(t, "c.pfx", testAccPFX(t, key, cert))
	cases := map[string]struct {
		provider string
		want     string
	}{
		"secret and certificate": {
			provider: fmt.Sprintf(`portal_url = %q
tenant_id = "t"
client_id = "c"
client_secret = "s"
client_certificate_path = %q`, testAccUnreachablePortal, pfxPath),
			want: `Conflicting MDA credentials.*a client secret \(from ` + "`client_secret`" + `\) and a client certificate \(from ` + "`client_certificate_path`" + `\)`,
		},
		"unknown environment": {
			provider: fmt.Sprintf(`portal_url = %q
api_token = "tok"
environment = "mars"`, testAccUnreachablePortal),
			want: `environment.*value must be one of`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccProviderConfig_raw(tc.provider),
					ExpectError: expectOneError(tc.want),
				}},
			})
		})
	}
}

// TestProviderModel_matchesSchema keeps the model and the schema in step: every attribute
// has a field, every field an attribute.
func TestProviderModel_matchesSchema(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(t.Context(), provider.SchemaRequest{}, &resp)
	fields := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			fields[f.Tag.Get("tfsdk")] = true
		}
	}
	walk(reflect.TypeFor[mdaProviderModel]())
	for attr := range resp.Schema.Attributes {
		if !fields[attr] {
			t.Errorf("attribute %s has no model field", attr)
		}
		delete(fields, attr)
	}
	for f := range fields {
		t.Errorf("model field %s has no attribute", f)
	}
	var model mdaProviderModel
	for attr := range model.authUnknown() {
		if _, ok := resp.Schema.Attributes[attr]; !ok {
			t.Errorf("authUnknown names %s, which is not an attribute", attr)
		}
	}
}

func TestExpectOneError(t *testing.T) {
	one := "exit status 1\n\n│ Error: Unable to create IP range\n│\n│ Signing in failed: AADSTS700027: bad.\n"
	two := one + "\n│ Error: Unable to create IP range\n│\n│ again\n"
	for _, tc := range []struct {
		pattern, output string
		want            bool
	}{
		{"Unable to create IP range.*AADSTS700027", one, true},
		{"AADSTS700027", one, true},
		{"Unable to create IP range.*AADSTS700027", two, false},
		{"AADSTS700027.*again", two, false},
		{"AADSTS700024", one, false},
		{"anything", "exit status 1\n\nno diagnostic at all", false},
	} {
		if got := expectOneError(tc.pattern).MatchString(tc.output); got != tc.want {
			t.Errorf("expectOneError(%q) on %q = %v, want %v", tc.pattern, tc.output, got, tc.want)
		}
	}
}
