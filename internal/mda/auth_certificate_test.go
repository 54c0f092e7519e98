package mda

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// testCertificate makes a key and a self-signed certificate at run time; no private key
// is ever committed. bits below 2048 are for the refusal test only.
func testCertificate(t *testing.T, bits int) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return key, selfSigned(t, key, &key.PublicKey, "mda-provider-test")
}

func selfSigned(t *testing.T, signer crypto.Signer, pub any, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func pfx(t *testing.T, key *rsa.PrivateKey, cert *x509.Certificate, password string) []byte {
	t.Helper()
	data, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseClientCertificate(t *testing.T) {
	key, cert := testCertificate(t, 2048)
	otherKey, otherCert := testCertificate(t, 2048)
	smallKey, smallCert := testCertificate(t, 1024)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecCert := selfSigned(t, ecKey, &ecKey.PublicKey, "ec")
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	archive := pfx(t, key, cert, "p@ss")
	legacy, err := pkcs12.LegacyDES.Encode(key, cert, nil, "p@ss")
	if err != nil {
		t.Fatal(err)
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	for _, tc := range []struct {
		name     string
		data     []byte
		password string
		want     string // error substring; "" for success
	}{
		{"PKCS#12", archive, "p@ss", ""},
		{"PKCS#12, legacy 3DES", legacy, "p@ss", ""},
		{"PKCS#12 in base64", []byte(base64.StdEncoding.EncodeToString(archive)), "p@ss", ""},
		{"PKCS#12 in wrapped base64", []byte(wrap(base64.StdEncoding.EncodeToString(archive), 64)), "p@ss", ""},
		{"PKCS#12 without a password", pfx(t, key, cert, ""), "", ""},
		{"PEM, key first", join(pkcs8PEM(t, key), certPEM(cert)), "", ""},
		{"PEM, PKCS#1 key last", join(certPEM(cert), pkcs1), "", ""},
		{"PEM with a chain", join(certPEM(otherCert), certPEM(cert), pkcs8PEM(t, key)), "", ""},
		{"PEM in base64", []byte(base64.StdEncoding.EncodeToString(join(certPEM(cert), pkcs1))), "", ""},
		{"wrong password", archive, "nope", "password does not open"},
		{"no password", archive, "", "set the certificate password"},
		{"PEM without key", certPEM(cert), "", "no PRIVATE KEY"},
		{"PEM without certificate", pkcs1, "", "no CERTIFICATE"},
		{"key of another certificate", join(certPEM(cert), pkcs8PEM(t, otherKey)), "", "does not belong to its certificate"},
		{"encrypted PKCS#8", join(certPEM(cert), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})), "", "openssl pkcs12 -export"},
		{"legacy encrypted PEM", join(certPEM(cert), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
			Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})), "", "encrypted"},
		{"short key", join(certPEM(smallCert), pkcs8PEM(t, smallKey)), "", "at least 2048"},
		{"ECDSA key", join(certPEM(ecCert), pkcs8PEM(t, ecKey)), "", "need an RSA key"},
		{"garbage", []byte("not a certificate"), "", "neither PEM nor a readable PKCS#12"},
		{"empty", []byte("  \n"), "", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseClientCertificate(tc.data, tc.password)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !c.cert.Equal(cert) || !c.key.Equal(key) {
					t.Errorf("parsed certificate %s, want %s", c.cert.Subject, cert.Subject)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if tc.password != "" && strings.Contains(err.Error(), tc.password) {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// assertionEndpoint is a token endpoint that keeps the forms it receives.
type assertionEndpoint struct {
	*countingServer
	mu    sync.Mutex
	forms []url.Values
}

func newAssertionEndpoint(t *testing.T) *assertionEndpoint {
	e := &assertionEndpoint{}
	e.countingServer = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		e.mu.Lock()
		e.forms = append(e.forms, r.PostForm)
		n := len(e.forms)
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": fmt.Sprintf("tok-%d", n)})
	})
	return e
}

func decodeJWT(t *testing.T, tok string) (header, claims map[string]any, signed string, sig []byte) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	return header, claims, parts[0] + "." + parts[1], sig
}

// TestCertificate_assertionClaims checks the assertion byte for byte where Entra is
// strict: the header, the audience, the lifetime, a fresh jti, and the signature.
func TestCertificate_assertionClaims(t *testing.T) {
	key, cert := testCertificate(t, 2048)
	e := newAssertionEndpoint(t)
	clk := newFakeClock()
	src, err := newTokenSource(&Config{
		TenantID: testTenant, ClientID: testApp, AuthorityURL: e.URL,
		ClientCertificate: pfx(t, key, cert, "pw"), ClientCertificatePassword: "pw",
	}, e.Client(), clk, 5*time.Second, mdaAudience)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tokenURL := e.URL + "/" + testTenant + "/oauth2/v2.0/token"
	jtis := map[string]bool{}
	for _, form := range e.forms {
		for k, want := range map[string]string{
			"grant_type": "client_credentials", "client_id": testApp, "scope": mdaScope,
			"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		} {
			mustEqual(t, k, form.Get(k), want)
		}
		if _, ok := form["client_secret"]; ok {
			t.Error("a client_secret was sent with the assertion")
		}
		header, claims, signed, sig := decodeJWT(t, form.Get("client_assertion"))
		thumb := sha1.Sum(cert.Raw)
		mustEqual(t, "alg", header["alg"], any("RS256"))
		mustEqual(t, "typ", header["typ"], any("JWT"))
		mustEqual(t, "x5t", header["x5t"], any(base64.RawURLEncoding.EncodeToString(thumb[:])))
		mustEqual(t, "aud", claims["aud"], any(tokenURL))
		mustEqual(t, "iss", claims["iss"], any(testApp))
		mustEqual(t, "sub", claims["sub"], any(testApp))
		mustEqual(t, "nbf", claims["nbf"], any(float64(clockEpoch.Unix())))
		mustEqual(t, "exp", claims["exp"], any(float64(clockEpoch.Add(10*time.Minute).Unix())))
		jti, _ := claims["jti"].(string)
		if len(jti) != 36 || jtis[jti] {
			t.Errorf("jti %q is not a fresh UUID", jti)
		}
		jtis[jti] = true
		sum := sha256.Sum256([]byte(signed))
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			t.Errorf("the signature does not verify with the certificate's key: %v", err)
		}
	}
	mustEqual(t, "assertions", len(jtis), 2)
}

