# One user of Office 365 (app 11161) by its Entra object id, with its accounts in every
# app (one more API request).
data "mda_entity" "user" {
  id              = "7e14f6a3-185d-49e3-85e8-40a33d90dc90"
  app_id          = 11161
  include_related = true
}

# An account in the second Box instance: the app and instance are part of its key.
data "mda_entity" "box_account" {
  id       = "avi@contoso.com"
  app_id   = 10489
  instance = 1
}

output "user_apps" {
  value = [for a in data.mda_entity.user.related : "${a.app.name}: ${a.id} (${a.status})"]
}

# Fields the provider does not map are in raw_json.
output "box_account_identifiers" {
  value = jsondecode(data.mda_entity.box_account.raw_json).identifiers
}
