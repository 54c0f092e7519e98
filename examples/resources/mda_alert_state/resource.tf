# Close one alert as benign: the activity was a planned test. The id may carry the
# "ca" prefix Defender XDR shows.
resource "mda_alert_state" "pentest" {
  alert_id   = "ca603f704aaf7417985bbf3b22"
  read       = true
  resolution = "benign"
  reason     = "triggered_by_test"
  comment    = "Red-team exercise RT-2025-04, approved by the CISO."
}

# Mark an alert read without closing it; leave the rest to the SOC.
resource "mda_alert_state" "seen" {
  alert_id = "5f8d70bfc1ffb25b0a541c7d"
  read     = true
}

# Close as false positive, with feedback to Microsoft about the detection.
resource "mda_alert_state" "noisy" {
  alert_id   = "55af7415f8a0a7a29eef2e1f"
  resolution = "false_positive"
  reason     = "too_many_similar_alerts"

  feedback {
    text          = "Fires on every login from our own VPN egress."
    allow_contact = true
    contact_email = "secops@contoso.com"
  }
}

# Close every alert a test policy raised since January. Filter on something that
# stays true after the close (the policy and the time window, not open = true), or the
# alerts drop out of the data source once closed and their resources out of the
# configuration (harmless, since destroying leaves an alert as it is, but noisy).
data "mda_alerts" "test_policy" {
  policy_id   = "5bfd18bfab73c36ba10d38ca"
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
