# The unsanctioned apps' domains in Zscaler's block script format.
data "mda_discovery_block_script" "zscaler" {
  appliance = "zscaler"
}

# A firewall workflow keyed on the script's hash: replaced, and so run again, only when
# the set of unsanctioned apps changes. Here it just keeps the script; a provisioner or
# a CI job would push it to the appliance.
resource "terraform_data" "zscaler_block_list" {
  triggers_replace = data.mda_discovery_block_script.zscaler.content_sha256
  input            = data.mda_discovery_block_script.zscaler.content
}

output "blocked_domains" {
  value = length(compact(split("\n", data.mda_discovery_block_script.zscaler.content)))
}
