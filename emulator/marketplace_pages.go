package emulator

import (
	"html/template"
	"net/http"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// mkPage feeds the marketplace templates.
type mkPage struct {
	Kind   string // "listing", "dialog", "return-authorize", "return-finalize", "error"
	Stage  string // the dialog's stage
	App    App
	Portal Portal
	Scopes []string // what Connect app grants: required, then conditional once signed in

	InstallPath string // the Install button
	ListingPath string
	ConnectPath string
	InstallID   string
	SignInURL   string // the install URL at step=authorize
	FinalizeURL string // the install URL at step=finalize, in the frame
	DialogPath  string // where a return page sends the dialog

	// Emulated is set when the browser reaches hsemu on its own address, not on
	// app.hubspot.com: framing is then judged by hsemu check, not by this page.
	Emulated bool
	Origin   string

	Exchanged bool // the emulator saw the token exchange of the code
	Installed bool // and the app is installed in the portal
	Err       pageErr
}

// view builds a page about t (and the install dialog in, if any).
func (mk *marketplace) view(r *http.Request, t mkTarget, in *installDialog, kind string) mkPage {
	origin := pageOrigin(r)
	p := mkPage{
		Kind: kind, App: t.app, Portal: t.portal, Origin: origin, Emulated: !hubspot.IsAppHost(r.Host),
		Scopes:      t.app.RequiredScopes,
		InstallPath: hubspot.MarketplacePath(hubspot.MarketplaceInstallPath, t.portal.HubID, t.app.ID),
		ListingPath: hubspot.MarketplacePath(hubspot.MarketplaceAppPath, t.portal.HubID, t.app.ID),
		ConnectPath: hubspot.MarketplacePath(hubspot.MarketplaceConnectPath, t.portal.HubID, t.app.ID),
	}
	if in == nil {
		return p
	}
	p.Stage, p.InstallID, p.DialogPath = in.Stage, in.ID, mk.dialogPath(in)
	p.Err = pageErr{Text: in.ErrText, Detail: in.ErrDetail}
	ret := func(stage string) string {
		return hubspot.ReturnURL(origin, t.portal.HubID, t.app.ID, in.ID, stage)
	}
	p.SignInURL = hubspot.StepURL(t.app.InstallURL, "", "", ret(hubspot.StepAuthorize), hubspot.StepAuthorize)
	if in.Code != "" {
		p.FinalizeURL = hubspot.StepURL(t.app.InstallURL, in.Code, in.State, ret(hubspot.StepFinalize), hubspot.StepFinalize)
		p.Exchanged = len(mk.em.TokensIssuedFor(in.Code)) > 0
		p.Installed = mk.em.Installed(t.app.ClientID, t.portal.HubID)
	}
	if in.Scope != "" {
		p.Scopes = append(append([]string(nil), p.Scopes...), splitScopes(in.Scope)...)
	}
	return p
}

func (mk *marketplace) renderError(w http.ResponseWriter, r *http.Request, ev *Event, perr *pageError) {
	ev.Outcome = perr.outcome
	ev.Message = perr.text + " " + perr.detail
	w.Header().Set("X-Hsemu-Error", perr.outcome)
	mk.render(w, perr.status, mkPage{Kind: "error", Origin: pageOrigin(r), Err: pageErr{perr.outcome, perr.text, perr.detail}})
}

func (mk *marketplace) render(w http.ResponseWriter, status int, p mkPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = marketplaceTemplate.Execute(w, p)
}

// marketplaceTemplate is every marketplace page. Script is used only where HubSpot's UI needs
// it: to open the sign-in window, and on the returnUrl to close that window or leave the frame.
var marketplaceTemplate = template.Must(template.New("marketplace").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if eq .Kind "error"}}<meta name="hsemu-error" content="{{.Err.Outcome}}">{{end}}
<title>{{if eq .Kind "error"}}{{.Err.Text}}{{else if eq .Kind "listing"}}{{.App.Name}}{{else}}Install {{.App.Name}}{{end}} · HubSpot App Marketplace (hsemu)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f8fa;color:#33475b;margin:0}
header{background:#2d3e50;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1rem;align-items:center}
header b{color:#ff7a59}header span{color:#cbd6e2;font-size:.85rem}
main{max-width:46rem;margin:2rem auto;background:#fff;border:1px solid #cbd6e2;border-radius:6px;padding:1.5rem 2rem}
.backdrop{background:rgba(45,62,80,.55);min-height:calc(100vh - 2.8rem);padding-top:1.5rem}
.dialog{max-width:40rem;margin:0 auto}
h1{font-size:1.4rem;margin-top:0}.note{color:#7c98b6;font-size:.85rem}.err{color:#d94c53}
.ok{color:#00a4bd}.warn{color:#b36200}
.btn{display:inline-block;font-size:1rem;padding:.6rem 1.3rem;border-radius:4px;border:1px solid #ff7a59;background:#ff7a59;color:#fff;text-decoration:none;cursor:pointer}
.btn.secondary{background:#fff;color:#ff7a59}.btn[aria-disabled=true]{opacity:.5;pointer-events:none}
code{background:#eaf0f6;padding:0 .2rem;word-break:break-all}
iframe{width:100%;height:300px;border:1px solid #cbd6e2;border-radius:4px}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.3rem .8rem}dt{color:#7c98b6}dd{margin:0}
</style></head><body>
<header><b>HubSpot</b> App Marketplace <span>an emulation by hsemu, not HubSpot</span></header>
{{if eq .Kind "error"}}<main>
<h1 class="err" id="hsemu-error-text">{{.Err.Text}}</h1>
<p id="hsemu-error-detail">{{.Err.Detail}}</p>
</main>
{{else if eq .Kind "listing"}}<main>
<h1 id="hsemu-app-name">{{.App.Name}}</h1>
{{with .App.Description}}<p>{{.}}</p>{{end}}
<p>{{if .App.InstallURL}}<a class="btn" id="hsemu-install" href="{{.InstallPath}}">Install</a>{{else}}<span class="btn" aria-disabled="true">Install</span>
<br><span class="err">This app has no install URL: start <code>hsemu serve</code> with <code>--install-url</code>.</span>{{end}}</p>
<dl>
<dt>Installs into</dt><dd>{{.Portal.Domain}} ({{.Portal.HubID}}, {{.Portal.UserEmail}})</dd>
<dt>Scopes</dt><dd>{{range .App.RequiredScopes}}<code>{{.}}</code> {{end}}</dd>
{{with .App.OptionalScopes}}<dt>Optional scopes</dt><dd>{{range .}}<code>{{.}}</code> {{end}}</dd>{{end}}
{{with .App.ConditionallyRequiredScopes}}<dt>Conditional scopes</dt><dd>{{range .}}<code>{{.}}</code> {{end}}</dd>{{end}}
<dt>Install URL</dt><dd><code>{{.App.InstallURL}}</code></dd>
<dt>Partner sign-in</dt><dd>{{if .App.PartnerSignIn}}yes: the install URL signs the user in first (step=authorize){{else}}no: seamless install{{end}}</dd>
</dl>
{{template "emulated" .}}
</main>
{{else if eq .Kind "dialog"}}<div class="backdrop"><main class="dialog" id="hsemu-dialog" data-stage="{{.Stage}}">
{{if eq .Stage "consent"}}
<h1>Connect {{.App.Name}} to {{.Portal.Domain}}</h1>
<p>{{.App.Name}} will be able to:</p>
<p>{{range .Scopes}}<code>{{.}}</code> {{end}}{{with .App.OptionalScopes}}<br>and, where your account has them: {{range .}}<code>{{.}}</code> {{end}}{{end}}</p>
<form method="post" action="{{.ConnectPath}}"><input type="hidden" name="installId" value="{{.InstallID}}">
<button class="btn" id="hsemu-connect" type="submit">Connect app</button>
<a class="btn secondary" href="{{.ListingPath}}">Cancel</a></form>
{{else if eq .Stage "signin"}}
<h1>Sign in to {{.App.Name}}</h1>
<p>{{.App.Name}} asks you to sign in to your {{.App.Name}} account before it connects. The sign-in opens in a new window; this dialog goes on when it hands you back to HubSpot.</p>
<p><a class="btn" id="hsemu-signin" href="{{.SignInURL}}" target="hsemu-signin">Sign in</a></p>
<p class="note">Opens <code>{{.SignInURL}}</code></p>
<script>
document.getElementById("hsemu-signin").addEventListener("click", function (e) {
  if (window.open(this.href, "hsemu-signin", "popup,width=560,height=680")) { e.preventDefault(); }
});
</script>
{{else if eq .Stage "finalize"}}
<h1>Connecting {{.App.Name}}…</h1>
<p>HubSpot loads the install URL's finalize step in this frame; it hands you back to HubSpot when it is done.</p>
<iframe id="hsemu-finalize" title="{{.App.Name}} install" src="{{.FinalizeURL}}"></iframe>
<p class="note">In the frame: <code>{{.FinalizeURL}}</code></p>
{{if .Emulated}}<p class="warn">You reach hsemu's HubSpot at {{.Origin}}, not https://app.hubspot.com, so an install endpoint whose
<code>frame-ancestors</code> allows only HubSpot's origins is refused in this frame. If the frame stays empty,
<a id="hsemu-finalize-top" href="{{.FinalizeURL}}" target="_top">open the finalize step in this window</a>.
<code>hsemu check</code> judges the real framing rules.</p>{{end}}
{{else if eq .Stage "installed"}}
<h1 class="ok" id="hsemu-installed">{{.App.Name}} is installed</h1>
<p>{{.App.Name}} is connected to {{.Portal.Domain}} ({{.Portal.HubID}}).</p>
{{if .Exchanged}}<p class="ok" id="hsemu-exchanged">HubSpot received {{.App.Name}}'s token request for the code{{if .Installed}}; the app is installed in the account{{end}}.</p>
{{else}}<p class="warn" id="hsemu-not-exchanged">The install URL handed you back to HubSpot, but HubSpot has seen no token request for the code: the app is not connected.</p>{{end}}
<p><a class="btn secondary" href="{{.ListingPath}}">Back to the listing</a></p>
{{else}}
<h1 class="err" id="hsemu-error-text">{{.Err.Text}}</h1>
<p id="hsemu-error-detail">{{.Err.Detail}}</p>
<p><a class="btn secondary" href="{{.ListingPath}}">Back to the listing</a></p>
{{end}}
{{template "emulated" .}}
</main></div>
{{else}}<main>
<h1>Returning to HubSpot…</h1>
<p><a id="hsemu-continue" href="{{.DialogPath}}" target="_top">Continue</a></p>
<script>
(function () {
  var next = {{.DialogPath}};
  {{if eq .Kind "return-authorize"}}if (window.opener && !window.opener.closed) {
    try { window.opener.location.replace(next); window.close(); return; } catch (e) {}
  }
  {{end}}if (window.top !== window.self) {
    try { window.top.location.replace(next); return; } catch (e) {}
  }
  window.location.replace(next);
})();
</script>
</main>{{end}}
</body></html>
{{define "emulated"}}{{if .Emulated}}<p class="note">hsemu serves HubSpot's marketplace here at {{.Origin}} for your own browser; HubSpot serves it on https://app.hubspot.com. Real framing rules are judged by <code>hsemu check</code>.</p>{{end}}{{end}}
`))
