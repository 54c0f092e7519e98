terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

# The portal URL and the credential come from the pipeline's environment: MDA_PORTAL_URL,
# and ARM_USE_OIDC, ARM_TENANT_ID and ARM_CLIENT_ID (or another credential).
provider "mda" {}

locals {
  ip_ranges = {
    "Head office" = { category = "corporate", subnets = ["203.0.113.0/24", "2001:db8:100::/48"] }
    "VPN egress"  = { category = "vpn", subnets = ["198.51.100.10", "198.51.100.11"] }
  }
}

resource "mda_ip_range" "all" {
  for_each = local.ip_ranges

  name     = each.key
  category = each.value.category
  subnets  = each.value.subnets
}

# The corporate and VPN ranges are exactly those above. A range added in the portal shows in
# the plan as a name leaving `names`, so `terraform plan -detailed-exitcode` exits 2.
resource "mda_ip_ranges_exclusive" "trusted" {
  names        = [for r in mda_ip_range.all : r.name]
  categories   = ["corporate", "vpn"]
  ignore_names = ["Branch offices"] # the network team's sync script keeps this one
  on_unmanaged = "fail"
}

output "unmanaged_ip_ranges" {
  description = "Corporate and VPN ranges that no configuration declares."
  value       = mda_ip_ranges_exclusive.trusted.unmanaged
}
