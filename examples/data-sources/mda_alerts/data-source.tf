# Open high-severity alerts of the last week, newest first.
data "mda_alerts" "urgent" {
  severity       = ["high"]
  open           = true
  since          = timeadd(plantimestamp(), "-168h")
  sort_field     = "date"
  sort_direction = "desc"
}

# Unread alerts about Microsoft 365 (app 11161) or Active Directory (20940) from one IP.
data "mda_alerts" "from_ip" {
  read       = false
  service_id = [11161, 20940]
  entity_ip  = "203.0.113.7"
}

# Any other API filter in its own syntax, combined with the typed ones by AND: here,
# open alerts concerning one account (its entity pk) raised in the last 30 days.
data "mda_alerts" "account" {
  resolution = ["open"]
  filters = jsonencode({
    "entity.entity" = { eq = [{ id = "6204bdaf-ad46-4e99-a25d-374a0532c666", inst = 0 }] }
    date            = { gte_ndays = 30 }
  })
  max_results = 1000
}

output "urgent_titles" {
  value = [for a in data.mda_alerts.urgent.alerts : "${a.created} ${a.title}"]
}

output "account_alerts" {
  value = "${length(data.mda_alerts.account.alerts)} of ${data.mda_alerts.account.total}${data.mda_alerts.account.truncated ? " (truncated)" : ""}"
}
