package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/mda-terraform/terraform-provider-mda/internal/provider"
)

// version is set by goreleaser through -ldflags at release time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/mda-terraform/mda",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
