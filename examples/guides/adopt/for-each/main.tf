# Adopts the ranges listed in ranges.json with one import block and one resource block.
# Needs OpenTofu, or Terraform 1.7 or later, for for_each in import blocks.
terraform {
  required_version = ">= 1.7"
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

provider "mda" {}

locals {
  # Written once by `terraform -chdir=../find output -json ranges > ranges.json`, then kept
  # in version control: from here on, ranges.json is the list of ranges the tenant should
  # have, and a change in MDA shows in the plan.
  ranges = jsondecode(file("${path.module}/ranges.json"))
}

import {
  for_each = local.ranges
  to       = mda_ip_range.all[each.key]
  id       = each.value.id
}

resource "mda_ip_range" "all" {
  for_each     = local.ranges
  name         = each.key
  category     = each.value.category
  subnets      = each.value.subnets
  organization = each.value.organization
  tags         = each.value.tags
}

# Ranges in the tenant that ranges.json does not list: none right after the adoption. A
# range added in the portal later appears here, and the plan reports the output's change.
data "mda_ip_ranges" "custom" {
  built_in = false
}

output "unmanaged_range_ids" {
  value = setsubtract(data.mda_ip_ranges.custom.ids, [for r in mda_ip_range.all : r.id])
}
