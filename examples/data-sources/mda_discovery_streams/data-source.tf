# Every Cloud Discovery report of the tenant.
data "mda_discovery_streams" "all" {}

# The built-in Global View, by name (case is ignored).
data "mda_discovery_streams" "global" {
  name = "Global View"
}

output "streams" {
  value = {
    for s in data.mda_discovery_streams.all.streams :
    s.name => "${s.type}, ${s.log_type}, last data ${coalesce(s.last_data_received, "never")}"
  }
}

output "global_view_id" {
  value = one(data.mda_discovery_streams.global.streams).id
}

# Warn when a log collector has sent nothing for a day.
check "collectors_receive_logs" {
  assert {
    condition = alltrue([
      for s in data.mda_discovery_streams.all.streams :
      timecmp(coalesce(s.last_data_received, "1970-01-01T00:00:00Z"), timeadd(plantimestamp(), "-24h")) > 0
      if s.receiver_type != null
    ])
    error_message = "A Cloud Discovery log collector has received no logs for 24 hours."
  }
}
