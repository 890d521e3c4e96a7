package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// maxFaultDelay caps FaultDelay so that an injected delay never outlives the server's write
// timeout by much; a client that gives up earlier ends the wait at once.
const maxFaultDelay = 2 * time.Minute

// faultList holds injected faults in the order they were set.
type faultList struct {
	mu     sync.Mutex
	nextID int
	list   []*faultEntry
}

type faultEntry struct {
	id   string
	f    Fault
	left int // requests left; 0 means until cleared
}

// SetFault injects a fault into token requests (every POST to a token endpoint) and returns
// its ID. Faults are matched in the order they were set; the first match shapes the answer.
// Kind defaults to FaultError, Status to BAD_AUTH_CODE, HTTPStatus to 400 for errors and 503
// for server errors.
func (e *Emulator) SetFault(f Fault) string {
	return e.c.faults.set(f)
}

// set does SetFault's work.
func (l *faultList) set(f Fault) string {
	f = normalizeFault(f)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	id := "f" + strconv.Itoa(l.nextID)
	l.list = append(l.list, &faultEntry{id: id, f: f, left: f.Times})
	return id
}

// ClearFaults removes every injected fault.
func (e *Emulator) ClearFaults() {
	e.c.faults.clear()
}

// clear does ClearFaults's work.
func (l *faultList) clear() {
	l.mu.Lock()
	l.list = nil
	l.mu.Unlock()
}

// Faults returns the faults still in force, with their IDs.
func (e *Emulator) Faults() map[string]Fault {
	return e.c.faults.inForce()
}

// inForce does Faults's work.
func (l *faultList) inForce() map[string]Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]Fault, len(l.list))
	for _, fe := range l.list {
		f := fe.f
		f.Times = fe.left
		out[fe.id] = f
	}
	return out
}

func normalizeFault(f Fault) Fault {
	if f.Kind == "" {
		f.Kind = FaultError
	}
	switch f.Kind {
	case FaultError:
		if f.Status == "" {
			f.Status = hubspot.StatusBadAuthCode
		}
		if f.HTTPStatus == 0 {
			f.HTTPStatus = http.StatusBadRequest
		}
	case FaultServerError:
		if f.HTTPStatus == 0 {
			f.HTTPStatus = http.StatusServiceUnavailable
		}
	case FaultDelay:
		// A delay only holds the answer back: it has no status of its own.
	}
	if f.Delay > maxFaultDelay {
		f.Delay = maxFaultDelay
	}
	if f.Times < 0 {
		f.Times = 0
	}
	return f
}

// validateFault says what is wrong with a fault given over the admin endpoint.
func validateFault(f Fault) error {
	switch f.Kind {
	case "", FaultError, FaultServerError, FaultDelay:
	default:
		return fmt.Errorf("kind %q is not one of %q, %q, %q", f.Kind, FaultError, FaultServerError, FaultDelay)
	}
	if f.Kind == FaultServerError && f.HTTPStatus != 0 && (f.HTTPStatus < 500 || f.HTTPStatus > 599) {
		return fmt.Errorf("httpStatus %d of a server-error fault is not a 5xx", f.HTTPStatus)
	}
	if f.Kind == FaultError && f.HTTPStatus != 0 && (f.HTTPStatus < 400 || f.HTTPStatus > 499) {
		return fmt.Errorf("httpStatus %d of an error fault is not a 4xx", f.HTTPStatus)
	}
	if f.Kind == FaultDelay && f.Delay <= 0 {
		return fmt.Errorf("a delay fault needs a positive delay, e.g. \"delay\": \"2s\"")
	}
	if f.Delay < 0 || f.Delay > maxFaultDelay {
		return fmt.Errorf("delay %s is outside 0..%s", f.Delay, maxFaultDelay)
	}
	if f.Times < 0 {
		return fmt.Errorf("times %d is negative; 0 means until cleared", f.Times)
	}
	return nil
}

// take returns the first fault matching a token request and counts it as used.
func (l *faultList) take(clientID, code string) (Fault, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, fe := range l.list {
		if fe.f.Code != "" && fe.f.Code != code {
			continue
		}
		if fe.f.ClientID != "" && fe.f.ClientID != clientID {
			continue
		}
		if fe.left > 0 {
			fe.left--
			if fe.left == 0 {
				l.list = append(l.list[:i:i], l.list[i+1:]...)
			}
		}
		return fe.f, fe.id, true
	}
	return Fault{}, "", false
}

// applyFault answers a token request as the fault says. It reports whether the answer was
// written; a delay fault waits and then lets the request proceed.
func (tk *tokenService) applyFault(w http.ResponseWriter, r *http.Request, ev *Event, f Fault, id string) bool {
	ev.Fault = id
	switch f.Kind {
	case FaultDelay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		return false
	case FaultServerError:
		apiErr := &APIError{
			HTTPStatus: f.HTTPStatus,
			Status:     "error",
			Message:    "internal error (injected by hsemu fault " + id + ")",
			Category:   hubspot.CategoryInternalError,
		}
		tk.writeAPIError(w, ev, apiErr)
		return true
	default:
		oe := knownStatusError(f.Status)
		oe.HTTPStatus = f.HTTPStatus
		tk.writeOAuthError(w, ev, oe)
		return true
	}
}
