terraform apply -auto-approve
terraform plan -detailed-exitcode # exit code 0: no drift

# Someone adds a corporate range in the portal (here through the API, as the portal does).
curl -fsS -w '\n' -X POST "$MDA_PORTAL_URL/api/v1/subnet/create_rule/" \
  -H "Authorization: Token $MDA_API_TOKEN" -H "Content-Type: application/json" \
  -d '{"name": "corporate", "category": 1, "subnets": ["100.64.0.0/10"]}'

# The postcondition fails, naming corporate: an error, so exit code 1 rather than 2.
terraform plan -detailed-exitcode # exit code 1
