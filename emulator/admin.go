package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The admin endpoints under /_hsemu/ are hsemu's own, not HubSpot's:
//
//	GET    /_hsemu/health   {"status":"ok"}
//	GET    /_hsemu/events   recent events (the last 1000) as JSON; ?since=SEQ for newer ones only
//	GET    /_hsemu/faults   the faults in force
//	POST   /_hsemu/faults   inject a fault: JSON {"kind":"error","status":"BAD_AUTH_CODE","code":"na1-…",
//	                        "clientId":"…","httpStatus":400,"delay":"2s","times":1}; 201 {"id":"f1"}
//	DELETE /_hsemu/faults   clear every fault; 204
//	POST   /_hsemu/uninstall  uninstall an app from a portal: JSON {"clientId":"…","hubId":1234567}; 204
//	GET    /_hsemu/webhooks-journal/files/{offset}  the journal entry a webhooks-journal fetch points at
//	POST   /_hsemu/webhooks/send  deliver a signed webhook batch: JSON {"url":"…","clientId":"…","hubId":…,"events":[…]}

// faultJSON is the wire form of a Fault on the admin endpoint.
type faultJSON struct {
	Code       string    `json:"code,omitempty"`
	ClientID   string    `json:"clientId,omitempty"`
	Kind       FaultKind `json:"kind"`
	Status     string    `json:"status,omitempty"`
	HTTPStatus int       `json:"httpStatus,omitempty"`
	Delay      string    `json:"delay,omitempty"` // a Go duration, e.g. "1500ms"
	Times      int       `json:"times,omitempty"`
}

func faultToJSON(f Fault) faultJSON {
	out := faultJSON{
		Code: f.Code, ClientID: f.ClientID, Kind: f.Kind, Status: f.Status,
		HTTPStatus: f.HTTPStatus, Times: f.Times,
	}
	if f.Delay > 0 {
		out.Delay = f.Delay.String()
	}
	return out
}

// eventJSON is the wire form of an Event on GET /_hsemu/events.
type eventJSON struct {
	Seq         uint64     `json:"seq"`
	Time        time.Time  `json:"time"`
	DurationMS  float64    `json:"durationMs"`
	Side        string     `json:"side"`
	Method      string     `json:"method"`
	Path        string     `json:"path"`
	Route       string     `json:"route,omitempty"`
	Query       url.Values `json:"query,omitempty"`
	Status      int        `json:"status"`
	Remote      string     `json:"remote,omitempty"`
	UA          string     `json:"userAgent,omitempty"`
	ClientID    string     `json:"clientId,omitempty"`
	HubID       int64      `json:"hubId,omitempty"`
	GrantType   string     `json:"grantType,omitempty"`
	Code        string     `json:"code,omitempty"`
	RedirectURI string     `json:"redirectUri,omitempty"`
	TokenHint   string     `json:"tokenHint,omitempty"`
	ContentType string     `json:"contentType,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	Message     string     `json:"message,omitempty"`
	Fault       string     `json:"fault,omitempty"`
}

func (ad *admin) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (ad *admin) handleEvents(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			ad.writeAPIError(w, eventOf(r), &APIError{
				HTTPStatus: http.StatusBadRequest, Category: "VALIDATION_ERROR",
				Message: fmt.Sprintf("since %q is not an event sequence number", short(s)),
			})
			return
		}
		since = n
	}
	evs := ad.events.since(since)
	out := make([]eventJSON, len(evs))
	for i, ev := range evs {
		out[i] = eventJSON{
			Seq: ev.Seq, Time: ev.Time, DurationMS: float64(ev.Duration) / float64(time.Millisecond),
			Side: ev.Side, Method: ev.Method, Path: ev.Path, Route: ev.Route, Query: ev.Query, Status: ev.Status,
			Remote: ev.Remote, UA: ev.UA, ClientID: ev.ClientID, HubID: ev.HubID, GrantType: ev.GrantType,
			Code: redact(ev.Code), RedirectURI: ev.RedirectURI, TokenHint: ev.TokenHint, ContentType: ev.ContentType,
			Outcome: ev.Outcome, Message: ev.Message, Fault: ev.Fault,
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

func (ad *admin) handleListFaults(w http.ResponseWriter, _ *http.Request) {
	out := map[string]faultJSON{}
	for id, f := range ad.faults.inForce() {
		out[id] = faultToJSON(f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": out})
}

func (ad *admin) handleSetFault(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	bad := func(msg string) {
		ad.writeAPIError(w, ev, &APIError{
			HTTPStatus: http.StatusBadRequest, Category: "VALIDATION_ERROR",
			Message: msg + `; send JSON like {"kind":"error","status":"BAD_AUTH_CODE","times":1}`,
		})
	}
	var fj faultJSON
	if err := decodeAdminJSON(w, r, &fj); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			bad(fmt.Sprintf("fault body is larger than %d bytes", maxFormBody))
		case errors.Is(err, io.EOF):
			bad("empty body")
		default:
			bad("fault is not valid JSON: " + err.Error())
		}
		return
	}
	f := Fault{
		Code: fj.Code, ClientID: fj.ClientID, Kind: fj.Kind, Status: fj.Status,
		HTTPStatus: fj.HTTPStatus, Times: fj.Times,
	}
	if fj.Delay != "" {
		d, err := time.ParseDuration(fj.Delay)
		if err != nil {
			bad(fmt.Sprintf("delay %q is not a duration like \"2s\" or \"1500ms\"", short(fj.Delay)))
			return
		}
		f.Delay = d
	}
	if err := validateFault(f); err != nil {
		bad("invalid fault: " + err.Error())
		return
	}
	id := ad.faults.set(f)
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (ad *admin) handleClearFaults(w http.ResponseWriter, _ *http.Request) {
	ad.faults.clear()
	w.WriteHeader(http.StatusNoContent)
}

// decodeAdminJSON reads an admin request's body, at most maxFormBody bytes, as exactly one JSON
// value into v: unknown fields and anything after the value are errors.
func decodeAdminJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the JSON value")
		}
		return fmt.Errorf("after the JSON value: %w", err)
	}
	return nil
}

// admin serves hsemu's own endpoints under /_hsemu/.
type admin struct{ *core }
