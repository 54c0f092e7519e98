terraform apply -auto-approve
terraform plan -detailed-exitcode # exit code 0: no drift

# Someone adds a corporate range in the portal (here through the API, as the portal does).
curl -fsS -w '\n' -X POST "$MDA_PORTAL_URL/api/v1/subnet/create_rule/" \
  -H "Authorization: Token $MDA_API_TOKEN" -H "Content-Type: application/json" \
  -d '{"name": "corporate", "category": 1, "subnets": ["100.64.0.0/10"]}'

# The plan removes corporate from names, and a warning lists its subnets and id.
terraform plan -detailed-exitcode # exit code 2: drift

# With on_unmanaged = fail, apply changes nothing and prints an import block for it.
terraform apply -auto-approve # exit code 1
