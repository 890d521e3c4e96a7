package reference

import (
	"strconv"
	"testing"
)

// BenchmarkSeamlessInstall measures one seamless finalize, including the exchange over loopback
// HTTP with the emulator.
func BenchmarkSeamlessInstall(b *testing.B) {
	fx := newFixture(b, "", SeamlessPath)
	i := 0
	for b.Loop() {
		i++
		if resp := serveGet(fx.srv, SeamlessPath+"?step=finalize&returnUrl=https://app.hubspot.com/r&code="+fx.code("c"+strconv.Itoa(i))); resp.StatusCode != 303 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkPartnerInstall measures a partner install's sign-in and finalize.
func BenchmarkPartnerInstall(b *testing.B) {
	fx := newFixture(b, "", PartnerPath)
	i := 0
	for b.Loop() {
		i++
		state, _ := fx.signIn()
		if resp := serveGet(fx.srv, PartnerPath+"?step=finalize&returnUrl=https://app.hubspot.com/r&code="+fx.code("c"+strconv.Itoa(i))+"&state="+state); resp.StatusCode != 303 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkState measures minting and redeeming one state (sign, verify, record, consume).
func BenchmarkState(b *testing.B) {
	fx := newFixture(b, "", PartnerPath)
	for b.Loop() {
		s, err := fx.srv.mintState(DemoUsers[0], nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := fx.srv.redeemState(s); err != nil {
			b.Fatal(err)
		}
	}
}
