package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

func TestAPIErrorDetail(t *testing.T) {
	const portal = "https://contoso.us3.portal.cloudappsecurity.com"
	for _, tc := range []struct {
		name, action string
		err          error
		want, not    []string
	}{
		{
			name: "tenant not found names the portal URL", action: "read IP range x",
			err:  &mda.APIError{StatusCode: 404, Message: "tenant not found", PortalURL: portal, RequestID: "r-1"},
			want: []string{"MDA answered HTTP 404 Not Found: tenant not found.", `portal URL "` + portal + `"`, "Request ID: r-1."},
		},
		{
			name: "a message ending in a full stop gets no second one", action: "create IP range x",
			err:  &mda.APIError{StatusCode: 400, Message: "name: A range with this name already exists.", Field: "name"},
			want: []string{"already exists."}, not: []string{".."},
		},
		{
			name: "429 names the budget", action: "read IP range x",
			err:  &mda.APIError{StatusCode: 429, RetryAfter: 12 * time.Second},
			want: []string{"30 requests per minute", "asked to wait 12s", "requests_per_minute"},
		},
		{
			name: "context around the API error is kept", action: "read IP range x",
			err: &wrapped{"IP range x is missing from the listing, and listing again to confirm it failed: ",
				&mda.APIError{StatusCode: 503, Message: "Service Unavailable"}},
			want: []string{"IP range x is missing from the listing, and listing again to confirm it failed: MDA answered HTTP 503"},
		},
		{
			name: "an interrupted write is not fixed by retries", action: "create IP range x",
			err: &mda.AmbiguousError{Operation: "create IP range", Err: &mda.CanceledError{
				Operation: "create IP range", Cause: context.Canceled}},
			want: []string{"interrupted", "may have taken effect", "terraform plan"},
			not:  []string{"max_retries", "request_timeout"},
		},
		{
			name: "a deadline names the timeouts attribute", action: "delete IP range x",
			err:  &mda.CanceledError{Operation: "delete IP range", Cause: context.DeadlineExceeded},
			want: []string{"timeouts.delete"}, not: []string{"max_retries"},
		},
		{
			name: "a data source's deadline names no timeouts block", action: "look up IP range",
			err:  &mda.CanceledError{Operation: "read IP range", Cause: context.DeadlineExceeded},
			want: []string{"deadline passed"}, not: []string{"timeouts.", "max_retries"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := apiErrorDetail(tc.action, tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("detail holds %q:\n%s", n, got)
				}
			}
			if n := strings.Count(got, "portal URL"); n > 1 {
				t.Errorf("the portal hint was rendered %d times:\n%s", n, got)
			}
		})
	}
}

// wrapped is an error with text before the one it wraps, like fmt.Errorf("...: %w").
type wrapped struct {
	prefix string
	err    error
}

func (w *wrapped) Error() string { return w.prefix + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"already exists.":  "Already exists.",
		"no answer":        "No answer.",
		"cut short…":       "Cut short…",
		"ends in a colon:": "Ends in a colon.",
		"(see above.)":     "(see above.)",
		"":                 "",
	} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
