package reference

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// stateTTL is the state's lifetime. HubSpot (the install-flow page): "it's recommended to have a
// state token with a relatively short expiration window, such as 10 minutes."
const stateTTL = 10 * time.Minute

// Store bounds: the oldest entries are forgotten beyond these.
const (
	maxStates   = 10000
	maxSessions = 10000
	maxInstalls = 10000
	maxCodes    = 10000
)

// stateClaims is the payload of the state JWS: a 256-bit random ID, the signed-in user and the
// expiry (RFC 7519 names).
type stateClaims struct {
	JTI string `json:"jti"`
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

// stateRecord is what the server remembers of a state it issued: the user it names, so the framed
// finalize step needs no cookie (the install-flow page: "Save the state token and associate it with
// the user"; "Retrieve the user account associated with the state token").
type stateRecord struct {
	token     string   // the state exactly as issued
	userID    string   // the signed-in user
	returnURL *url.URL // the authorize step's returnUrl (R1)
	expires   time.Time
	used      bool
}

// Reasons a state is refused. None is shown to the browser: a refused state just returns it to
// HubSpot without installing (the install-flow page: "If you are not able to verify the state
// token, do not complete the installation. Redirect the customer to the returnUrl").
var (
	errStateMissing  = errors.New("state is missing")
	errStateUnknown  = errors.New("state was never issued here")
	errStateUsed     = errors.New("state was already used")
	errStateExpired  = errors.New("state has expired")
	errStateMismatch = errors.New("state differs from the one issued")
)

// jwsShape matches three base64url parts joined by dots, all the partner-state-format-only
// variant asks of a state.
var jwsShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// mintState issues a state for user u, who signed in from the authorize step with returnUrl r1,
// and records it. The state is an HS256 JWS over {jti, sub, exp}: unguessable (the jti has 256
// random bits, RFC 9700 §4.7.1), tamper-evident, single-use and short-lived.
func (s *Server) mintState(u User, r1 *url.URL) (string, error) {
	now := s.clock()
	rec := &stateRecord{userID: u.ID, returnURL: r1, expires: now.Add(stateTTL)}
	if s.has(FlowPartner, defectUUIDState) {
		rec.token = randomUUID() // crypto.randomUUID(): 122 random bits
		s.states.put(rec.token, rec, now)
		return rec.token, nil
	}
	if s.has(FlowPartner, defectWeakState) {
		rec.token = withCheckDigit(s.counter.Add(1))
		s.states.put(rec.token, rec, now)
		return rec.token, nil
	}
	claims := stateClaims{JTI: randomString(32), Sub: u.ID, Exp: rec.expires.Unix()}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode the state claims: %w", err)
	}
	obj, err := s.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign the state: %w", err)
	}
	if rec.token, err = obj.CompactSerialize(); err != nil {
		return "", fmt.Errorf("serialize the state: %w", err)
	}
	s.states.put(claims.JTI, rec, now)
	return rec.token, nil
}

// stateClaims parses raw as the state's JWS and returns its claims once it is unexpired and (but
// for the state-unverified variant, which reports verified false) its signature verifies.
func (s *Server) stateClaims(raw string, now time.Time) (c stateClaims, verified bool, err error) {
	obj, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return c, false, fmt.Errorf("state is not a JWS (%v): %w", err, errStateUnknown)
	}
	var payload []byte
	verified = !s.has(FlowPartner, defectStateUnverified)
	if !verified {
		payload = obj.UnsafePayloadWithoutVerification()
	} else if payload, err = obj.Verify(s.stateKey); err != nil {
		return c, false, fmt.Errorf("state signature does not verify (%v): %w", err, errStateUnknown)
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.JTI == "" {
		return c, false, fmt.Errorf("state payload is not the expected claims: %w", errStateUnknown)
	}
	if now.Unix() >= c.Exp {
		return c, false, errStateExpired
	}
	return c, verified, nil
}

