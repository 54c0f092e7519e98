package acctest

import (
	"os"
	"strings"
	"testing"
)

// Live mode runs the TestAccLive_* tests against the tenant that MDA_PORTAL_URL and the
// provider's usual credential variables name (`MDA_LIVE=1 make testacc-live`), instead of
// a mock per test. Everything a live test creates is named with its own LivePrefix, so the
// tests touch nothing they did not create and the sweeper (sweep_test.go) can find what a
// failed run left behind.
//
// The client a live test uses for out-of-band edits and checks is built by the provider's
// own tests (internal/provider/live_test.go), through the provider's Configure: the
// environment is then read by exactly the code that reads it for Terraform, and this
// package cannot import internal/provider (its tests import this package).

const (
	// EnvLive switches live mode on when it is "1".
	EnvLive = "MDA_LIVE"
	// EnvLiveAlerts allows the live alert test to change alerts when it is "1" (and
	// EnvLiveAlertIDs names them).
	EnvLiveAlerts = "MDA_LIVE_ALERTS"
	// EnvLiveAlertIDs is a comma-separated list of alert ids the live alert test may mark
	// read and unread; it acts on no other alert.
	EnvLiveAlertIDs = "MDA_LIVE_ALERT_IDS"

	// LiveNamePrefix starts the name of everything a live test creates; the sweeper
	// deletes custom IP ranges whose name starts with it, and nothing else.
	LiveNamePrefix = "tfacc-"

	// LiveRequestsPerMinute is the provider's and the check client's budget in live mode:
	// MDA's documented 30 per minute, whatever MDA_REQUESTS_PER_MINUTE says.
	LiveRequestsPerMinute = 30
)

// Live reports whether live mode is on (MDA_LIVE=1).
func Live() bool { return os.Getenv(EnvLive) == "1" }

// SkipUnlessLive skips a live test outside live mode.
func SkipUnlessLive(t testing.TB) {
	t.Helper()
	if !Live() {
		t.Skip("live test: runs only with MDA_LIVE=1 (`make testacc-live`), against the tenant named by MDA_PORTAL_URL")
	}
}

// SkipIfLive skips a test that cannot run against a real tenant, such as one that needs
// the mock's fault injection or its admin API, saying why.
func SkipIfLive(t testing.TB, reason string) {
	t.Helper()
	if Live() {
		t.Skip("skipped in live mode (MDA_LIVE=1): " + reason)
	}
}

// LivePrefix returns a fresh "tfacc-<random>-" prefix: one per test, so a test's
// objects are told apart from another test's and from a previous run's leftovers.
func LivePrefix() string { return RandomName(strings.TrimSuffix(LiveNamePrefix, "-")) + "-" }

// LiveProviderConfig is the provider block of a live test: no credentials and no portal
// URL, so the provider reads them from the environment as it would for a user, and the
// tenant's budget of 30 requests per minute written out, so that an environment that
// raises MDA_REQUESTS_PER_MINUTE for the mock cannot make a live run burst.
func LiveProviderConfig() string {
	return `
provider "mda" {
  requests_per_minute = 30
}
`
}

// LiveAlertIDs is the guard of every live test that changes an alert: it returns the ids
// the test may act on, or a reason to skip when it may act on none. Both MDA_LIVE_ALERTS=1
// and a non-empty MDA_LIVE_ALERT_IDS are needed, since a mistake here changes a real
// tenant's alerts. getenv is os.Getenv outside its own tests.
func LiveAlertIDs(getenv func(string) string) (ids []string, skip string) {
	if getenv(EnvLive) != "1" {
		return nil, "live test: runs only with MDA_LIVE=1"
	}
	if getenv(EnvLiveAlerts) != "1" {
		return nil, "changes alerts: runs only with MDA_LIVE_ALERTS=1 and the alert ids it may change in MDA_LIVE_ALERT_IDS"
	}
	for _, id := range strings.Split(getenv(EnvLiveAlertIDs), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, "changes alerts: MDA_LIVE_ALERTS=1 but MDA_LIVE_ALERT_IDS names no alert; set it to the ids the test may mark read and unread"
	}
	return ids, ""
}

// SkipUnlessLiveAlerts skips t unless LiveAlertIDs allows it to change alerts, and returns
// the ids it may change.
func SkipUnlessLiveAlerts(t testing.TB) []string {
	t.Helper()
	ids, skip := LiveAlertIDs(os.Getenv)
	if skip != "" {
		t.Skip(skip)
	}
	return ids
}
