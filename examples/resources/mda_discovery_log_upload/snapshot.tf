# One snapshot report per exported firewall log. Large files are fine: the provider
# streams them, and sends those above 64 MB to storage in blocks.
resource "mda_discovery_log_upload" "firewall" {
  for_each = fileset("${path.module}/exports", "*.log")

  file             = "${path.module}/exports/${each.value}"
  source           = "PALO_ALTO"
  data_source_name = "Firewall ${trimsuffix(each.value, ".log")}"
  as_snapshot      = true

  timeouts {
    create = "90m"
  }
}
