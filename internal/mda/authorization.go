package mda

import (
	"context"
	"fmt"
)

// The hooks below exist for cmd/mda-probe, which sends its own raw requests so that it
// records exactly what the server answered rather than what Client.do makes of it, but
// signs in the way the provider does. Nothing else should need them: every other caller
// goes through the client's methods, which add the header themselves.

// APIURL is the base of MDA's API that the client sends requests to: the portal URL
// with "/api", no trailing slash.
func (c *Client) APIURL() string { return c.apiURL }

// Authorization returns the Authorization header value the client would send to MDA
// ("Token <key>" or "Bearer <jwt>"), signing in first when the credential needs a token.
// The value is a secret.
func (c *Client) Authorization(ctx context.Context) (string, error) {
	return c.auth.authorization(ctx)
}

// GraphAuthorization is Authorization for Microsoft Graph; it fails, without a request,
// when GraphAvailable does.
func (c *Client) GraphAuthorization(ctx context.Context) (string, error) {
	if err := c.GraphAvailable(); err != nil {
		return "", err
	}
	h, err := c.graph.auth.authorization(ctx)
	if err != nil {
		return "", fmt.Errorf("signing in to Microsoft Graph: %w", err)
	}
	return h, nil
}
