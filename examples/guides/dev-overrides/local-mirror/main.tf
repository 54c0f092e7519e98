# The provider beside others that a registry serves (azurerm, azuread...): installed by
# `terraform init` from a local mirror, so init can install the others too.
terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

provider "mda" {}

data "mda_ip_ranges" "built_in" {
  built_in = true
}

output "built_in_ranges" {
  value = data.mda_ip_ranges.built_in.names
}
