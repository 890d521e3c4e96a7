package reference

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
)

// The single-page-app variants (seamless-spa, partner-spa and their broken kin) serve the install
// URL as an HTML app, the way many apps are built and the way HubSpot's doc samples hand the user
// back: the page's script reads code, state and returnUrl from location.search, posts them as JSON
// to the app's backend, which exchanges the code and verifies the state on the server, and then
// sets window.location.href to the returnUrl the backend checked. At step=authorize the sign-in
// form is the reference's own, enhanced: the script posts the credentials to the backend and builds
// the return to HubSpot with URLSearchParams, as HubSpot's sample does; without script the form
// still posts to LoginPath (progressive enhancement), so a browser that runs no JavaScript can sign
// in too.
//
// The backend is the reference's own handler run on the request the page describes, its answer
// turned into JSON: the SPA decides exactly what the reference decides, only in the browser.

// spaAPIPrefix is where the app's backend answers the page's fetch: spaAPIPrefix + the install
// path (or LoginPath).
const spaAPIPrefix = "/api"

// spaDefects are the variants whose install URL is a single-page app.
var spaDefects = []defect{defectSPA, defectSPAToDashboard}

// spa reports whether this server's install URL of flow is a single-page app.
func (s *Server) spa(flow string) bool {
	return s.bug.Flow == flow && slices.Contains(spaDefects, s.bug.defect)
}

// spaRoutes adds the single-page app's page and backend routes for its flow to m.
func (s *Server) spaRoutes(m *http.ServeMux) {
	install, handler := SeamlessPath, http.HandlerFunc(s.handleSeamless)
	if s.bug.Flow == FlowPartner {
		install, handler = PartnerPath, s.handlePartner
		m.HandleFunc("POST "+spaAPIPrefix+LoginPath, s.spaBackend(LoginPath, s.handleLogin))
	}
	m.HandleFunc("GET "+install, s.handleSPAPage)
	m.HandleFunc("POST "+spaAPIPrefix+install, s.spaBackend(install, handler))
}

// spaPageData feeds the app's page.
type spaPageData struct {
	Title     string
	API       string // the backend path the page posts to
	LoginAPI  string // the backend path of the sign-in, partner only
	Dashboard string // where the *-spa-to-dashboard variants send the user after an install
	SignIn    *pageData
}

// handleSPAPage serves the app. The page is the same for every request but step=authorize,
// whose valid request gets the sign-in form as well.
func (s *Server) handleSPAPage(w http.ResponseWriter, r *http.Request) {
	d := spaPageData{Title: s.appName, API: spaAPIPrefix + r.URL.Path}
	if s.bug.defect == defectSPAToDashboard {
		d.Dashboard = InstallsPath
	}
	if q, err := parseQuery(r); err == nil && q.Get("step") == stepAuthorize && s.bug.Flow == FlowPartner {
		back, err := s.returnURL(q)
		if err != nil {
			s.renderBadInput(w, err, nil)
			return
		}
		d.LoginAPI = spaAPIPrefix + LoginPath
		d.SignIn = &pageData{ReturnURL: back.String(), LoginPath: LoginPath, Users: s.users}
	}
	var b strings.Builder
	if err := spaPage.Execute(&b, d); err != nil {
		http.Error(w, "render the app: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// spaInstalled is the context key under which complete reports a linked portal to the backend.
type spaInstalled struct{}

// spaAnswer is the backend's JSON answer to the page.
type spaAnswer struct {
	// ReturnURL is where the page must send the user: HubSpot's returnUrl, as the reference's
	// handler redirected, with state and scope added after a sign-in.
	ReturnURL string `json:"returnUrl,omitempty"`
	// Installed is true when the install linked a portal.
	Installed bool `json:"installed,omitempty"`
	// Error says why the request cannot be handled (no returnUrl then).
	Error string `json:"error,omitempty"`
}

// spaBackend answers the page's POST of the install request's (or the sign-in's) parameters,
// a JSON object of strings, by running the reference's handler for path on them.
func (s *Server) spaBackend(path string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		var params map[string]string
		if err := json.NewDecoder(r.Body).Decode(&params); err != nil {
			writeJSON(w, http.StatusBadRequest, spaAnswer{Error: "the request is not a JSON object of strings"})
			return
		}
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v)
		}
		installed := new(bool)
		inner := r.Clone(context.WithValue(r.Context(), spaInstalled{}, installed))
		inner.URL = &url.URL{Path: path}
		inner.RequestURI = ""
		if path == LoginPath {
			inner.Body = http.NoBody
			inner.Form, inner.PostForm = q, q
		} else {
			inner.Method, inner.Body = http.MethodGet, http.NoBody
			inner.URL.RawQuery = q.Encode()
		}
		rec := httptest.NewRecorder()
		next(rec, inner)
		for _, c := range rec.Header().Values("Set-Cookie") {
			w.Header().Add("Set-Cookie", c)
		}
		res := rec.Result()
		loc, err := res.Location()
		switch {
		case res.StatusCode >= 300 && res.StatusCode < 400 && err == nil:
			writeJSON(w, http.StatusOK, spaAnswer{ReturnURL: loc.String(), Installed: *installed})
		case res.StatusCode >= 500:
			writeJSON(w, res.StatusCode, spaAnswer{Error: "the installation failed on the server"})
		case path == LoginPath && res.StatusCode == http.StatusOK:
			writeJSON(w, http.StatusUnauthorized, spaAnswer{Error: "That email and password do not match an account."})
		default:
			writeJSON(w, res.StatusCode, spaAnswer{Error: "This install request cannot be handled (HTTP " + res.Status + "); open the install from HubSpot."})
		}
	}
}

