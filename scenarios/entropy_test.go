package scenarios

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func TestStateEstimate(t *testing.T) {
	jwt := func(claims map[string]any) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
		p, _ := json.Marshal(claims)
		return h + "." + base64.RawURLEncoding.EncodeToString(p) + "." + strings.Repeat("s", 43)
	}
	tests := []struct {
		name           string
		states         []string
		atLeast, below float64
	}{
		{"UUIDv4", []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "16fd2706-8baf-433b-82eb-8c7fada847da"}, 122, 123},
		{"UUIDv7", []string{"01890a5d-ac96-774b-bcce-b302099a8057", "01890a5d-ac97-7a1c-9f1e-0d8b5f7e3c21", "01890a5d-ac98-70e4-8a44-5a6d2b1c9f03"}, 74, 75},
		{"32 random bytes, base64url", []string{"q3T0Qm9s7bKcJ8oV1xZr2aP4nYw5eLhD6iFgU0tRkSA", "Zr2aP4nYw5eLhD6iFgU0tRkSAq3T0Qm9s7bKcJ8oV1x", "9s7bKcJ8oV1xZr2aP4nYw5eLhD6iFgU0tRkSAq3T0Qm"}, 250, 260},
		{"16 random bytes, hex", []string{"9f86d081884c7d659a2feaa0c55ad015", "a3f1c2e4b5d6978812ab34cd56ef7890", "0123456789abcdeffedcba9876543210"}, 120, 129},
		{"a long JWT with a counter claim only", []string{
			jwt(map[string]any{"sub": "user-1", "n": 1, "exp": 1796073672}),
			jwt(map[string]any{"sub": "user-1", "n": 2, "exp": 1796073673}),
		}, 0, 1},
		{"a JWT with a 32-byte jti", []string{
			jwt(map[string]any{"sub": "user-1", "jti": "q3T0Qm9s7bKcJ8oV1xZr2aP4nYw5eLhD6iFgU0tRkSA", "exp": 1796073672}),
			jwt(map[string]any{"sub": "user-1", "jti": "Zr2aP4nYw5eLhD6iFgU0tRkSAq3T0Qm9s7bKcJ8oV1x", "exp": 1796073673}),
		}, 250, 260},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, how := stateEstimate(tt.states)
			if got < tt.atLeast || got >= tt.below {
				t.Errorf("stateEstimate = %.1f (%s); want in [%v, %v)", got, how, tt.atLeast, tt.below)
			}
		})
	}
}

// stateBits estimates the entropy of a set of states (stateEstimate).
func stateBits(states []string) float64 {
	bits, _ := stateEstimate(states)
	return bits
}
