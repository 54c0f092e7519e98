package provider

import (
	"strings"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// tokenAdvice maps an Entra error code to the next step. The codes are the ones each
// sign-in method meets in practice (seen in the Azure/login, azure-workload-identity and
// MSAL issue threads); the first that the error mentions wins.
var tokenAdvice = []struct {
	codes  []string
	advice string
}{
	{[]string{"AADSTS7000215", "AADSTS7000222"},
		"The client secret is wrong or has expired. Create a new one under Entra ID → App registrations → the application → " +
			"Certificates & secrets, and use its Value, not its Secret ID."},
	{[]string{"AADSTS700027"},
		"Entra ID does not accept the certificate: upload its public part (.cer or .pem) to the application under " +
			"Certificates & secrets, and check that the configured certificate is the one whose thumbprint is listed there."},
	{[]string{"AADSTS700024"},
		"The assertion has expired or is not valid yet. Federated tokens from CI systems live only minutes: let the provider " +
			"ask for them (use_oidc with the CI system's request URL and token) or keep the token file fresh, and check the machine's clock."},
	{[]string{"AADSTS700211"},
		"No federated credential of the application trusts the token's issuer. Add one under Certificates & secrets → Federated " +
			"credentials with that issuer (GitHub Actions: https://token.actions.githubusercontent.com)."},
	{[]string{"AADSTS700212"},
		"The token's audience is not the one of the application's federated credential. Use api://AzureADTokenExchange " +
			"(api://AzureADTokenExchangeUSGov in usgovernment, api://AzureADTokenExchangeChina in china) on both sides."},
	{[]string{"AADSTS700213", "AADSTS7002137", "AADSTS7002138", "AADSTS70021"},
		"No federated credential of the application matches the token's subject. Add one whose subject is exactly the one in " +
			"the message (matching is case-sensitive), for example repo:<owner>/<repo>:environment:<name> for a GitHub environment."},
	{[]string{"AADSTS50012", "AADSTS700021"},
		"The client assertion was made for another token endpoint or application: check client_id, tenant_id, environment and authority_url."},
	{[]string{"AADSTS700016"},
		"The application was not found in the tenant: check client_id and tenant_id, and that environment names the cloud the tenant lives in."},
	{[]string{"AADSTS90002", "AADSTS900023"},
		"The tenant was not found: check tenant_id, and that environment names the cloud the tenant lives in."},
	{[]string{"AADSTS65002"},
		"The Azure CLI cannot get tokens for MDA in this tenant. Use a client secret or certificate of your own application instead."},
	{[]string{"AADSTS500011"},
		"The MDA application (Microsoft Cloud App Security) is not in the tenant: MDA must be licensed and opened once in the Microsoft Defender portal."},
}

// tokenErrorDetail explains a failed sign-in: the full error (which names the method, the
// application and Entra's own message) and the next step.
func tokenErrorDetail(err error, te *mda.TokenError) string {
	detail := "Signing in to Microsoft Entra ID failed, so no request reached MDA: " + err.Error() + "."
	text := te.Code + " " + te.Description + " " + err.Error()
	for _, a := range tokenAdvice {
		for _, c := range a.codes {
			if strings.Contains(text, c+":") || strings.Contains(text, c+" ") {
				return detail + " " + a.advice
			}
		}
	}
	switch te.Kind {
	case mda.SignInManagedIdentity:
		return detail + " Check that the provider runs on an Azure resource with a managed identity, and that client_id, " +
			"when set, names a user-assigned identity attached to it."
	case mda.SignInAzureCLI:
		return detail
	case mda.SignInPipeline:
		return detail + " Check the CI system's OIDC settings: the job's id-token permission on GitHub Actions, or the " +
			"service connection and SYSTEM_ACCESSTOKEN on Azure DevOps."
	}
	return detail + " Check the credentials in the provider block and the MDA_* / ARM_* environment variables."
}
