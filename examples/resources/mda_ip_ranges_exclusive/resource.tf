# The corporate and VPN ranges the security team declares. Any other range in these two
# categories is drift: it shows in the plan, and apply refuses to go on until it is
# imported or deleted.
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

resource "mda_ip_ranges_exclusive" "corporate_and_vpn" {
  # Referring to the resources makes Terraform create, rename or destroy the ranges before
  # this resource looks, so a range of this apply is never taken for unmanaged.
  names      = [for r in mda_ip_range.all : r.name]
  categories = ["corporate", "vpn"]

  # A script of the network team keeps this one up to date.
  ignore_names = ["Branch offices (synced)"]

  # The default: apply stops and lists each unmanaged range with an import block.
  on_unmanaged = "fail"
}

# The unmanaged ranges, known at plan time, for a report or a notification.
output "unmanaged_ip_ranges" {
  value = [for r in mda_ip_ranges_exclusive.corporate_and_vpn.unmanaged : "${r.name} (${r.category}): ${join(", ", r.subnets)}"]
}
