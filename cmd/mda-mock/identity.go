package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// identityFlags are the flags for signing in without a client secret.
type identityFlags struct {
	clientCerts, federated, oidcRuns, adoRuns, managedIdentities repeated
	identityHeader                                               string
}

func (f *identityFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.clientCerts, "client-cert", "Entra app that signs in with a certificate, as ID:CERTFILE:ROLE[,ROLE...] (repeatable); CERTFILE is PEM or DER")
	fs.Var(&f.federated, "federated", "federated credential of an app, as ID:ROLE[,ROLE...]:github|ado:SUBJECT (repeatable); "+
		"tokens from the mock's GitHub-like or Azure DevOps-like issuer with that subject sign in as the app")
	fs.Var(&f.oidcRuns, "oidc-run", "GitHub-like run for GET /_mock/oidc/token, as REQUEST_TOKEN:SUBJECT (repeatable)")
	fs.Var(&f.adoRuns, "ado-run", "Azure DevOps-like run for POST /_mock/oidc/ado, as SYSTEM_ACCESSTOKEN:SERVICE_CONNECTION_ID:SUBJECT (repeatable)")
	fs.Var(&f.managedIdentities, "managed-identity", "managed identity, as system|user:CLIENT_ID:ROLE[,ROLE...] (repeatable)")
	fs.StringVar(&f.identityHeader, "identity-header", "", "App Service IDENTITY_HEADER that GET /msi/token requires")
}

// apply adds the identities to opts, merging certificates and federated credentials into
// apps that -client already declared.
func (f *identityFlags) apply(opts *mockserver.Options) error {
	for _, v := range f.clientCerts {
		id, file, roles, err := splitIDValueRoles("-client-cert", v)
		if err != nil {
			return err
		}
		certs, err := readCertificates(file)
		if err != nil {
			return fmt.Errorf("-client-cert %q: %w", v, err)
		}
		app := findApp(opts, id)
		app.Certificates = append(app.Certificates, certs...)
		app.Roles = append(app.Roles, roles...)
	}
	for _, v := range f.federated {
		parts := strings.SplitN(v, ":", 4)
		if len(parts) != 4 || parts[0] == "" || parts[3] == "" {
			return fmt.Errorf("-federated %q: want ID:ROLE[,ROLE...]:github|ado:SUBJECT", v)
		}
		var issuer string
		switch parts[2] {
		case "github":
			issuer = mockserver.GitHubIssuer
		case "ado":
			issuer = mockserver.AzureDevOpsIssuer
		default:
			return fmt.Errorf("-federated %q: the issuer is %q; want github or ado (the mock can verify only its own issuers)", v, parts[2])
		}
		app := findApp(opts, parts[0])
		app.Federated = append(app.Federated, mockserver.FederatedIdentity{Issuer: issuer, Subject: parts[3]})
		app.Roles = append(app.Roles, splitRoles(parts[1])...)
	}
	for _, v := range f.oidcRuns {
		tok, subject, ok := strings.Cut(v, ":")
		if !ok || tok == "" || subject == "" {
			return fmt.Errorf("-oidc-run %q: want REQUEST_TOKEN:SUBJECT", v)
		}
		opts.OIDCRuns = append(opts.OIDCRuns, mockserver.OIDCRun{RequestToken: tok, Subject: subject})
	}
	for _, v := range f.adoRuns {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return fmt.Errorf("-ado-run %q: want SYSTEM_ACCESSTOKEN:SERVICE_CONNECTION_ID:SUBJECT", v)
		}
		opts.OIDCRuns = append(opts.OIDCRuns, mockserver.OIDCRun{RequestToken: parts[0], ServiceConnectionID: parts[1], Subject: parts[2]})
	}
	for _, v := range f.managedIdentities {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) < 2 || (parts[0] != "system" && parts[0] != "user") || parts[1] == "" {
			return fmt.Errorf("-managed-identity %q: want system|user:CLIENT_ID:ROLE[,ROLE...]", v)
		}
		mi := mockserver.ManagedIdentity{ClientID: parts[1], System: parts[0] == "system"}
		if len(parts) == 3 {
			mi.Roles = splitRoles(parts[2])
		}
		opts.ManagedIdentities = append(opts.ManagedIdentities, mi)
	}
	opts.IdentityHeader = f.identityHeader
	for _, c := range opts.Clients {
		// Apps from -client (the ones with a secret) were warned about already.
		if len(c.Roles) == 0 && c.Secret == "" {
			fmt.Fprintf(os.Stderr, "mda-mock: warning: client %s has no roles; every API call it makes will get 403\n", c.ID)
		}
	}
	return nil
}

