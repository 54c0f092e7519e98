package mockserver

import (
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessClaims are the claims of the access tokens the mock issues: the subset of an
// Entra v1 app token that the MDA API would look at. Real tokens are RS256-signed by
// Entra; the mock signs with HS256 and a per-server key because only it verifies them.
type accessClaims struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid"`
	Oid   string   `json:"oid"`
	Sub   string   `json:"sub"`
	Tid   string   `json:"tid"`
	Roles []string `json:"roles,omitempty"`
	Ver   string   `json:"ver"`
}

// accessClaims satisfies jwt.Claims; verifyToken checks times and audiences itself, on
// the mock's clock and in the API's words.
func (c accessClaims) GetExpirationTime() (*jwt.NumericDate, error) { return unixDate(c.Exp), nil }
func (c accessClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return unixDate(c.Iat), nil }
func (c accessClaims) GetNotBefore() (*jwt.NumericDate, error)      { return unixDate(c.Nbf), nil }
func (c accessClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c accessClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c accessClaims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings{c.Aud}, nil }

func unixDate(unix int64) *jwt.NumericDate { return jwt.NewNumericDate(time.Unix(unix, 0)) }

func (s *Server) issueAccessToken(app ClientCredential, now time.Time) string {
	return s.issueToken(mdaAppID, app.ID, app.Roles, now)
}

// issueToken signs a token for aud: the MDA API's, or Microsoft Graph's (graph.go).
func (s *Server) issueToken(aud, appID string, roles []string, now time.Time) string {
	c := accessClaims{
		Aud:   aud,
		Iss:   "https://sts.windows.net/" + s.tenant + "/",
		Iat:   now.Unix(),
		Nbf:   now.Unix(),
		Exp:   now.Add(s.opts.TokenLifetime).Unix(),
		AppID: appID,
		Oid:   appID,
		Sub:   appID,
		Tid:   s.tenant,
		Roles: roles,
		Ver:   "1.0",
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.signingKey)
	if err != nil {
		// HMAC over a struct of strings and ints with a 32-byte key cannot fail.
		panic("mockserver: signing an access token: " + err.Error())
	}
	return signed
}

// verifyAccessToken returns the claims, or a 401 detail. The wording of each detail is
// the mock's ([U]); the real API was only seen to say "Invalid token" and
// "Invalid JSON Web Key Set".
func (s *Server) verifyAccessToken(tok string) (accessClaims, string) {
	// Managed identities and some SDKs ask for "api://<appId>" ([I]), so both spellings pass.
	return s.verifyToken(tok, func(aud string) bool { return aud == mdaAppID || aud == "api://"+mdaAppID })
}

// verifyToken checks a token's signature, lifetime and tenant, and that audOK accepts its
// audience: a Graph token is no good on the MDA API, nor an MDA token on Graph.
func (s *Server) verifyToken(tok string, audOK func(string) bool) (accessClaims, string) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return s.signingKey, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return accessClaims{}, "Invalid token signature"
	case err != nil:
		return accessClaims{}, "Invalid token"
	}
	now := s.now().Unix()
	switch {
	case now >= c.Exp:
		return accessClaims{}, "Token has expired"
	case now < c.Nbf:
		return accessClaims{}, "Token is not yet valid"
	case !audOK(c.Aud):
		return accessClaims{}, "Invalid token audience"
	case !strings.EqualFold(c.Tid, s.tenant):
		return accessClaims{}, "tenant not found"
	}
	return c, ""
}
