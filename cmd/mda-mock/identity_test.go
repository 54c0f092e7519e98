package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

func TestIdentityFlags(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pemFile, derFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "c.cer")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(derFile, der, 0o600); err != nil {
		t.Fatal(err)
	}

	opts := mockserver.Options{Clients: []mockserver.ClientCredential{{ID: "app", Secret: "s", Roles: []string{"Settings.read"}}}}
	f := identityFlags{
		clientCerts:       repeated{"app:" + pemFile + ":Settings.manage", "other:" + derFile + ":Investigation.read"},
		federated:         repeated{"app::github:repo:contoso/infra:ref:refs/heads/main", "fed:Settings.manage:ado:sc://contoso/infra/mda"},
		oidcRuns:          repeated{"run-token:repo:contoso/infra:ref:refs/heads/main"},
		adoRuns:           repeated{"sys-token:c0ffee:sc://contoso/infra/mda"},
		managedIdentities: repeated{"system:mi-1:Settings.manage", "user:mi-2"},
		identityHeader:    "hdr",
	}
	if err := f.apply(&opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.Clients) != 3 {
		t.Fatalf("clients = %+v", opts.Clients)
	}
	app := opts.Clients[0]
	if len(app.Certificates) != 1 || strings.Join(app.Roles, ",") != "Settings.read,Settings.manage" ||
		len(app.Federated) != 1 || app.Federated[0].Issuer != mockserver.GitHubIssuer || app.Federated[0].Subject != "repo:contoso/infra:ref:refs/heads/main" {
		t.Errorf("app = %+v", app)
	}
	if c := opts.Clients[1]; c.ID != "other" || len(c.Certificates) != 1 {
		t.Errorf("DER certificate app = %+v", c)
	}
	if c := opts.Clients[2]; c.ID != "fed" || c.Federated[0].Issuer != mockserver.AzureDevOpsIssuer || c.Federated[0].Subject != "sc://contoso/infra/mda" {
		t.Errorf("ADO app = %+v", c)
	}
	if len(opts.OIDCRuns) != 2 || opts.OIDCRuns[0].Subject != "repo:contoso/infra:ref:refs/heads/main" || opts.OIDCRuns[1].ServiceConnectionID != "c0ffee" {
		t.Errorf("runs = %+v", opts.OIDCRuns)
	}
	if len(opts.ManagedIdentities) != 2 || !opts.ManagedIdentities[0].System || opts.ManagedIdentities[1].System || opts.IdentityHeader != "hdr" {
		t.Errorf("managed identities = %+v", opts.ManagedIdentities)
	}

	for _, bad := range []identityFlags{
		{clientCerts: repeated{"app"}},
		{clientCerts: repeated{"app:/nonexistent:Settings.read"}},
		{federated: repeated{"app:Settings.read:gitlab:x"}},
		{oidcRuns: repeated{"only-a-token"}},
		{adoRuns: repeated{"tok:conn"}},
		{managedIdentities: repeated{"both:mi"}},
	} {
		if err := bad.apply(&mockserver.Options{}); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
