resource "mda_ip_range" "corporate" {
  for_each = {
    "Head office" = ["192.0.2.0/24"]
    "Branch VPN"  = ["198.51.100.0/24", "2001:db8::/48"]
  }

  name     = each.key
  category = "corporate"
  subnets  = each.value
}

# Fails the plan, naming them, when MDA holds corporate ranges that this
# configuration does not manage.
data "mda_ip_ranges" "corporate" {
  category = "corporate"
  built_in = false

  lifecycle {
    postcondition {
      condition     = length(setsubtract(self.names, [for r in mda_ip_range.corporate : r.name])) == 0
      error_message = "Corporate IP ranges not managed here: ${join(", ", setsubtract(self.names, [for r in mda_ip_range.corporate : r.name]))}."
    }
  }
}
