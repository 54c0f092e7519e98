package provider

import (
	"errors"
	"fmt"

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
// ("Unable to create IP range") and whose detail carries the HTTP status, the API's own
// message and a next step: for 401 and 403 the permission to grant.
func addAPIError(diags *diag.Diagnostics, action string, err error) {
	summary := "Unable to " + action
	var tokenErr *mda.TokenError
	if errors.As(err, &tokenErr) {
		diags.AddError(summary, tokenErrorDetail(err, tokenErr))
		return
	}
	var apiErr *mda.APIError
	if !errors.As(err, &apiErr) {
		diags.AddError(summary, fmt.Sprintf("%s. If this persists, check the network path to the MDA portal URL and "+
			"retry; raise request_timeout or max_retries for a slow or busy tenant.", err))
		return
	}
	detail := fmt.Sprintf("MDA answered HTTP %d", apiErr.StatusCode)
	if apiErr.Message != "" {
		detail += ": " + apiErr.Message
	}
	detail += "."
	switch apiErr.StatusCode {
	case 401:
		detail += " The credential was refused: check that the API token or client secret is current and belongs to this tenant."
		if apiErr.Permission != "" {
			detail += " The operation needs the MDA permission " + apiErr.Permission + "."
		}
	case 403:
		if apiErr.Permission != "" {
			detail += " Grant the application the MDA permission " + apiErr.Permission +
				" (Entra ID → App registrations → API permissions → Microsoft Cloud App Security, then grant admin consent), " +
				"or use an API token of a user whose MDA role allows it."
		}
	case 429:
		detail += " The tenant's budget of 30 requests per minute is being spent by other tools too; lower requests_per_minute or retry later."
	}
	if apiErr.RequestID != "" {
		detail += " Request ID: " + apiErr.RequestID + "."
	}
	diags.AddError(summary, detail)
}
