# Lists the tenant's custom IP ranges and writes what adopting them needs: import blocks
# for `plan -generate-config-out` (Terraform 1.5 or later, OpenTofu) and a JSON map for the
# `import { for_each }` form (OpenTofu, Terraform 1.7 or later). It creates nothing: its
# apply only saves the outputs.
terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

# portal_url and the credential come from the environment (MDA_PORTAL_URL, MDA_API_TOKEN
# or an Entra application), as for any other configuration.
provider "mda" {}

data "mda_ip_ranges" "custom" {
  built_in = false
}

locals {
  # A resource label must be an identifier whatever the range is called: the name's
  # lower-case letters and digits joined by "_", then the last 6 characters of the id,
  # which keep similar names apart ("r_" in front of a leading digit). Keyed by label, so
  # that two ranges with the same label stop the apply ("Duplicate object key") instead
  # of one hiding the other.
  import_ids = {
    for r in data.mda_ip_ranges.custom.ip_ranges :
    replace(format("%s_%s", join("_", regexall("[a-z0-9]+", lower(r.name))), substr(r.id, -6, -1)), "/^([0-9])/", "r_$1") => r.id
  }
}

output "import_blocks" {
  description = "One import block per custom range, for imports.tf."
  value = join("", [for label, id in local.import_ids : <<-EOT
    import {
      to = mda_ip_range.${label}
      id = "${id}"
    }

    EOT
  ])
}

output "ranges" {
  description = "Every custom range keyed by the name it will be managed under: MDA's name without white space at either end, which the provider refuses."
  value = {
    for r in data.mda_ip_ranges.custom.ip_ranges : trimspace(r.name) => {
      id           = r.id
      category     = r.category
      subnets      = r.subnets
      organization = r.organization
      tags         = r.tags
    }
  }
}
