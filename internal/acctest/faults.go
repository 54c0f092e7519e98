package acctest

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// Bodies that MDA, or a gateway in front of it, answers with when something is wrong
// (mda-api.md 1.8). A body starting with "<" is served as text/html by the mock.
const (
	// NotFoundPage is the portal's answer to a path it does not serve, such as an API
	// path under a mistyped portal URL.
	NotFoundPage = `<!DOCTYPE html><html><head><title>Microsoft Defender for Cloud Apps</title></head>` +
		`<body><div class="error"><h1>404</h1><p>Page not found</p></div></body></html>`
	// TenantNotFound is what a regional host answers for a tenant it does not serve.
	TenantNotFound = `{"detail":"tenant not found"}`
	// TruncatedJSON is a 200 body cut short, as a proxy that loses the connection to MDA
	// mid-answer passes it on.
	TruncatedJSON = `{"data":[{"_id":"5f3a`
)

// ErrorPage is an HTML error page as a gateway or the portal serves it for status. MDA's
// own 500 page asks to contact support if the problem persists, and so does this one.
func ErrorPage(status int) string {
	text := http.StatusText(status)
	if status == http.StatusInternalServerError {
		text = "Internal error. If the problem persists, contact support."
	}
	return fmt.Sprintf(`<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%d</h1><p>%s</p></body></html>`,
		status, http.StatusText(status), status, text)
}

// CheckFaultsSpent fails when an injected fault was never hit: a test that expects the
// provider to get past a fault proves nothing if the fault matched no request.
func CheckFaultsSpent(m *Mock) error {
	var left []string
	for _, f := range m.Faults() {
		left = append(left, fmt.Sprintf("%s (%d left)", f.Match, f.Count))
	}
	if len(left) > 0 {
		return fmt.Errorf("injected faults never hit: %s", strings.Join(left, ", "))
	}
	return nil
}

// CheckIPRangesMatch compares the mock's IP ranges whose names start with prefix with the
// mda_ip_range resources of the state. want maps each name that must exist to its
// category code (mockserver.Subnet.Category). It reports every duplicate on the server,
// every range on the server that the state does not hold (an orphan), every range in the
// state that the server does not hold, and every wanted range that is missing or holds
// another category.
func CheckIPRangesMatch(m *Mock, s *terraform.State, prefix string, want map[string]int) error {
	var errs []error
	byName := map[string][]mockserver.Subnet{}
	for _, r := range m.Subnets() {
		if strings.HasPrefix(r.Name, prefix) {
			byName[r.Name] = append(byName[r.Name], r)
		}
	}
	inState := map[string]*terraform.ResourceState{} // by id
	if s != nil {
		for _, rs := range s.RootModule().Resources {
			if rs.Type == "mda_ip_range" && rs.Primary != nil {
				inState[rs.Primary.ID] = rs
			}
		}
	}

	for _, name := range sortedKeys(byName) {
		ranges := byName[name]
		if len(ranges) > 1 {
			ids := make([]string, len(ranges))
			for i, r := range ranges {
				ids[i] = r.ID
			}
			errs = append(errs, fmt.Errorf("duplicate: the server holds %d ranges named %s (%s)", len(ranges), name, strings.Join(ids, ", ")))
		}
		for _, r := range ranges {
			rs, ok := inState[r.ID]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("orphan: the server holds range %s (%s) and the state does not", r.ID, name))
			case rs.Primary.Attributes["name"] != name:
				errs = append(errs, fmt.Errorf("the state names range %s %q, the server %q", r.ID, rs.Primary.Attributes["name"], name))
			}
		}
		if _, wanted := want[name]; !wanted {
			errs = append(errs, fmt.Errorf("the server holds range %s, which should not exist now", name))
		}
	}
	for _, name := range sortedKeys(want) {
		ranges := byName[name]
		if len(ranges) == 0 {
			errs = append(errs, fmt.Errorf("missing: the server holds no range named %s", name))
			continue
		}
		if got := ranges[0].Category; got != want[name] {
			errs = append(errs, fmt.Errorf("the server holds %s with category %d, want %d", name, got, want[name]))
		}
	}
	for _, id := range sortedKeys(inState) {
		if _, ok := m.Subnet(id); !ok {
			errs = append(errs, fmt.Errorf("the state holds range %s (%s), which the server does not", id, inState[id].Primary.Attributes["name"]))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