func TestMock_certificate(t *testing.T) {
	key, cert := testCertificate(t, 2048)
	clk := newAutoClock()
	m := startMock(t, mockserver.Options{
		RequireIDOnUpdate: true, Now: clk.Now, TokenLifetime: 2 * time.Minute,
		Clients: []mockserver.ClientCredential{{ID: mockApp, Roles: []string{"Settings.manage"}, Certificates: []*x509.Certificate{cert}}},
	})
	c, _, logger := mockClient(t, m, func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.AuthorityURL = m.Tenant(), mockApp, m.URL()
		cfg.ClientCertificate = append(certPEM(cert), pkcs8PEM(t, key)...)
		cfg.Clock = clk
	})
	exerciseSubnets(t, m, c)
	// The token lives two minutes and is renewed at half its life: a fresh assertion.
	clk.Advance(61 * time.Second)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	ins := m.SignIns()
	if len(ins) != 2 || ins[0].JTI == ins[1].JTI {
		t.Fatalf("sign-ins = %+v, want two with distinct jti", ins)
	}
	thumb := sha1.Sum(cert.Raw)
	for _, in := range ins {
		if in.Method != mockserver.SignInCertificate || in.Error != "" || in.Thumbprint != hex.EncodeToString(thumb[:]) {
			t.Errorf("sign-in = %+v", in)
		}
		if log := logger.text(); strings.Contains(log, in.Assertion) || strings.Contains(log, in.AccessToken) {
			t.Error("an assertion or access token reached the log")
		}
	}
}

func TestMock_unregisteredCertificate(t *testing.T) {
	_, registered := testCertificate(t, 2048)
	key, cert := testCertificate(t, 2048)
	clk := newAutoClock()
	m := startMock(t, mockserver.Options{Now: clk.Now,
		Clients: []mockserver.ClientCredential{{ID: mockApp, Roles: []string{"Settings.manage"}, Certificates: []*x509.Certificate{registered}}},
	})
	c, _, logger := mockClient(t, m, func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.AuthorityURL = m.Tenant(), mockApp, m.URL()
		cfg.ClientCertificate, cfg.ClientCertificatePassword = pfx(t, key, cert, "pw"), "pw"
		cfg.Clock = clk
	})
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	var te *TokenError
	if !errors.As(err, &te) || te.Method != "a client certificate" || !strings.Contains(err.Error(), "AADSTS700027") ||
		!strings.Contains(err.Error(), "not registered on application") {
		t.Fatalf("err = %v, want AADSTS700027 from a client certificate", err)
	}
	in := m.SignIns()
	if len(in) != 1 {
		t.Fatalf("a refused certificate was tried %d times", len(in))
	}
	if strings.Contains(err.Error(), in[0].Assertion) || strings.Contains(logger.text(), in[0].Assertion) {
		t.Error("the assertion leaked into the error or the log")
	}
	mustEqual(t, "API requests", m.Stats().Routes["POST /api/v1/subnet/"], 0)
}
