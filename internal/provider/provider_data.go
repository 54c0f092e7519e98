package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// clientFromProviderData holds the only type assertion on ProviderData. It returns a nil
// client quietly when the provider is not configured yet: Terraform calls Configure on
// resources and data sources during validation too, before the provider has a client.
func clientFromProviderData(data any) (*mda.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	client, ok := data.(*mda.Client)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *mda.Client, got %T. This is a bug in the provider; please report it.", data))
	}
	return client, diags
}

// addAPIError turns a client error into one diagnostic whose summary says what failed
// ("Unable to create IP range x") and whose detail renders the error once: what MDA
// answered (status, its own message, the request id), the client's hint (the portal URL
// for pages and wrong hosts, the permission for 401/403, the budget for 429), and advice
// that fits what happened: an interrupted run or a write that may have taken effect is
// not fixed by raising max_retries.
func addAPIError(diags *diag.Diagnostics, action string, err error) {
	diags.AddError("Unable to "+action, apiErrorDetail(action, err))
}

func apiErrorDetail(action string, err error) string {
	var tokenErr *mda.TokenError
	if errors.As(err, &tokenErr) {
		return tokenErrorDetail(err, tokenErr)
	}
	var parts []string
	var apiErr *mda.APIError
	switch {
	case mda.IsCanceled(err):
		parts = append(parts, sentence(err.Error()),
			"Terraform was interrupted before MDA answered, so the outcome is not known here.")
		if mda.IsAmbiguous(err) {
			parts = append(parts, "The request had been sent and may have taken effect: run terraform plan to see what MDA holds before applying again.")
		} else {
			parts = append(parts, "Run the command again when ready.")
		}
		return strings.Join(parts, " ")
	case mda.IsDeadlineExceeded(err):
		parts = append(parts, sentence(err.Error()))
		if op := timeoutsOperation(action); op != "" {
			parts = append(parts, fmt.Sprintf("The operation's deadline passed: raise timeouts.%s in the resource's timeouts block, "+
				"or retry when the tenant is less busy.", op))
		} else {
			parts = append(parts, "The operation's deadline passed: retry when the tenant is less busy.")
		}
	case errors.As(err, &apiErr):
		parts = append(parts, apiErrorSentences(err, apiErr)...)
	case mda.IsNoAnswer(err):
		parts = append(parts, sentence(err.Error()),
			"The portal did not answer at all: check portal_url and the network path to it (proxy, firewall, DNS). "+
				"Raise request_timeout only if the tenant is known to be slow.")
	default:
		parts = append(parts, sentence(err.Error()),
			"Check the network path to the MDA portal URL, then run the command again.")
	}
	if mda.IsAmbiguous(err) {
		parts = append(parts, "The request may have taken effect: run terraform plan to see what MDA holds before applying again.")
	}
	return strings.Join(parts, " ")
}

// apiErrorSentences renders an API answer: what the caller was doing when it came (the
// text around the APIError in err), the status and MDA's message, the hint, and the
// request id for a support case.
func apiErrorSentences(err error, apiErr *mda.APIError) []string {
	var parts []string
	outer, inner := err.Error(), apiErr.Error()
	if i := strings.Index(outer, inner); i > 0 {
		if prefix := strings.TrimSuffix(strings.TrimSpace(outer[:i]), ":"); prefix != "" {
			parts = append(parts, capitalize(prefix)+":")
		}
	}
	answer := fmt.Sprintf("%s answered HTTP %d", apiErr.Service(), apiErr.StatusCode)
	if t := http.StatusText(apiErr.StatusCode); t != "" {
		answer += " " + t
	}
	if apiErr.Message != "" && apiErr.Message != http.StatusText(apiErr.StatusCode) {
		answer += ": " + apiErr.Message
	}
	if apiErr.Code != "" {
		answer += " (code " + apiErr.Code + ")"
	}
	parts = append(parts, sentence(answer))
	if hint := apiErr.Hint(); hint != "" {
		parts = append(parts, sentence(hint))
	}
	graph := apiErr.Service() != "MDA"
	switch apiErr.StatusCode {
	case http.StatusUnauthorized:
		if apiErr.Permission != "" {
			parts = append(parts, fmt.Sprintf("The operation needs the %s permission %s.", apiErr.Service(), apiErr.Permission))
		}
	case http.StatusForbidden:
		// Graph's hint already names the screen; MDA's permissions sit under its own API.
		if apiErr.Permission != "" && !apiErr.LegacyToken() && !graph {
			parts = append(parts, "In Entra ID: App registrations → API permissions → Microsoft Cloud App Security, then grant admin consent.")
		}
	case http.StatusTooManyRequests:
		if graph {
			parts = append(parts, "Microsoft Graph counts its own requests, apart from MDA's budget: retry later.")
		} else {
			parts = append(parts, "Other tools are spending the tenant's budget too: lower requests_per_minute, or retry later.")
		}
	}
	if apiErr.RequestID != "" {
		parts = append(parts, "Request ID: "+apiErr.RequestID+".")
	}
	return parts
}

// timeoutsOperation names the timeouts attribute for an action such as "create IP range x".
// Data sources have no timeouts block, so their actions ("look up", "list") map to none.
func timeoutsOperation(action string) string {
	verb, _, _ := strings.Cut(action, " ")
	switch verb {
	case "create", "read", "update", "delete":
		return verb
	}
	return ""
}

// sentence makes s a sentence: a capital first letter and one closing mark, so that a
// message that already ends in a full stop does not get a second one.
func sentence(s string) string {
	s = strings.TrimSuffix(capitalize(s), ":")
	if s == "" {
		return s
	}
	switch r, _ := utf8.DecodeLastRuneInString(s); r {
	case '.', '!', '?', '…':
		return s
	case ')':
		if strings.HasSuffix(strings.TrimSuffix(s, ")"), ".") {
			return s
		}
	}
	return s + "."
}

func capitalize(s string) string {
	s = strings.TrimSpace(s)
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
