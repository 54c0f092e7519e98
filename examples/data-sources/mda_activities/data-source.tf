# Failed sign-ins of the last day from outside the corporate IP ranges, newest first.
data "mda_activities" "failed_logins" {
  event_type  = ["failedLogin"]
  since       = timeadd(plantimestamp(), "-24h")
  ip_category = ["risky", "other"]
}

# Administrative activities in Microsoft Office 365 (app 11161) by one user.
data "mda_activities" "admin" {
  app_id     = [11161]
  admin_only = true
  user       = ["heidi.admin@contoso.com"]
}

# The activities of one alert.
data "mda_activities" "alert" {
  alert_id = "603f704aaf7417985bbf3b22"
}

# A large pull: everything MDA stored in the last week, up to 20 000 activities. Above
# 1 000 the data source uses MDA's scan mode, which returns each activity once even
# while new ones arrive; it costs ceil(max_results / 100) requests, about seven minutes
# at MDA's 30 a minute for 20 000, and the plan logs the estimate at INFO. Without
# raw_json the state stays small.
data "mda_activities" "week" {
  created_since    = timeadd(plantimestamp(), "-168h")
  max_results      = 20000
  include_raw_json = false
}

# Any other API filter in its own syntax, combined with the typed ones by AND.
data "mda_activities" "tor_downloads" {
  action_type = ["FileDownloaded"]
  filters = jsonencode({
    "ip.tags"             = { eq = ["2dfa95cd7922d979d66fcff5"] }
    "userAgent.userAgent" = { ncontains = ["OneDriveMpc"] }
  })
}

output "failed_logins" {
  value = [for a in data.mda_activities.failed_logins.activities : "${a.time} ${a.user_name} from ${a.ip_address} (${a.country})"]
}

output "week" {
  value = "${length(data.mda_activities.week.activities)} of ${data.mda_activities.week.total}${data.mda_activities.week.truncated ? " (truncated)" : ""}"
}
