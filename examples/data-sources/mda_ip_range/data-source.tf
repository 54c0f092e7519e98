# One range by name (or by id), custom or built-in.
data "mda_ip_range" "head_office" {
  name = "Head office"
}

output "head_office_subnets" {
  value = data.mda_ip_range.head_office.subnets
}
