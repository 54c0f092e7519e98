# 1. List the custom ranges and write an import block for each (find/ creates nothing).
terraform -chdir=../find apply -auto-approve
terraform -chdir=../find output -raw import_blocks > imports.tf

# 2. Plan the imports and let the CLI write a resource block for each range. This example
#    tenant has names that start or end with white space, which the provider refuses, so
#    the plan writes generated.tf and then stops on those names (exit code 1).
terraform plan -generate-config-out=generated.tf # exit code 1

# 3. Trim that white space in generated.tf (or edit the lines by hand, as the errors say):
#    the apply then renames those ranges. Review generated.tf before going on.
perl -pi -e 's/^(\s*name\s*=\s*")\s*(.*?)\s*"$/$1$2"/' generated.tf

# 4. Import every range (and rename the ones trimmed above), then check that nothing is left.
terraform apply -auto-approve
terraform plan -detailed-exitcode
