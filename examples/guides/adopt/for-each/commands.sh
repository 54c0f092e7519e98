# Needs OpenTofu, or Terraform 1.7 or later.
terraform -chdir=../find apply -auto-approve
terraform -chdir=../find output -json ranges > ranges.json

# Every range is imported; the ones whose names end or start with white space are also
# renamed (exit code 2: changes planned).
terraform plan -detailed-exitcode # exit code 2
terraform apply -auto-approve
terraform plan -detailed-exitcode
terraform output -json unmanaged_range_ids
