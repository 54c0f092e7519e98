# Needs an Entra application (or managed identity) with the Microsoft Graph application
# permission CloudApp-Discovery.Read.All and admin consent.

# Every app of the Global view (the default report) over the last 30 days (the default
# period), riskiest first.
data "mda_discovered_apps" "all" {}

# Generative AI apps seen in the last 90 days by at least 10 users.
data "mda_discovered_apps" "genai" {
  category    = "generativeAi"
  period_days = 90
  min_users   = 10
}

# Unsanctioned apps with a high risk (scores run from 1, the riskiest, to 10).
data "mda_discovered_apps" "unsanctioned_risky" {
  tags           = ["unsanctioned"]
  max_risk_score = 4
}

# Apps of one report, by id (mda_discovery_streams lists them), by part of their name.
data "mda_discovery_streams" "proxy" {
  name = "Zscaler proxy"
}

data "mda_discovered_apps" "proxy_drives" {
  stream_id     = one(data.mda_discovery_streams.proxy.streams).id
  name_contains = "drive"
}

output "app_count" {
  value = data.mda_discovered_apps.all.total
}

output "genai_users" {
  value = { for app in data.mda_discovered_apps.genai.apps : app.name => app.users }
}

output "unsanctioned_risky" {
  value = [for app in data.mda_discovered_apps.unsanctioned_risky.apps : "${app.name} (${app.risk_score})"]
}

output "proxy_drives" {
  value = [for app in data.mda_discovered_apps.proxy_drives.apps : app.name]
}
