package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaultErrorForOneCode(t *testing.T) {
	e, _ := newTest(t)
	code, other := issue(t, e), issue(t, e)
	id := e.SetFault(Fault{Code: code, Kind: FaultError, Status: "EXPIRED_AUTH_CODE", Times: 1})
	w := postForm(e, "/oauth/v3/token", codeForm(code))
	if m := decode(t, w); w.Code != 400 || m["status"] != "EXPIRED_AUTH_CODE" || m["error"] != "invalid_grant" {
		t.Fatalf("faulted: %d %v; want 400 EXPIRED_AUTH_CODE", w.Code, m)
	}
	if w := postForm(e, "/oauth/v3/token", codeForm(other)); w.Code != 200 {
		t.Errorf("other code: %d; want 200 (fault is for one code)", w.Code)
	}
	if w := postForm(e, "/oauth/v3/token", codeForm(code)); w.Code != 200 {
		t.Errorf("after Times 1: %d %s; want 200 (a faulted request does not consume the code)", w.Code, w.Body)
	}
	if _, left := e.Faults()[id]; left {
		t.Errorf("fault %s still listed after its one use", id)
	}
}

func TestFaultServerErrorAndOrder(t *testing.T) {
	e, _ := newTest(t)
	events, cancel := e.Subscribe()
	defer cancel()
	first := e.SetFault(Fault{Kind: FaultServerError, HTTPStatus: 502})
	e.SetFault(Fault{Kind: FaultError, Status: "BAD_CLIENT_ID"})
	w := postForm(e, "/oauth/v3/token", codeForm(issue(t, e)))
	if m := decode(t, w); w.Code != 502 || m["status"] != "error" || m["category"] == "" || m["correlationId"] == "" {
		t.Fatalf("%d %v; want 502 HubSpot error JSON (first fault set wins)", w.Code, m)
	}
	if ev := <-events; ev.Fault != first || ev.Status != 502 {
		t.Errorf("event fault %q status %d; want %s 502", ev.Fault, ev.Status, first)
	}
	e.ClearFaults()
	if w := postForm(e, "/oauth/v3/token", codeForm(issue(t, e))); w.Code != 200 {
		t.Errorf("after ClearFaults: %d", w.Code)
	}
}

func TestFaultDelayEndsWithClient(t *testing.T) {
	e, _ := newTest(t)
	e.SetFault(Fault{Kind: FaultDelay, Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	req := formReq("/oauth/v3/token", codeForm(issue(t, e))).WithContext(ctx)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- do(e, req) }()
	cancel() // the client gives up: the delay ends at once and the request proceeds
	if w := <-done; w.Code != 200 {
		t.Errorf("after the delay: %d %s", w.Code, w.Body)
	}
}

func TestAdminEndpoints(t *testing.T) {
	e, _ := newTest(t)
	if w := do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/health", nil)); w.Code != 200 || decode(t, w)["status"] != "ok" {
		t.Fatalf("health: %d %s", w.Code, w.Body)
	}
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/_hsemu/faults", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return do(e, req)
	}
	for _, bad := range []string{
		``, `{`, `{"kind":"explode"}`, `{"kind":"delay"}`, `{"kind":"delay","delay":"soon"}`,
		`{"kind":"server-error","httpStatus":200}`, `{"kind":"error","extra":1}`, `{"times":-1}`,
	} {
		if w := post(bad); w.Code != 400 || decode(t, w)["category"] != "VALIDATION_ERROR" {
			t.Errorf("POST %q: %d %s; want 400 VALIDATION_ERROR", bad, w.Code, w.Body)
		}
	}
	w := post(`{"kind":"error","status":"BAD_AUTH_CODE","times":1}`)
	if w.Code != 201 || decode(t, w)["id"] == "" {
		t.Fatalf("POST fault: %d %s", w.Code, w.Body)
	}
	if w := postForm(e, "/oauth/v3/token", codeForm(issue(t, e))); decode(t, w)["status"] != "BAD_AUTH_CODE" {
		t.Errorf("token after fault: %s", w.Body)
	}
	post(`{"kind":"delay","delay":"1ms"}`)
	w = do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/faults", nil))
	if fs := decode(t, w)["faults"].(map[string]any); len(fs) != 1 {
		t.Errorf("faults %v; want the delay fault only", fs)
	}
	if w := do(e, httptest.NewRequest(http.MethodDelete, "/_hsemu/faults", nil)); w.Code != 204 || len(e.Faults()) != 0 {
		t.Errorf("DELETE faults: %d, %d left", w.Code, len(e.Faults()))
	}

	w = do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/events?since=1", nil))
	var body struct {
		Events []struct {
			Seq     uint64 `json:"seq"`
			Route   string `json:"route"`
			Outcome string `json:"outcome"`
		} `json:"events"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Events) == 0 {
		t.Fatalf("events: %v %s", err, w.Body)
	}
	if body.Events[0].Seq != 2 {
		t.Errorf("first event after since=1 has Seq %d", body.Events[0].Seq)
	}
	found := false
	for _, ev := range body.Events {
		found = found || (ev.Route == "POST /oauth/v3/token" && ev.Outcome == "BAD_AUTH_CODE")
	}
	if !found {
		t.Errorf("events lack the faulted token request: %+v", body.Events)
	}
	if w := do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/events?since=x", nil)); w.Code != 400 {
		t.Errorf("since=x: %d; want 400", w.Code)
	}
}
