package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// idSource hands out random bytes from one reader, safe for concurrent use (an injected
// reader need not be).
type idSource struct {
	mu sync.Mutex
	r  io.Reader
}

func newIDSource(r io.Reader) *idSource {
	if r == nil {
		r = rand.Reader
	}
	return &idSource{r: r}
}

// read fills b with random bytes. A failing random source is a broken machine; there is no
// sensible way on, so the error is returned and surfaces as a 5xx.
func (s *idSource) read(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.r, b); err != nil {
		return fmt.Errorf("read random bytes: %w", err)
	}
	return nil
}

// uuid returns a random UUID-shaped string (8-4-4-4-12 lower-case hex), the shape of HubSpot's
// client IDs and secrets (quickstart example 7fff1e36-2d40-4ae1-bbb1-5266d59564fb).
func (s *idSource) uuid() (string, error) {
	var b [16]byte
	if err := s.read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// hubletToken returns a code or refresh token in HubSpot's shape: the hublet, then a
// 4-4-4-4-12 hex value (`na1-aaaa-bbbb-cccc-dddd-eeeeeeeeeeee`, v3 guide).
func (s *idSource) hubletToken(hublet string) (string, error) {
	var b [14]byte
	if err := s.read(b[:]); err != nil {
		return "", err
	}
	h := hex.EncodeToString(b[:])
	return hublet + "-" + h[0:4] + "-" + h[4:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:28], nil
}

// hexID returns n random bytes as hex.
func (s *idSource) hexID(n int) (string, error) {
	b := make([]byte, n)
	if err := s.read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// redact returns a token's first 6 characters and its length, the only form in which tokens
// and secrets appear in events and logs.
func redact(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 8 {
		return "…(" + strconv.Itoa(len(s)) + ")"
	}
	return s[:6] + "…(" + strconv.Itoa(len(s)) + ")"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
