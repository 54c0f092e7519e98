package mockserver

import (
	"slices"
	"time"
)

// How a sign-in proved who it was, as SignIn.Method.
const (
	SignInClientSecret    = "client_secret"
	SignInCertificate     = "certificate"
	SignInFederated       = "federated"
	SignInManagedIdentity = "managed_identity"
)

// SignIn records one request to the token endpoint or a managed-identity endpoint, like
// Entra's sign-in log: tests read it to learn which credential a client used (the subject
// of a federated token, the thumbprint of a certificate) and to grep logs for the
// assertions and access tokens that must never appear in them.
type SignIn struct {
	Time     time.Time
	ClientID string
	Method   string // SignInClientSecret, SignInCertificate, ...
	// Error is the AADSTS code ("AADSTS700024") of a refused sign-in, or the managed-
	// identity endpoint's error; "" when a token was issued.
	Error string

	// Assertion is the client assertion as received: a certificate-signed JWT, or a
	// federated token.
	Assertion string
	// Issuer, Subject and Audience are the federated token's claims, or the certificate
	// assertion's.
	Issuer, Subject, Audience string
	// Thumbprint is the hex SHA-1 thumbprint named by a certificate assertion's x5t.
	Thumbprint string
	// JTI is the assertion's "jti".
	JTI string

	// AccessToken is the token issued, if any.
	AccessToken string
}

// SignIns returns every sign-in so far, oldest first.
func (s *Server) SignIns() []SignIn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.signIns)
}

func (s *Server) recordSignIn(in SignIn) {
	s.mu.Lock()
	s.signIns = append(s.signIns, in)
	s.mu.Unlock()
	if s.opts.OnSignIn != nil {
		s.opts.OnSignIn(in)
	}
}
