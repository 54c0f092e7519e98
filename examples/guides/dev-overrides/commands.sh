export TF_CLI_CONFIG_FILE="$PWD/dev.tfrc"

# No terraform init: with dev_overrides the CLI starts the provider from the directory
# the CLI configuration names, and init would only ask a registry that does not have it.
terraform plan
terraform apply -auto-approve
terraform plan -detailed-exitcode
terraform destroy -auto-approve