// spaMarkInstalled tells the SPA's backend, when it is the caller, that the install linked a
// portal.
func spaMarkInstalled(r *http.Request) {
	if f, ok := r.Context().Value(spaInstalled{}).(*bool); ok {
		*f = true
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// spaPage is the app. Its script does what HubSpot's doc samples do: URLSearchParams to read
// the request, fetch() to the backend, window.location.href to go back.
var spaPage = template.Must(template.New("spa").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#213343;max-width:42rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;font:inherit}</style>
</head><body><main>
<h1>{{.Title}}</h1>
<p id="status">{{if .SignIn}}Sign in to connect your HubSpot account.{{else}}Connecting your HubSpot account…{{end}}</p>
{{- with .SignIn}}
<form id="signin" method="post" action="{{.LoginPath}}">
<input type="hidden" name="returnUrl" value="{{.ReturnURL}}">
<label>Email <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p>Demo users:{{range .Users}} <code>{{.Email}}</code> / <code>{{.Password}}</code>{{end}}</p>
{{- end}}
</main>
<script>
(function () {
  const status = document.getElementById("status");
  const post = (path, body) => fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  }).then(r => r.json());
  const query = new URLSearchParams(window.location.search);
  const form = document.getElementById("signin");
  if (form) {
    form.addEventListener("submit", ev => {
      ev.preventDefault();
      const f = new FormData(form);
      post({{.LoginAPI}}, {email: f.get("email"), password: f.get("password"), returnUrl: query.get("returnUrl")})
        .then(d => {
          if (!d.returnUrl) { status.textContent = d.error; return; }
          // HubSpot's sample: returnUrlObj.searchParams.set('state', state).
          const back = new URL(query.get("returnUrl"));
          const given = new URL(d.returnUrl);
          for (const name of ["state", "scope"]) {
            if (given.searchParams.has(name)) back.searchParams.set(name, given.searchParams.get(name));
          }
          window.location.href = back.toString();
        })
        .catch(e => { status.textContent = "Sign-in failed: " + e.message; });
    });
    return;
  }
  const req = {};
  for (const name of ["step", "code", "state", "returnUrl"]) {
    if (query.has(name)) req[name] = query.get(name);
  }
  post({{.API}}, req)
    .then(d => {
      if (!d.returnUrl) { status.textContent = d.error; return; }
      {{- if .Dashboard}}
      if (d.installed) { window.location.href = {{.Dashboard}}; return; }
      {{- end}}
      window.location.href = d.returnUrl;
    })
    .catch(e => { status.textContent = "The installation failed: " + e.message; });
})();
</script>
</body></html>
`))
