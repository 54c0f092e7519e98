# The head office: MDA labels its traffic as corporate.
resource "mda_ip_range" "head_office" {
  name     = "Head office"
  category = "corporate"
  subnets  = ["203.0.113.0/24", "2001:db8:100::/48"]
  tags     = ["head-office"]
}

# The VPN egress addresses, with the ISP named explicitly.
resource "mda_ip_range" "vpn" {
  name         = "VPN egress"
  category     = "vpn"
  subnets      = ["198.51.100.10", "198.51.100.11"]
  organization = "Contoso Networks"

  timeouts {
    create = "5m"
  }
}
