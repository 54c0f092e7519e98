# A first configuration: portal_url and the token come from MDA_PORTAL_URL and
# MDA_API_TOKEN, which cmd/mda-mock prints.
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

data "mda_ip_ranges" "corporate" {
  category = "corporate"
  built_in = false

  # Read after the range exists, so the output lists it on the first apply.
  depends_on = [mda_ip_range.head_office]
}

output "corporate_ranges" {
  value = data.mda_ip_ranges.corporate.names
}