// redeemState checks the state of a finalize request and, unless the variant forgets to, marks
// it used. It checks the signature, the expiry, that this server issued exactly this string and
// that it was not used before (RFC 9700 §4.2.4: "The state value SHOULD be invalidated by the
// client after its first use at the redirection endpoint"). The exact-string comparison also
// refuses states whose signature differs only in base64url padding bits.
func (s *Server) redeemState(raw string) (stateRecord, error) {
	if raw == "" {
		return stateRecord{}, errStateMissing
	}
	if len(raw) > maxStateBytes {
		return stateRecord{}, fmt.Errorf("state is %d bytes long: %w", len(raw), errStateUnknown)
	}
	now := s.clock()
	if s.has(FlowPartner, defectStateFormatOnly) {
		if !jwsShape.MatchString(raw) {
			return stateRecord{}, fmt.Errorf("state is not three base64url parts: %w", errStateUnknown)
		}
		return stateRecord{userID: unverifiedSubject(raw)}, nil
	}

	id, exact, sub := raw, true, ""
	if !s.has(FlowPartner, defectWeakState) && !s.has(FlowPartner, defectUUIDState) {
		c, verified, err := s.stateClaims(raw, now)
		if err != nil {
			return stateRecord{}, err
		}
		id, exact, sub = c.JTI, verified, c.Sub
	}
	consume := !s.has(FlowPartner, defectStateReusable)
	return s.states.redeem(id, consume, func(rec *stateRecord) error {
		switch {
		case exact && subtle.ConstantTimeCompare([]byte(rec.token), []byte(raw)) != 1:
			return errStateMismatch
		case sub != "" && sub != rec.userID:
			return errStateMismatch
		case rec.used:
			return errStateUsed
		case !now.Before(rec.expires):
			return errStateExpired
		}
		return nil
	})
}

// unverifiedSubject reads sub from a JWS payload without verifying anything; only the
// partner-state-format-only variant trusts it.
func unverifiedSubject(raw string) string {
	obj, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return ""
	}
	var c stateClaims
	if json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &c) != nil {
		return ""
	}
	return c.Sub
}

// withCheckDigit renders n as ten digits followed by its Luhn check digit: 1 → "00000000018",
// 2 → "00000000026". The partner-weak-state variant's states are guessable, yet changing one
// digit never yields another issued state (Luhn catches every single-digit change), and a random
// string of the same shape almost never does, so that variant fails only the state-strength
// check.
func withCheckDigit(n uint64) string {
	digits := fmt.Sprintf("%010d", n)
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 { // doubled: these sit in odd positions once the check digit is appended
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + strconv.Itoa((10-sum%10)%10)
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomUUID is an RFC 9562 version 4 UUID: 122 random bits.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// stateStore holds the states this server issued, by ID, up to a bound.
type stateStore struct {
	mu   sync.Mutex
	max  int
	byID map[string]*stateRecord
}

func newStateStore(limit int) *stateStore {
	return &stateStore{max: limit, byID: make(map[string]*stateRecord)}
}

// put records a state. When the store is full it forgets used and expired states and, if
// that is not enough, a tenth of the rest; a forgotten state is refused at finalize like any
// unknown one. Dropping a tenth at a time keeps put cheap under a flood of sign-ins.
func (st *stateStore) put(id string, rec *stateRecord, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.byID) >= st.max {
		for k, v := range st.byID {
			if v.used || !now.Before(v.expires) {
				delete(st.byID, k)
			}
		}
		for k := range st.byID {
			if len(st.byID) < st.max-st.max/10 {
				break
			}
			delete(st.byID, k)
		}
	}
	st.byID[id] = rec
}

// redeem finds the state id, runs check on it and, when check passes and consume is set, marks
// it used, all under one lock so two finalize requests cannot both redeem one state.
func (st *stateStore) redeem(id string, consume bool, check func(*stateRecord) error) (stateRecord, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.byID[id]
	if !ok {
		return stateRecord{}, errStateUnknown
	}
	if err := check(rec); err != nil {
		return stateRecord{}, err
	}
	if consume {
		rec.used = true
	}
	return *rec, nil
}
