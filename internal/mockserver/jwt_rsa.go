package mockserver

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// RS256 JWTs, through golang-jwt: the client assertions the token endpoint verifies
// (signed by an app's certificate key) and the federated tokens the mock's OIDC issuer
// signs. The access tokens in jwt.go are HS256, since only the mock reads them.

// compactJWT is a JWS in compact form, split and decoded but not yet verified.
type compactJWT struct {
	header joseHeader
	claims jwtClaims
	signed string // "<header>.<payload>", what the signature covers
	sig    []byte
}

type joseHeader struct {
	Alg     string `json:"alg"`
	Typ     string `json:"typ,omitempty"`
	Kid     string `json:"kid,omitempty"`
	X5t     string `json:"x5t,omitempty"`
	X5tS256 string `json:"x5t#S256,omitempty"`
}

type jwtClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud audience `json:"aud"`
	Exp *int64   `json:"exp,omitempty"`
	Nbf *int64   `json:"nbf,omitempty"`
	Iat *int64   `json:"iat,omitempty"`
	Jti string   `json:"jti,omitempty"`
}

// jwtClaims satisfies jwt.Claims so that golang-jwt can decode into it; the token
// endpoint checks times and audiences itself, against the mock's clock and with Entra's
// error codes.
func (c jwtClaims) GetExpirationTime() (*jwt.NumericDate, error) { return numericDate(c.Exp), nil }
func (c jwtClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return numericDate(c.Iat), nil }
func (c jwtClaims) GetNotBefore() (*jwt.NumericDate, error)      { return numericDate(c.Nbf), nil }
func (c jwtClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c jwtClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c jwtClaims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings(c.Aud), nil }

func numericDate(unix *int64) *jwt.NumericDate {
	if unix == nil {
		return nil
	}
	return jwt.NewNumericDate(time.Unix(*unix, 0))
}

// audience is "aud": a string, or an array of strings (RFC 7519 4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

func (a audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

func (a audience) String() string { return strings.Join(a, " ") }

// parseCompactJWT splits and decodes a JWS without verifying it: which key verifies it
// (an app's certificate, the issuer's key) depends on what its header and claims say.
func parseCompactJWT(tok string) (compactJWT, error) {
	var j compactJWT
	t, parts, err := jwt.NewParser().ParseUnverified(tok, &j.claims)
	if err != nil {
		return compactJWT{}, errors.New("not a decodable JWT")
	}
	// The header is re-read into its struct; golang-jwt keeps it as a map.
	raw, err := json.Marshal(t.Header)
	if err != nil || json.Unmarshal(raw, &j.header) != nil {
		return compactJWT{}, errors.New("the header is not the expected JSON")
	}
	j.signed, j.sig = parts[0]+"."+parts[1], t.Signature
	return j, nil
}

// verify checks an RS256 or PS256 signature, the two algorithms Entra accepts for client
// assertions.
func (j compactJWT) verify(pub *rsa.PublicKey) bool {
	var method jwt.SigningMethod
	switch j.header.Alg {
	case "RS256":
		method = jwt.SigningMethodRS256
	case "PS256":
		method = jwt.SigningMethodPS256
	default:
		return false
	}
	return method.Verify(j.signed, j.sig, pub) == nil
}

// signRS256 signs claims with key under header (whose alg must be RS256 or PS256).
func signRS256(key *rsa.PrivateKey, header joseHeader, claims jwtClaims) (string, error) {
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if header.Alg == "PS256" {
		method = jwt.SigningMethodPS256
	}
	t := jwt.NewWithClaims(method, claims)
	raw, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	t.Header = map[string]any{}
	if err := json.Unmarshal(raw, &t.Header); err != nil {
		return "", err
	}
	return t.SignedString(key)
}
