package mockserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
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

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

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
	payload, _ := json.Marshal(c) // a struct of strings and ints always encodes
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.sign(signed))
}

func (s *Server) sign(signed string) []byte {
	m := hmac.New(sha256.New, s.signingKey)
	m.Write([]byte(signed))
	return m.Sum(nil)
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
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return accessClaims{}, "Invalid token"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.sign(parts[0]+"."+parts[1])) {
		return accessClaims{}, "Invalid token signature"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return accessClaims{}, "Invalid token"
	}
	var c accessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
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
