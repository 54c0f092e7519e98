# Close every alert a test policy raised since January as benign. The data source lists
# the alerts that are open or already closed as benign: an alert someone closed another
# way cannot be closed as benign (MDA cannot change how a closed alert was classified),
# and the plan would refuse it. The filter also stays true after the close, so the
# closed alerts stay in the data source and their resources in the configuration.
data "mda_alerts" "test_policy" {
  policy_id   = "5bfd18bfab73c36ba10d38ca"
  resolution  = ["open", "benign"]
  since       = "2025-01-01T00:00:00Z"
  max_results = 500
}

resource "mda_alert_state" "test_policy" {
  for_each = { for a in data.mda_alerts.test_policy.alerts : a.id => a }

  alert_id   = each.key
  read       = true
  resolution = "benign"
  reason     = "triggered_by_test"
  comment    = "Raised by the detection test policy."
}
