# Import by the alert's id (as in its portal URL), with or without the "ca" prefix
# Defender XDR shows. read and resolution are taken from MDA.
terraform import mda_alert_state.pentest 603f704aaf7417985bbf3b22
