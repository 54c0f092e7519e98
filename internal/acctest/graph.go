package acctest

import (
	"fmt"
	"testing"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// The Entra application that Graph tests sign in with. Graph refuses the legacy token, so
// the Cloud Discovery data sources need an app the mock issues Graph tokens to.
const (
	GraphAppID     = "bbbbbbbb-0000-0000-0000-00000000000b"
	GraphAppSecret = "acctest-graph-secret~value.1"
	// GraphRole is the Graph application permission the Cloud Discovery API requires.
	GraphRole = "CloudApp-Discovery.Read.All"
)

// WithGraphApp adds the Graph-capable Entra app to the mock: MDA roles for Cloud
// Discovery and, for Graph tokens, graphRoles (GraphRole when none are given; pass an
// empty, non-nil slice for an app without admin consent to any Graph permission).
func WithGraphApp(graphRoles ...string) func(*mockserver.Options) {
	roles := graphRoles
	if roles == nil {
		roles = []string{GraphRole}
	}
	return func(o *mockserver.Options) {
		o.Clients = append(o.Clients, mockserver.ClientCredential{
			ID:         GraphAppID,
			Secret:     GraphAppSecret,
			Roles:      []string{"Discovery.read"},
			GraphRoles: roles,
		})
	}
}

// StartGraphMock is StartMock with the Graph-capable app added (WithGraphApp()).
func StartGraphMock(t testing.TB, opts ...func(*mockserver.Options)) *Mock {
	t.Helper()
	return StartMock(t, append([]func(*mockserver.Options){WithGraphApp()}, opts...)...)
}

// GraphProviderConfig is a provider block that signs in to m as the Graph-capable app and
// sends Graph requests to m as well (graph_url).
func GraphProviderConfig(m *Mock) string {
	return fmt.Sprintf(`
provider "mda" {
  portal_url          = %[1]q
  authority_url       = %[1]q
  graph_url           = %[1]q
  tenant_id           = %[2]q
  client_id           = %[3]q
  client_secret       = %[4]q
  requests_per_minute = 6000
  max_retries         = 2
}
`, m.URL(), m.Tenant(), GraphAppID, GraphAppSecret)
}
