data "mda_discovery_streams" "global" {
  name = "Global View"
}

# The app categories of the Global View over the last 30 days.
data "mda_discovery_categories" "global" {
  stream_id       = one(data.mda_discovery_streams.global.streams).id
  time_frame_days = 30
}

output "apps_per_category" {
  value = { for c in data.mda_discovery_categories.global.categories : c.id => c.total }
}

output "cloud_storage_apps" {
  value = try(one([for c in data.mda_discovery_categories.global.categories : c.total if c.id == "SAASDB_CATEGORY_CLOUD_STORAGE"]), 0)
}
