# One app of the Global view (the default report) over the last 90 days, with its
# catalogue entry and the users who used it. Needs an Entra application (or managed
# identity) with the Graph application permission CloudApp-Discovery.Read.All.
data "mda_discovered_app" "chatgpt" {
  app_id        = "31013"
  period_days   = 90
  include_users = true
}

output "chatgpt" {
  value = {
    risk_score = data.mda_discovered_app.chatgpt.risk_score
    vendor     = data.mda_discovered_app.chatgpt.app_info.vendor
    # Flags are "true", "false" or "unknown"; lookup() covers a flag Graph left out.
    soc2         = lookup(data.mda_discovered_app.chatgpt.app_info.compliance, "soc2", "unknown")
    gdpr_erasure = lookup(data.mda_discovered_app.chatgpt.app_info.gdpr, "right_to_erasure", "unknown")
    mfa          = lookup(data.mda_discovered_app.chatgpt.app_info.security, "multi_factor_authentication", "unknown")
    users        = length(data.mda_discovered_app.chatgpt.user_list)
  }
}

# Who used each unsanctioned, high-risk app: one mda_discovered_app per app that
# mda_discovered_apps lists, on the same report and period.
data "mda_discovered_apps" "risky" {
  tags           = ["unsanctioned"]
  max_risk_score = 4
}

data "mda_discovered_app" "risky" {
  for_each      = { for app in data.mda_discovered_apps.risky.apps : app.id => app }
  app_id        = each.key
  stream_id     = data.mda_discovered_apps.risky.stream_id
  period_days   = data.mda_discovered_apps.risky.period_days
  include_users = true
}

output "risky_app_users" {
  value = { for id, app in data.mda_discovered_app.risky : app.name => app.user_list }
}
