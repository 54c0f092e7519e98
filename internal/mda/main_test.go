package mda

import (
	"fmt"
	"os"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/acctest"
)

func TestMain(m *testing.M) {
	// No test may reach the real instance metadata service; see acctest.ForbidLinkLocal.
	linkLocal := acctest.ForbidLinkLocal()
	code := m.Run()
	if n := linkLocal(); n > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: tests tried %d time(s) to reach a link-local address such as the instance metadata service\n", n)
		code = 1
	}
	os.Exit(code)
}
