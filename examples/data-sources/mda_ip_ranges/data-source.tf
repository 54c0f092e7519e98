# Every VPN range the tenant defines itself.
data "mda_ip_ranges" "vpn" {
  category = "vpn"
  built_in = false
}

# Microsoft's ranges tagged for Amazon Web Services, by tag name or tag id.
data "mda_ip_ranges" "aws" {
  built_in = true
  tags     = ["Amazon Web Services"]
}

output "vpn_subnets" {
  value = flatten([for r in data.mda_ip_ranges.vpn.ip_ranges : r.subnets])
}

output "aws_range_names" {
  value = data.mda_ip_ranges.aws.names
}
