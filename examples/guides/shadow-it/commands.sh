# Needs Terraform 1.5 or later (check blocks); OpenTofu 1.6 or later has them too.
# The report reads Microsoft Graph, which needs an Entra application: not the legacy token.
unset MDA_API_TOKEN

# The plan lists the apps and warns about the one nobody has reviewed yet (DeepSeek);
# a check that fails is a warning, so the plan itself succeeds.
terraform plan -out=tfplan

# In CI, the check decides: this line fails while a check fails.
terraform show -json tfplan | jq -e '[.checks[] | select(.status == "fail")] == []' # exit code 1

# Once DeepSeek is reviewed, one more line in reviewed-apps.txt settles it.
echo "DeepSeek" >> reviewed-apps.txt
terraform plan -out=tfplan
terraform show -json tfplan | jq -e '[.checks[] | select(.status == "fail")] == []'
