# One activity by id, as mda_activities shows it or the SIEM agent exports it.
data "mda_activity" "example" {
  id = "97134000_15600_97ee2049-893e-4c9d-a312-08d82b46faf7"
}

output "who_where" {
  value = "${data.mda_activity.example.user_name} from ${data.mda_activity.example.ip_address} (${data.mda_activity.example.city}, ${data.mda_activity.example.country})"
}

# A field this provider does not map, from the activity as MDA sent it.
output "operation" {
  value = try(jsondecode(data.mda_activity.example.raw_json).rawDataJson.Operation, null)
}
