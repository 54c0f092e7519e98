package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so the CLI under
// test talks to this build, and the mock's state is at hand for assertions.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mda": providerserver.NewProtocol6WithError(New("test")()),
}

func testAccPreCheck(t *testing.T) { acctest.PreCheck(t) }

// TestMain hands over to resource.TestMain, which runs the sweepers (sweep_test.go) when
// -sweep is given and otherwise the tests, through testRun.
func TestMain(m *testing.M) {
	resource.TestMain(testRun{m})
}

// testRun wraps the tests' run with what every run needs around it.
type testRun struct{ m *testing.M }

func (r testRun) Run() int {
	// A live run (MDA_LIVE=1) keeps both of these as a user's run has them: the limiter's
	// window file in the user's cache directory, since the tenant's budget is shared with
	// every other process that uses it, and the instance metadata service within reach,
	// since the credential may be the managed identity of the machine the run is on.
	if acctest.Live() {
		return r.m.Run()
	}
	// The limiter's cross-process window file would otherwise land in the user's cache
	// directory, one per mock port; keep it inside the test run.
	dir, err := os.MkdirTemp("", "mda-limiter-")
	if err == nil {
		_ = os.Setenv("MDA_LIMITER_STATE_DIR", dir)
	}
	// No test may reach the real instance metadata service; see acctest.ForbidLinkLocal.
	linkLocal := acctest.ForbidLinkLocal()
	code := r.m.Run()
	_ = os.RemoveAll(dir)
	if n := linkLocal(); n > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: tests tried %d time(s) to reach a link-local address such as the instance metadata service\n", n)
		code = 1
	}
	return code
}
