# Terraform 1.5 and later, and OpenTofu: import with a block, by id or by name.
import {
  to = mda_ip_range.head_office
  id = "name:Head office"
}
