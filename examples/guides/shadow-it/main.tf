# A shadow IT report: the unsanctioned, high-risk apps of the tenant's Cloud Discovery,
# and a check that fails when one appears that nobody has reviewed yet.
terraform {
  required_providers {
    mda = {
      source = "mda-terraform/mda"
    }
  }
}

# The portal URL and the credential come from the environment: MDA_PORTAL_URL, and
# MDA_TENANT_ID, MDA_CLIENT_ID and MDA_CLIENT_SECRET (or another Entra credential) of an
# application with the Graph permission CloudApp-Discovery.Read.All.
provider "mda" {}

variable "max_risk_score" {
  description = "The highest risk score that counts as high risk (1 is the riskiest, 10 the most trustworthy)."
  type        = number
  default     = 4
}

# Every unsanctioned app of the Global view with a risk score of at most max_risk_score,
# seen in the last 30 days, riskiest first.
data "mda_discovered_apps" "shadow_it" {
  tags           = ["unsanctioned"]
  max_risk_score = var.max_risk_score
  period_days    = 30
}

locals {
  # reviewed-apps.txt lists the apps already reviewed, one app id or name a line; lines
  # starting with # are comments. A pull request that adds a line records a review.
  reviewed = toset([
    for line in split("\n", file("${path.module}/reviewed-apps.txt")) : trimspace(line)
    if trimspace(line) != "" && !startswith(trimspace(line), "#")
  ])

  unreviewed = [
    for app in data.mda_discovered_apps.shadow_it.apps : app
    if !contains(local.reviewed, app.id) && !contains(local.reviewed, app.name)
  ]
}

output "shadow_it" {
  description = "The unsanctioned, high-risk apps, riskiest first."
  value = [
    for app in data.mda_discovered_apps.shadow_it.apps :
    format("%-28s risk %2d  %-26s %4d users  last seen %s", app.name, app.risk_score, app.category, coalesce(app.users, 0), app.last_seen)
  ]
}

check "no_unreviewed_shadow_it" {
  assert {
    condition = length(local.unreviewed) == 0
    error_message = format("Unreviewed unsanctioned, high-risk apps: %s. Review them in the portal (Cloud Discovery → Discovered apps), then add their ids to reviewed-apps.txt.",
    join(", ", [for app in local.unreviewed : "${app.name} (id ${app.id}, risk ${app.risk_score}, ${coalesce(app.users, 0)} users)"]))
  }
}
