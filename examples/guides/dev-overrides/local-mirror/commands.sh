# Copy the build where both CLIs look for providers unasked (~/.terraform.d/plugins, an
# implied local mirror), under each CLI's registry address, as version 0.0.1.
bin="$(go env GOBIN)"; bin="${bin:-$(go env GOPATH)/bin}"; \
for host in registry.terraform.io registry.opentofu.org; do \
  dir="$HOME/.terraform.d/plugins/$host/mda-terraform/mda/0.0.1/$(go env GOOS)_$(go env GOARCH)"; \
  mkdir -p "$dir" && cp "$bin/terraform-provider-mda" "$dir/terraform-provider-mda_v0.0.1"; \
done

# No dev_overrides here: init installs the copy (and any other provider from its registry).
unset TF_CLI_CONFIG_FILE
terraform init
terraform plan
