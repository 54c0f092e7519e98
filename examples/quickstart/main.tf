# Three IP ranges, as `make demo` applies them against the bundled mock. The provider reads
# portal_url and api_token from MDA_PORTAL_URL and MDA_API_TOKEN.
terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

provider "mda" {}

resource "mda_ip_range" "head_office" {
  name     = "Head office"
  category = "corporate"
  subnets  = ["203.0.113.0/24", "2001:db8:100::/48"]
  tags     = ["head-office"]
}

resource "mda_ip_range" "vpn" {
  name         = "VPN egress"
  category     = "vpn"
  subnets      = ["198.51.100.10", "198.51.100.11"]
  organization = "Contoso Networks"
}

resource "mda_ip_range" "scanners" {
  name     = "External scanners"
  category = "risky"
  subnets  = ["192.0.2.0/25"]
}

output "ip_range_ids" {
  value = {
    head_office = mda_ip_range.head_office.id
    vpn         = mda_ip_range.vpn.id
    scanners    = mda_ip_range.scanners.id
  }
}
