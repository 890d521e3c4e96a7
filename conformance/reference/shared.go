package reference

import (
	"net/http"
	"net/url"
	"sync"
)

// current is the *-shared-return variants' defect: "the install under way", kept in a package-level
// variable as a module-level `let currentInstall` would be. Each finalize sets it on arrival and
// reads it back when it redirects, after its token exchange; when another install arrived in
// between, the user goes to that one's returnUrl. One install at a time never shows it.
var current struct {
	sync.Mutex
	returnURL string
}

// sharedReturn is w, or under the *-shared-return variants of flow w with the return's
// Location taken from the shared variable.
func (s *Server) sharedReturn(w http.ResponseWriter, flow string, back *url.URL) http.ResponseWriter {
	if !s.has(flow, defectSharedReturn) {
		return w
	}
	current.Lock()
	current.returnURL = back.String()
	current.Unlock()
	return &sharedReturnWriter{ResponseWriter: w, own: back.String()}
}

// sharedReturnWriter replaces, when the response is sent, a redirect to the install's own
// returnUrl with the one in the shared variable.
type sharedReturnWriter struct {
	http.ResponseWriter
	own string
}

func (w *sharedReturnWriter) WriteHeader(status int) {
	if status >= 300 && status < 400 && w.Header().Get("Location") == w.own {
		current.Lock()
		w.Header().Set("Location", current.returnURL)
		current.Unlock()
	}
	w.ResponseWriter.WriteHeader(status)
}
