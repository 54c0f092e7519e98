# Terraform 1.5 and later, and OpenTofu: import with a block.
import {
  to = mda_alert_state.pentest
  id = "ca603f704aaf7417985bbf3b22"
}
