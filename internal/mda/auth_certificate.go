package mda

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"software.sslmate.com/src/go-pkcs12"
)

// assertionLifetime is how long a certificate assertion is valid: long enough for clock
// skew and a slow token endpoint, short enough that a leaked one is soon worthless.
// MSAL uses the same ten minutes.
const assertionLifetime = 10 * time.Minute

// clientCert is an application certificate and the RSA key that signs its assertions.
type clientCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// CheckClientCertificate reports whether data (a PKCS#12 archive, its base64 encoding, or
// PEM text) holds a certificate and the RSA private key that belongs to it, so that
// configuration can be refused before the first request. The error never contains the
// password.
func CheckClientCertificate(data []byte, password string) error {
	_, err := parseClientCertificate(data, password)
	return err
}

// parseClientCertificate reads the forms a pipeline is likely to hold: a .pfx/.p12 file
// (binary, or base64 as Azure DevOps secure files and GitHub secrets carry it), or PEM
// with the certificate and its unencrypted key in any order.
func parseClientCertificate(data []byte, password string) (*clientCert, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the client certificate is empty")
	}
	// Binary PKCS#12 is used as it is: trimming "white space" would cut DER bytes.
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		if dec, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(data), nil))); err == nil {
			data = dec
		}
	}
	var c *clientCert
	var err error
	if bytes.Contains(data, []byte("-----BEGIN")) {
		c, err = parsePEMCertificate(data)
	} else {
		c, err = parsePKCS12Certificate(data, password)
	}
	if err != nil {
		return nil, err
	}
	if c.key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("the client certificate's RSA key has %d bits: Entra ID requires at least 2048", c.key.N.BitLen())
	}
	return c, nil
}

func parsePKCS12Certificate(data []byte, password string) (*clientCert, error) {
	key, cert, _, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword) && password == "":
			return nil, errors.New("the client certificate is a password-protected PKCS#12 archive: set the certificate password")
		case errors.Is(err, pkcs12.ErrIncorrectPassword):
			return nil, errors.New("the client certificate password does not open the PKCS#12 archive")
		}
		return nil, fmt.Errorf("the client certificate is neither PEM nor a readable PKCS#12 archive (.pfx/.p12): %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the client certificate's private key is %T: Entra ID client assertions need an RSA key", key)
	}
	return matchKey(cert, rsaKey, nil)
}

// parsePEMCertificate takes every CERTIFICATE block and one private key; the certificate
// is the one whose public key the private key matches, so a chain may come along.
func parsePEMCertificate(data []byte) (*clientCert, error) {
	var certs []*x509.Certificate
	var key *rsa.PrivateKey
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the client certificate's PEM holds a CERTIFICATE that cannot be parsed: %w", err)
			}
			certs = append(certs, c)
		case "RSA PRIVATE KEY", "PRIVATE KEY":
			if _, encrypted := block.Headers["Proc-Type"]; encrypted {
				return nil, errors.New("the client certificate's PEM private key is encrypted: use an unencrypted PEM key, or a password-protected PKCS#12 archive with the certificate password")
			}
			k, err := parsePrivateKey(block)
			if err != nil {
				return nil, err
			}
			key = k
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the client certificate's PEM private key is encrypted (PKCS#8): use an unencrypted PEM key, or convert to a PKCS#12 archive " +
				"(openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.pfx) and set the certificate password")
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("the client certificate's PEM has no CERTIFICATE block")
	}
	if key == nil {
		return nil, errors.New("the client certificate's PEM has no PRIVATE KEY block: the key that signs the assertion must come with the certificate")
	}
	return matchKey(certs[0], key, certs[1:])
}

func parsePrivateKey(block *pem.Block) (*rsa.PrivateKey, error) {
	if block.Type == "RSA PRIVATE KEY" {
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the client certificate's RSA PRIVATE KEY cannot be parsed: %w", err)
		}
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the client certificate's PRIVATE KEY cannot be parsed: %w", err)
	}
	rsaKey, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the client certificate's private key is %T: Entra ID client assertions need an RSA key", k)
	}
	return rsaKey, nil
}

// matchKey returns the certificate among first and others whose public key is key's.
func matchKey(first *x509.Certificate, key *rsa.PrivateKey, others []*x509.Certificate) (*clientCert, error) {
	for _, c := range append([]*x509.Certificate{first}, others...) {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&key.PublicKey) {
			return &clientCert{cert: c, key: key}, nil
		}
	}
	return nil, fmt.Errorf("the client certificate's private key does not belong to its certificate (subject %q)", first.Subject.String())
}

// assertion signs a client assertion for tokenURL: the claims Entra documents for
// certificate credentials, with x5t naming the certificate.
func (c *clientCert) assertion(tokenURL, clientID string, now time.Time) (string, error) {
	// x5t is the SHA-1 thumbprint by definition: it names the key, it protects nothing.
	sum := sha1.Sum(c.cert.Raw)
	// RS256 is what Entra documents for certificate assertions, and what every Entra
	// client library sends.
	// MapClaims keep "aud" a string, as MSAL sends it (RegisteredClaims would write an array).
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"aud": tokenURL,
		"iss": clientID,
		"sub": clientID,
		"jti": newJTI(),
		"nbf": now.Unix(),
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	})
	tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(sum[:])
	signed, err := tok.SignedString(c.key)
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %w", err)
	}
	return signed, nil
}