// findApp returns the app with id, adding it when -client did not declare it.
func findApp(opts *mockserver.Options, id string) *mockserver.ClientCredential {
	for i := range opts.Clients {
		if strings.EqualFold(opts.Clients[i].ID, id) {
			return &opts.Clients[i]
		}
	}
	opts.Clients = append(opts.Clients, mockserver.ClientCredential{ID: id})
	return &opts.Clients[len(opts.Clients)-1]
}

// splitIDValueRoles reads ID:VALUE:ROLES where VALUE may hold colons (a Windows path).
func splitIDValueRoles(flag, v string) (id, value string, roles []string, err error) {
	id, rest, ok := strings.Cut(v, ":")
	i := strings.LastIndex(rest, ":")
	if !ok || id == "" || i <= 0 {
		return "", "", nil, fmt.Errorf("%s %q: want ID:VALUE:ROLE[,ROLE...]", flag, v)
	}
	return id, rest[:i], splitRoles(rest[i+1:]), nil
}

func splitRoles(s string) []string {
	var roles []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, r)
		}
	}
	return roles
}

// readCertificates reads the public certificates an app registration would hold: PEM
// (every CERTIFICATE block; a private key in the file is ignored) or one DER certificate.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) > 0 {
		return certs, nil
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, errors.New("no PEM CERTIFICATE block, and not a DER certificate")
	}
	return []*x509.Certificate{c}, nil
}

// printIdentityBanner shows the environment for each way of signing in that is set up.
func printIdentityBanner(url, tenant string, opts mockserver.Options) {
	for _, c := range opts.Clients {
		if len(c.Certificates) > 0 {
			fmt.Println("# With the Entra app's certificate (PKCS#12 or PEM with its private key):")
			fmt.Printf("export MDA_PORTAL_URL=%s MDA_AUTHORITY_URL=%s ARM_TENANT_ID=%s ARM_CLIENT_ID=%s\n", url, url, tenant, shellQuote(c.ID))
			fmt.Println("export ARM_CLIENT_CERTIFICATE_PATH=/path/to/cert.pfx ARM_CLIENT_CERTIFICATE_PASSWORD=...")
			fmt.Println()
			break
		}
	}
	for _, run := range opts.OIDCRuns {
		for _, c := range opts.Clients {
			if len(c.Federated) == 0 {
				continue
			}
			fmt.Println("# With OIDC workload identity federation, as in a CI run:")
			fmt.Printf("export MDA_PORTAL_URL=%s MDA_AUTHORITY_URL=%s ARM_TENANT_ID=%s ARM_CLIENT_ID=%s ARM_USE_OIDC=true\n", url, url, tenant, shellQuote(c.ID))
			if run.ServiceConnectionID != "" {
				fmt.Printf("export SYSTEM_OIDCREQUESTURI=%s/_mock/oidc/ado SYSTEM_ACCESSTOKEN=%s ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=%s\n\n",
					url, shellQuote(run.RequestToken), shellQuote(run.ServiceConnectionID))
			} else {
				fmt.Printf("export ACTIONS_ID_TOKEN_REQUEST_URL='%s/_mock/oidc/token?api-version=2.0' ACTIONS_ID_TOKEN_REQUEST_TOKEN=%s\n\n",
					url, shellQuote(run.RequestToken))
			}
			break
		}
		break
	}
	if len(opts.ManagedIdentities) > 0 {
		fmt.Println("# With a managed identity:")
		fmt.Printf("export MDA_PORTAL_URL=%s ARM_USE_MSI=true ARM_MSI_ENDPOINT=%s/metadata/identity/oauth2/token\n", url, url)
		if opts.IdentityHeader != "" {
			fmt.Printf("# or, as App Service: IDENTITY_ENDPOINT=%s/msi/token IDENTITY_HEADER=%s\n", url, shellQuote(opts.IdentityHeader))
		}
		fmt.Println()
	}
}
