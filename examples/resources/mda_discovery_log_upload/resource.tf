# Adds last night's proxy log to the continuous report of an existing data source. A new
# file in the same place (another SHA-256) uploads again on the next apply; the same file
# plans nothing.
resource "mda_discovery_log_upload" "proxy" {
  file             = "${path.module}/logs/zscaler-nightly.log"
  source           = "ZSCALER"
  data_source_name = "Zscaler proxy"
}

output "uploaded" {
  value = "${mda_discovery_log_upload.proxy.content_sha256} at ${mda_discovery_log_upload.proxy.uploaded_at}"
}
