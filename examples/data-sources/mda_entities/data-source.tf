# Active administrators of every app.
data "mda_entities" "admins" {
  is_admin = true
  status   = ["active"]
}

# External accounts in Box (app 10489) and Dropbox (11627), sorted by name.
data "mda_entities" "guests" {
  type           = "account"
  is_external    = true
  app_id         = [10489, 11627]
  sort_field     = "username"
  sort_direction = "asc"
  max_results    = 500
}

# Any other API filter in its own syntax, combined with the typed ones by AND: here,
# one user (by its entity pk) and its accounts in every app.
data "mda_entities" "one_user" {
  filters = jsonencode({
    entity = { eq = [{ id = "7e14f6a3-185d-49e3-85e8-40a33d90dc90", inst = 0 }] }
  })
}

output "admin_names" {
  value = sort([for e in data.mda_entities.admins.entities : "${e.display_name} (${e.app.name})"])
}

output "guest_domains" {
  value = distinct([for e in data.mda_entities.guests.entities : e.domain if e.domain != null])
}

output "guests_listed" {
  value = "${length(data.mda_entities.guests.entities)} of ${data.mda_entities.guests.total}${data.mda_entities.guests.truncated ? " (truncated)" : ""}"
}
