package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"
)

// Access tokens are opaque to apps (HubSpot's look like `CIrToaiiMhIH…`, base64url-ish, and
// apps must "allow for tokens to be up to 512 characters", v1 guide). hsemu's are signed and
// self-contained — grant, token ID and expiry, then an HMAC-SHA256 tag under the state's key —
// so they need no storage and keep working after a restart. The first byte 0x08 makes them
// start with "C" like HubSpot's.
const (
	accessMarker  = 0x08
	accessPayload = 1 + 8 + 8 + 8
	accessTagLen  = 16
	accessLen     = accessPayload + accessTagLen
)

var (
	// errTokenMalformed: not in the shape of an access token at all (HubSpot answers it
	// "The access token must have the correct format").
	errTokenMalformed = errors.New("access token is not in the format of one")
	errTokenInvalid   = errors.New("access token is not one hsemu issued")
	errTokenExpired   = errors.New("access token expired")
)

// accessToken is a decoded access token.
type accessToken struct {
	GrantID string // 16 hex digits
	ID      string // 16 hex digits
	Expires time.Time
}

// mintAccess returns a new access token for grant g that expires at exp.
func (e *core) mintAccess(g *grant, exp time.Time) (string, error) {
	gid, err := hex.DecodeString(g.ID)
	if err != nil || len(gid) != 8 {
		return "", errors.New("grant id is not 16 hex digits")
	}
	var b [accessLen]byte
	b[0] = accessMarker
	copy(b[1:9], gid)
	if err := e.ids.read(b[9:17]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint64(b[17:25], uint64(exp.UnixMilli()))
	mac := hmac.New(sha256.New, e.st.Key)
	mac.Write(b[:accessPayload])
	copy(b[accessPayload:], mac.Sum(nil))
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	e.issued.add(g.ID, tok)
	return tok, nil
}

// parseAccess checks a token's signature and decodes it. It does not look at expiry or
// revocation.
func (e *core) parseAccess(tok string) (accessToken, error) {
	if len(tok) != base64.RawURLEncoding.EncodedLen(accessLen) {
		return accessToken{}, errTokenMalformed
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != accessLen || b[0] != accessMarker {
		return accessToken{}, errTokenMalformed
	}
	mac := hmac.New(sha256.New, e.st.Key)
	mac.Write(b[:accessPayload])
	if !hmac.Equal(mac.Sum(nil)[:accessTagLen], b[accessPayload:]) {
		return accessToken{}, errTokenInvalid
	}
	return accessToken{
		GrantID: hex.EncodeToString(b[1:9]),
		ID:      hex.EncodeToString(b[9:17]),
		Expires: time.UnixMilli(int64(binary.BigEndian.Uint64(b[17:25]))), //nolint:gosec // G115: the HMAC above proves hsemu wrote these bytes, from a UnixMilli
	}, nil
}

// lookupAccess resolves an access token to its live grant. e.mu is held for reading. It
// returns errTokenExpired (with the token, for the expiry time), errTokenMalformed for a string
// not in an access token's shape, or errTokenInvalid for unknown, forged and revoked tokens.
func (e *core) lookupAccess(tok string, now time.Time) (*grant, accessToken, error) {
	at, err := e.parseAccess(tok)
	if err != nil {
		return nil, at, err
	}
	if !now.Before(at.Expires) {
		return nil, at, errTokenExpired
	}
	g := e.st.Grants[at.GrantID]
	if g == nil || g.AccessRevoked {
		return nil, at, errTokenInvalid
	}
	if _, revoked := e.st.RevokedAccess[at.ID]; revoked {
		return nil, at, errTokenInvalid
	}
	return g, at, nil
}
