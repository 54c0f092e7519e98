# One file by MDA's id (files[*].id of mda_files); needs the legacy API token.
data "mda_file" "contract" {
  id = "5f077e6fc3b664209dae1f6b"
}

output "contract_shared_with" {
  value = {
    sharing = data.mda_file.contract.sharing
    domains = data.mda_file.contract.domains
    people  = [for c in data.mda_file.contract.collaborators : coalesce(c.email, c.name)]
  }
}
