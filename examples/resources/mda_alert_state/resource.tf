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

  feedback = {
    text          = "Fires on every login from our own VPN egress."
    allow_contact = true
    contact_email = "secops@contoso.com"
  }
}
