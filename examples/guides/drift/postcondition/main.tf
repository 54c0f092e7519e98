# A report of IP ranges nobody declared, without mda_ip_ranges_exclusive: the plan fails,
# naming them, and nothing is ever deleted.
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

  # Ranges that other teams keep, which this configuration accepts without managing.
  accepted = ["Branch offices"]
  allowed  = setunion([for r in mda_ip_range.all : r.name], local.accepted)
}

resource "mda_ip_range" "all" {
  for_each = local.ip_ranges

  name     = each.key
  category = each.value.category
  subnets  = each.value.subnets
}

data "mda_ip_ranges" "custom" {
  built_in = false

  # Read after the managed ranges' changes when there are any, so that a rename is not
  # taken for a stranger; read during the plan when there are none.
  depends_on = [mda_ip_range.all]

  lifecycle {
    postcondition {
      condition     = length(setsubtract(self.names, local.allowed)) == 0
      error_message = "IP ranges nobody declared: ${join(", ", sort(setsubtract(self.names, local.allowed)))}. Import them into mda_ip_range, add them to local.accepted, or delete them in the portal."
    }
  }
}
