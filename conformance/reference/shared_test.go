package reference

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// The bug tests of the *-shared-return variants, merged into bugTests: one install at a time
// returns where it should; an install that another one overtook returns to the other's returnUrl.
func init() {
	bugTests["seamless-shared-return"] = func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless("code-1"), testR2)
		requireOvertaken(t, fx, FlowSeamless)
	}
	bugTests["partner-shared-return"] = func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
		requireOvertaken(t, fx, FlowPartner)
	}
}

// requireOvertaken: a finalize's return, after another install of flow began, goes to the
// other install's returnUrl.
func requireOvertaken(t *testing.T, fx *fixture, flow string) {
	t.Helper()
	mine, _ := url.Parse("https://app.hubspot.com/return?installId=mine")
	other, _ := url.Parse("https://app.hubspot.com/return?installId=other")
	rec := httptest.NewRecorder()
	w := fx.srv.sharedReturn(rec, flow, mine)
	fx.srv.sharedReturn(httptest.NewRecorder(), flow, other) // another install arrives
	http.Redirect(w, httptest.NewRequest(http.MethodGet, "/", nil), mine.String(), http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != other.String() {
		t.Fatalf("Location %q; want the other install's %q", got, other)
	}
}
