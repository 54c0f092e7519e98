// Package acctest holds what acceptance tests share: a mock MDA tenant per test, provider
// configuration pointing at it, and the check that a real CLI is there. It must not import
// internal/provider (the provider's tests import this package).
package acctest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// Token is the legacy API token every test mock accepts.
const Token = "acctest-token-0123456789abcdef0123456789abcdef0123456789abcdef01"

// Mock is one mock tenant, served on 127.0.0.1 for the length of one test.
type Mock struct {
	*mockserver.Server
}

// StartMock starts a mock tenant for t, stopped by t.Cleanup. Functional tests lift the
// mock's rate limit (and ProviderConfig lifts the provider's) so that they run at full
// speed; the real 30-per-minute budget is proven by the limiter's unit tests and by
// `make bench`. opts may change the defaults before the server starts.
func StartMock(t testing.TB, opts ...func(*mockserver.Options)) *Mock {
	t.Helper()
	o := mockserver.Options{Tokens: []string{Token}, Rate: -1}
	for _, f := range opts {
		f(&o)
	}
	s, err := mockserver.Start(o, "")
	if err != nil {
		t.Fatalf("starting the mock MDA server: %s", err)
	}
	t.Cleanup(s.Close)
	return &Mock{Server: s}
}

// ProviderConfig is a provider block that talks to m with the legacy token.
func ProviderConfig(m *Mock) string {
	return fmt.Sprintf(`
provider "mda" {
  portal_url          = %q
  api_token           = %q
  requests_per_minute = 6000
  max_retries         = 2
}
`, m.URL(), Token)
}

// RandomName returns prefix plus a random suffix, so names never collide across tests.
func RandomName(prefix string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return prefix + "-" + string(b)
}

// PreCheck fails, rather than skips, when TF_ACC is set but the CLI it names is missing:
// an acceptance run that quietly tests nothing must not pass. The harness itself skips
// when TF_ACC is unset.
func PreCheck(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		return
	}
	if os.Getenv("TF_ACC_TERRAFORM_VERSION") != "" {
		t.Fatal("TF_ACC_TERRAFORM_VERSION is set: it makes the harness download a CLI, and there is no network for that. Unset it and run `make tools`.")
	}
	p := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if p == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run acceptance tests with `make testacc` or `make testacc-tofu`, which point it at bin/terraform or bin/tofu.")
	}
	if _, err := exec.LookPath(p); err != nil {
		t.Fatalf("TF_ACC_TERRAFORM_PATH=%s is not an executable (%s): run `make tools`.", p, err)
	}
}

// IsOpenTofu reports whether the CLI under test is OpenTofu. tfversion checks see
// OpenTofu's own version number, so a feature is gated on the binary's kind, not on its
// version alone.
func IsOpenTofu() bool {
	return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org"
}
