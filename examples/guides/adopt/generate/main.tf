# The configuration that adopts the tenant's ranges (Terraform 1.5 or later, OpenTofu).
# The steps write imports.tf and generated.tf beside this file.
terraform {
  required_version = ">= 1.5"
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

provider "mda" {}
