package reference

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
)

// pageData feeds every page template. html/template escapes each field for where it lands, so
// a returnUrl or email is reflected only escaped.
type pageData struct {
	Title   string
	Message string // what went wrong, for error pages and the sign-in form
	Fix     string // how to fix it
	Back    string // a checked returnUrl to offer a way back to HubSpot, or ""
	Refresh string // a checked returnUrl for the interstitial's meta refresh

	// The sign-in form.
	ReturnURL string
	Email     string
	LoginPath string
	Users     []User

	// The index and installs pages.
	SeamlessURL string
	PartnerURL  string
	Bug         *Bug
	Installs    []Install
}

var pages = template.Must(template.New("pages").Parse(`
{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- with .Refresh}}
<meta http-equiv="refresh" content="0;url={{.}}">{{end}}
<title>{{.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;color:#213343;max-width:42rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;font:inherit}
button{margin-top:1rem;padding:.5rem 1.25rem;font:inherit;background:#ff7a59;color:#fff;border:0;border-radius:3px}
.error{color:#b3261e}table{border-collapse:collapse}td,th{border-bottom:1px solid #cbd6e2;padding:.25rem .75rem;text-align:left}
code{background:#f5f8fa;padding:0 .2rem}
</style></head><body><main>
<h1>{{.Title}}</h1>{{end}}

{{define "bottom"}}</main></body></html>
{{end}}

{{define "error"}}{{template "top" .}}
<p class="error">{{.Message}}</p>
{{- with .Fix}}
<p>{{.}}.</p>{{end}}
{{- with .Back}}
<p><a href="{{.}}" target="_top">Back to HubSpot</a></p>{{end}}
{{template "bottom" .}}{{end}}

{{define "signin"}}{{template "top" .}}
{{- with .Message}}
<p class="error">{{.}}</p>{{end}}
<form method="post" action="{{.LoginPath}}">
<input type="hidden" name="returnUrl" value="{{.ReturnURL}}">
<label>Email <input type="email" name="email" value="{{.Email}}" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p>Demo users:{{range .Users}} <code>{{.Email}}</code> / <code>{{.Password}}</code>{{end}}</p>
{{template "bottom" .}}{{end}}

{{define "done"}}{{template "top" .}}
<p>The app is installed in your HubSpot account. You can close this window.</p>
{{- with .Message}}
<p>{{.}}</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "interstitial"}}{{template "top" .}}
<p>Finishing the installation, please wait…</p>
{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}
{{- with .Bug}}
<p class="error">This is the variant <code>{{.Name}}</code>: it {{.Title}}. {{if .Fails}}It must fail{{range .Fails}} <code>{{.}}</code>{{end}}.{{else}}It must fail no check.{{end}}</p>
{{- else}}
<p>These install endpoints follow HubSpot's marketplace install flow and pass every hsemu check.</p>
{{- end}}
<table>
<tr><th>flow</th><th>install URL</th></tr>
<tr><td>seamless (no partner sign-in)</td><td><code>{{.SeamlessURL}}</code></td></tr>
<tr><td>partner sign-in</td><td><code>{{.PartnerURL}}</code></td></tr>
</table>
<p>Demo users for partner sign-in:{{range .Users}} <code>{{.Email}}</code> / <code>{{.Password}}</code>{{end}}</p>
<p><a href="/installs">Linked portals</a></p>
{{template "bottom" .}}{{end}}

{{define "installs"}}{{template "top" .}}
{{- if .Installs}}
<table>
<tr><th>hub ID</th><th>flow</th><th>user</th><th>scopes</th><th>installed</th><th>access token</th><th>refresh token</th></tr>
{{- range .Installs}}
<tr><td>{{.HubID}}</td><td>{{.Flow}}</td><td>{{or .UserEmail .UserID "—"}}</td><td>{{range $i, $s := .Scopes}}{{if $i}} {{end}}{{$s}}{{end}}</td><td>{{.At.UTC.Format "2006-01-02 15:04:05Z"}}</td><td><code>{{.AccessTokenHint}}</code></td><td><code>{{.RefreshTokenHint}}</code></td></tr>
{{- end}}
</table>
{{- else}}
<p>No portal is linked yet. Install the app from HubSpot (or run <code>hsemu check</code>) first.</p>
{{- end}}
<p><a href="/">Back</a></p>
{{template "bottom" .}}{{end}}
`))

// render writes the page template name with status. Pages are rendered whole before anything
// is written, so a failure cannot leave half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data pageData) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		// Only a broken template gets here; the tests render every page.
		http.Error(w, "render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError writes an error page: what went wrong, how to fix it, and a link back to HubSpot
// when the returnUrl was checked.
func (s *Server) renderError(w http.ResponseWriter, status int, title, what, fix string, back *url.URL) {
	if status == http.StatusBadRequest && s.has(FlowSeamless, defectBadRequestXFO) {
		w.Header().Del("Content-Security-Policy")
		w.Header().Set("X-Frame-Options", "DENY")
	}
	d := pageData{Title: title, Message: what, Fix: fix}
	if back != nil {
		d.Back = back.String()
	}
	s.render(w, status, "error", d)
}

// renderBadInput answers a request the endpoint refuses with a 400 page.
func (s *Server) renderBadInput(w http.ResponseWriter, err error, back *url.URL) {
	var bi *badInput
	if errors.As(err, &bi) {
		s.renderError(w, http.StatusBadRequest, "This install request cannot be handled", bi.what, bi.fix, back)
		return
	}
	s.renderError(w, http.StatusBadRequest, "This install request cannot be handled", err.Error(), "", back)
}

// renderSignIn shows the partner sign-in form, which posts to LoginPath with the returnUrl.
func (s *Server) renderSignIn(w http.ResponseWriter, status int, returnURL, email, problem string) {
	s.render(w, status, "signin", pageData{
		Title: "Sign in to " + s.appName, Message: problem,
		ReturnURL: returnURL, Email: email, LoginPath: LoginPath, Users: s.users,
	})
}

// handleIndex lists the flows, their install URLs and the demo users.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	d := pageData{
		Title:       s.appName,
		SeamlessURL: s.installURL(r, SeamlessPath),
		PartnerURL:  s.installURL(r, PartnerPath),
		Users:       s.users,
	}
	if s.bug.Name != "" {
		b := s.Bug()
		d.Bug = &b
	}
	s.render(w, http.StatusOK, "index", d)
}

// handleInstalls lists the linked portals, tokens redacted.
func (s *Server) handleInstalls(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "installs", pageData{Title: "Linked portals", Installs: s.Installs()})
}

// allowed lists the methods of each path the server serves, for 405 answers.
var allowed = map[string]string{
	"/":          methodsRead,
	SeamlessPath: methodsRead,
	PartnerPath:  methodsRead,
	LoginPath:    http.MethodPost,
	InstallsPath: methodsRead,
}

// methodsRead is the Allow header of the pages that are only read.
const methodsRead = "GET, HEAD"

// handleNotFound answers paths and methods the server does not serve, with an HTML page.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if methods, ok := allowed[r.URL.Path]; ok {
		w.Header().Set("Allow", methods)
		s.renderError(w, http.StatusMethodNotAllowed, "Method not allowed",
			r.Method+" is not served at this path", "use "+methods, nil)
		return
	}
	s.renderError(w, http.StatusNotFound, "Not found", "there is no page at this path",
		"the install URLs are "+SeamlessPath+" and "+PartnerPath, nil)
}
