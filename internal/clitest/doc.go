// Package clitest holds acceptance tests that need the real CLI as a separate process
// rather than terraform-plugin-testing's harness: tests that signal the CLI, or that
// depend on the provider running as its own plugin process the way users run it. They
// use acctest.CLI, and run with the other acceptance tests (TF_ACC=1, make testacc and
// make testacc-tofu).
package clitest
