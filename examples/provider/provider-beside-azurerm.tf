# The pipeline exports ARM_CLIENT_ID, ARM_CLIENT_SECRET and ARM_TENANT_ID for azurerm. MDA is
# reached with a legacy API token instead: a credential in the provider block comes before
# MDA_* variables, which come before ARM_*, so the ARM_* secret is ignored here (an INFO log
# line says so) and azurerm keeps using it.
variable "mda_api_token" {
  type      = string
  sensitive = true
}

provider "azurerm" {
  features {}
}

provider "mda" {
  portal_url = "https://contoso.us2.portal.cloudappsecurity.com"
  api_token  = var.mda_api_token
}
