# Terraform 1.5 and later, and OpenTofu. Any id will do: the resource governs the whole
# tenant, and "tenant" is the id a created one gets.
import {
  to = mda_ip_ranges_exclusive.corporate_and_vpn
  id = "tenant"
}
