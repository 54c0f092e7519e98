# One alert by id, as in its portal URL or with the "ca" prefix Defender XDR shows.
data "mda_alert" "incident" {
  id = "ca603f704aaf7417985bbf3b22"
}

output "incident_users" {
  value = [for e in data.mda_alert.incident.entities : e.label if e.type == "account"]
}

# Fields the provider does not map are in raw_json.
output "incident_tactics" {
  value = jsondecode(data.mda_alert.incident.raw_json).intent
}
