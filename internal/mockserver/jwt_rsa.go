package mockserver

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// RS256 JWTs: the client assertions the token endpoint verifies (signed by an app's
// certificate key) and the federated tokens the mock's OIDC issuer signs. The access
// tokens in jwt.go stay HS256, since only the mock reads them.

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

func parseCompactJWT(tok string) (compactJWT, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return compactJWT{}, errors.New("not three dot-separated parts")
	}
	var j compactJWT
	for i, dst := range []any{&j.header, &j.claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return compactJWT{}, errors.New("a part is not base64url")
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return compactJWT{}, errors.New("a part is not the expected JSON")
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return compactJWT{}, errors.New("the signature is not base64url")
	}
	j.signed, j.sig = parts[0]+"."+parts[1], sig
	return j, nil
}

// verify checks an RS256 or PS256 signature, the two algorithms Entra accepts for client
// assertions.
func (j compactJWT) verify(pub *rsa.PublicKey) bool {
	sum := sha256.Sum256([]byte(j.signed))
	switch j.header.Alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], j.sig) == nil
	case "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, sum[:], j.sig, nil) == nil
	}
	return false
}

// signRS256 encodes header and claims and signs them with key.
func signRS256(key *rsa.PrivateKey, header, claims any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
