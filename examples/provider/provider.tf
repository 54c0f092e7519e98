terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

# An Entra application with the MDA permission Settings.manage (or Investigation.manage).
# Leave the secret out of the configuration: export ARM_CLIENT_SECRET in the pipeline.
provider "mda" {
  portal_url = "https://contoso.us2.portal.cloudappsecurity.com"
  tenant_id  = "00000000-0000-0000-0000-000000000000"
  client_id  = "11111111-1111-1111-1111-111111111111"
}
