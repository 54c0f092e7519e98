# Import by id (24 hexadecimal characters, as shown in the portal's URL or the
# mda_ip_ranges data source):
terraform import mda_ip_range.head_office 5fd767259cd24bb563567d7c

# Or by name:
terraform import mda_ip_range.head_office "name:Head office"
