# The Files API accepts only a legacy API token: with an Entra application, give the file
# data sources a provider of their own.
provider "mda" {
  alias     = "files"
  api_token = var.mda_api_token # or MDA_API_TOKEN
}

variable "mda_api_token" {
  type      = string
  sensitive = true
}

# Documents and spreadsheets shared with personal mailboxes, modified in the last 30 days.
data "mda_files" "shared_outside" {
  provider             = mda.files
  file_type            = ["document", "spreadsheet"]
  sharing              = ["external", "public", "public_internet"]
  collaborator_domains = ["gmail.com", "outlook.com"]
  modified_since       = timeadd(plantimestamp(), "-720h")
  max_results          = 500
}

# Files in the OneDrive trash.
data "mda_files" "trash" {
  provider = mda.files
  app_id   = [15600]
  trashed  = true
}

# Any other API filter in its own syntax, combined with the typed ones by AND: here,
# labelled files that are not shared with a partner's domain.
data "mda_files" "labelled" {
  provider = mda.files
  folders  = false
  filters = jsonencode({
    fileLabels                 = { eq = ["Highly Confidential"] }
    "collaborators.withDomain" = { neq = ["fabrikam.com"] }
  })
}

output "shared_outside" {
  value = [for f in data.mda_files.shared_outside.files : "${f.owner_address}: ${f.name} (${f.sharing}, ${join(", ", f.domains)})"]
}

output "trash" {
  value = "${length(data.mda_files.trash.files)} of ${data.mda_files.trash.total}${data.mda_files.trash.truncated ? " (truncated)" : ""}"
}
