package provider

import (
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// ClientConfigFromEnvironment resolves the client's settings from the environment alone,
// exactly as Configure does for a provider block that sets nothing: the MDA_* variables,
// then the ARM_* ones and the pipelines' own (GitHub Actions, Azure DevOps, HCP Terraform,
// App Service), with the same precedence, validation and sign-in kinds. Tools beside the
// provider (cmd/mda-probe) use it so that they sign in as the provider would, rather than
// through a second reading of the variables that could drift from this one.
//
// It returns the credential kind as the provider's logs name it ("client_secret",
// "oidc (GitHub Actions)", ...) and the secret values that output must redact, also on
// error. An error joins the diagnostics Configure would have shown.
func ClientConfigFromEnvironment() (cfg mda.Config, credential string, secrets []string, err error) {
	var diags diag.Diagnostics
	// The zero model is a provider block whose every attribute is null.
	cfg, choice := buildClientConfig(mdaProviderModel{}, &diags)
	if err := diagnosticsError(diags); err != nil {
		return cfg, "", choice.secrets, err
	}
	return cfg, credentialKindName(cfg), choice.secrets, nil
}

// diagnosticsError is diags' errors as one Go error, each as "summary: detail", for code
// that configures the provider outside Terraform (the probe, the live tests' client and the
// sweeper); nil when there is none.
func diagnosticsError(diags diag.Diagnostics) error {
	if !diags.HasError() {
		return nil
	}
	msgs := make([]string, 0, len(diags.Errors()))
	for _, d := range diags.Errors() {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	return errors.New(strings.Join(msgs, "; "))
}
