package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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
func GraphProviderConfig(m *Mock) string { return GraphProviderConfigWith(m, "") }

// GraphProviderConfigWith is GraphProviderConfig with more provider settings, such as
// `environment = "usgovernment"`.
func GraphProviderConfigWith(m *Mock, settings string) string {
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
  %[5]s
}
`, m.URL(), m.Tenant(), GraphAppID, GraphAppSecret, settings)
}

// GraphStreamID returns the id of m's Cloud Discovery stream called name (compared
// without regard to case), as the mock's Graph surface lists it. The request counts in
// m's Stats: call it before measuring, or ResetStats after.
func GraphStreamID(t testing.TB, m *Mock, name string) string {
	t.Helper()
	var page struct {
		Value []struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		} `json:"value"`
	}
	graphGet(t, m, m.URL()+"/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams", &page)
	for _, s := range page.Value {
		if strings.EqualFold(s.DisplayName, name) {
			return s.ID
		}
	}
	t.Fatalf("the mock has no Cloud Discovery stream called %q", name)
	return ""
}

// GraphApps returns every app of a stream over period ("P30D") as the mock's Graph
// surface serves it, pages followed: the oracle the data source's results are compared
// with. Its requests count in m's Stats, like GraphStreamID's.
func GraphApps(t testing.TB, m *Mock, streamID, period string) []map[string]any {
	t.Helper()
	return GraphList(t, m, fmt.Sprintf("/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/%s/aggregatedAppsDetails(period=duration'%s')",
		url.PathEscape(streamID), period))
}

// GraphList returns every item of a collection of m's Graph surface, pages followed; path
// is under /beta. Its requests count in m's Stats.
func GraphList(t testing.TB, m *Mock, path string) []map[string]any {
	t.Helper()
	link := m.URL() + "/beta" + path
	var items []map[string]any
	for link != "" {
		var page struct {
			Value    []map[string]any `json:"value"`
			NextLink string           `json:"@odata.nextLink"`
		}
		graphGet(t, m, link, &page)
		items = append(items, page.Value...)
		link = page.NextLink
	}
	return items
}

// GraphGet returns one object of m's Graph surface; path is under /beta. Its request
// counts in m's Stats.
func GraphGet(t testing.TB, m *Mock, path string) map[string]any {
	t.Helper()
	var out map[string]any
	graphGet(t, m, m.URL()+"/beta"+path, &out)
	return out
}

func graphGet(t testing.TB, m *Mock, link string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+m.IssueGraphToken(GraphAppID, GraphRole))
	req.Header.Set("Prefer", "include-unknown-enum-members")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %s", link, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", link, resp.StatusCode, body, err)
	}
	// Numbers stay json.Number: byte counts pass 2^53 in no seed, but a float would
	// print them differently from the state.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("GET %s: %s", link, err)
	}
}
