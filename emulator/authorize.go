package emulator

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// authzRequest is a validated authorization request (hubspot.AuthorizeURLProblem states the
// rules).
type authzRequest struct {
	app         App
	redirectURI string
	scope       []string
	optional    []string
	rawScope    string
	rawOptional string
	state       string
	hubID       int64 // from /oauth/{hubId}/authorize or the consent form; 0 = the user picks
}

// pageError is an error HubSpot shows on its own page, without redirecting back: scope errors
// (KB page, see ScopeError) and requests it cannot trust a redirect for (an unknown client, an
// unregistered redirect URI). Outcome names it in events; the names other than HubSpot's
// BAD_CLIENT_ID, BAD_REDIRECT_URI and BAD_HUB are hsemu's.
type pageError struct {
	status  int
	outcome string
	text    string // the headline; HubSpot's exact text for scope errors
	detail  string // what was wrong and how to fix it
}

func (p *pageError) Error() string { return p.text + " (" + p.detail + ")" }

// parseAuthorize validates the parameters of an authorization request: client_id of a
// registered app, redirect_uri by hubspot.CheckRedirectURI, scopes by
// hubspot.CheckInstallScopes, each parameter at most once (RFC 6749 §3.1).
func (az *authorizer) parseAuthorize(params url.Values, hubPath string) (*authzRequest, *pageError) {
	for k, vs := range params {
		if len(vs) > 1 {
			return nil, &pageError{
				http.StatusBadRequest, hubspot.StatusBadRequest, "This authorization link is not valid.",
				fmt.Sprintf("parameter %s is given %d times; give it once (RFC 6749 §3.1)", k, len(vs)),
			}
		}
	}
	req := &authzRequest{
		redirectURI: params.Get("redirect_uri"),
		rawScope:    params.Get("scope"),
		rawOptional: params.Get("optional_scope"),
		state:       params.Get("state"),
	}
	req.scope, req.optional = splitScopes(req.rawScope), splitScopes(req.rawOptional)
	if hubPath != "" {
		n, err := strconv.ParseInt(hubPath, 10, 64)
		if err != nil || n <= 0 {
			return nil, &pageError{
				http.StatusBadRequest, hubspot.StatusBadHub, "This authorization link is not valid.",
				fmt.Sprintf("%q in /oauth/{hubId}/authorize is not a HubSpot account ID", short(hubPath)),
			}
		}
		req.hubID = n
	}
	clientID := params.Get("client_id")
	app, ok := az.app(clientID)
	if clientID == "" || !ok {
		return nil, &pageError{
			http.StatusBadRequest, hubspot.StatusBadClientID, "This app could not be found.",
			fmt.Sprintf("client_id %q is missing or not a registered app; use the client ID hsemu printed", short(clientID)),
		}
	}
	req.app = app
	if err := hubspot.CheckRedirectURI(req.redirectURI, app.RedirectURLs); err != nil {
		detail := err.Error()
		if errors.Is(err, hubspot.ErrRedirectNotRegistered) {
			detail = fmt.Sprintf("redirect_uri %q is not one of the app's redirect URLs %v; they must match exactly", short(req.redirectURI), app.RedirectURLs)
		}
		return nil, &pageError{http.StatusBadRequest, hubspot.StatusBadRedirectURI, "This authorization link is not valid.", detail}
	}
	if serr := hubspot.CheckInstallScopes(scopesOf(&app), req.scope, req.optional); serr != nil {
		return nil, scopePageError(serr)
	}
	if req.hubID != 0 {
		if _, ok := az.portal(req.hubID); !ok {
			return nil, &pageError{
				http.StatusBadRequest, hubspot.StatusBadHub, "This HubSpot account could not be found.",
				fmt.Sprintf("account %d does not exist in hsemu", req.hubID),
			}
		}
	}
	return req, nil
}

func scopePageError(serr *ScopeError) *pageError {
	outcome := "SCOPES_MISMATCH"
	if serr.Text == TextScopesInsufficient {
		outcome = "SCOPES_INSUFFICIENT"
	}
	return &pageError{http.StatusBadRequest, outcome, serr.Text, serr.Detail}
}

// portalChoice is one row of the account picker.
type portalChoice struct {
	Portal   Portal
	Eligible bool
	Reason   string
	Checked  bool
}

// choices lists the portals the user may pick from, with whether each can grant the scopes.
func (az *authorizer) choices(req *authzRequest) []portalChoice {
	var out []portalChoice
	checked := false
	for _, p := range az.portals() {
		if req.hubID != 0 && p.HubID != req.hubID {
			continue
		}
		c := portalChoice{Portal: p, Eligible: true}
		if _, serr := grantScopes(&req.app, &p, req.scope, req.optional); serr != nil {
			c.Eligible, c.Reason = false, serr.Detail
		}
		if c.Eligible && !checked {
			c.Checked, checked = true, true
		}
		out = append(out, c)
	}
	return out
}

// handleAuthorize serves GET /oauth/authorize and /oauth/{hubId}/authorize: HubSpot's consent
// page, or with AutoApprove an immediate redirect with `code` and `state`. Errors are shown on
// hsemu's page, never redirected back
// (https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
func (az *authorizer) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	q := r.URL.Query()
	ev.ClientID, ev.RedirectURI = short(q.Get("client_id")), short(q.Get("redirect_uri"))
	req, perr := az.parseAuthorize(q, r.PathValue("hubId"))
	if perr != nil {
		az.renderError(w, ev, perr)
		return
	}
	ch := az.choices(req)
	var first *portalChoice
	for i := range ch {
		if ch[i].Eligible {
			first = &ch[i]
			break
		}
	}
	if first == nil {
		detail := "no HubSpot account in hsemu can grant the requested scopes"
		if len(ch) == 1 {
			detail = ch[0].Reason
		}
		az.renderError(w, ev, &pageError{http.StatusBadRequest, "SCOPES_INSUFFICIENT", TextScopesInsufficient, detail})
		return
	}
	if az.cfg.AutoApprove {
		az.grantAndRedirect(w, r, ev, req, first.Portal.HubID, http.StatusFound)
		return
	}
	az.render(w, http.StatusOK, pageData{Mode: "consent", Req: viewReq(req), Choices: ch, Action: r.URL.Path})
}

// handleConsent serves the consent form's POST: "Grant access" redirects with a code; "Cancel"
// shows a page and sends nothing back ("If the user doesn't grant access, no request will be
// sent", legacy OAuth quickstart guide).
func (az *authorizer) handleConsent(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		az.renderError(w, ev, &pageError{http.StatusBadRequest, hubspot.StatusBadRequest, "This form could not be read.", err.Error()})
		return
	}
	form := r.PostForm
	hub := form.Get("hub_id")
	form.Del("hub_id")
	action := form.Get("action")
	form.Del("action")
	ev.ClientID, ev.RedirectURI = short(form.Get("client_id")), short(form.Get("redirect_uri"))
	req, perr := az.parseAuthorize(form, r.PathValue("hubId"))
	if perr != nil {
		az.renderError(w, ev, perr)
		return
	}
	if action == "deny" {
		ev.Outcome = "ACCESS_DENIED"
		az.render(w, http.StatusOK, pageData{Mode: "denied", Req: viewReq(req)})
		return
	}
	hubID, err := strconv.ParseInt(hub, 10, 64)
	if err != nil || (req.hubID != 0 && hubID != req.hubID) {
		az.renderError(w, ev, &pageError{
			http.StatusBadRequest, hubspot.StatusBadHub, "Choose a HubSpot account.",
			fmt.Sprintf("hub_id %q is not one of the accounts offered", short(hub)),
		})
		return
	}
	az.grantAndRedirect(w, r, ev, req, hubID, http.StatusSeeOther)
}

// grantAndRedirect mints a code and sends the browser to the redirect URI with `code` and,
// when the request had one, `state` ("the value will be included in a state query parameter
// when the user is directed to the redirect_url", working-with-oauth). The redirect URI's own
// query is kept.
func (az *authorizer) grantAndRedirect(w http.ResponseWriter, r *http.Request, ev *Event, req *authzRequest, hubID int64, status int) {
	ev.HubID = hubID
	code, err := az.issueCode(CodeRequest{ // locks: consents run concurrently
		ClientID: req.app.ClientID, HubID: hubID, RedirectURI: req.redirectURI,
		Scopes: req.scope, OptionalScopes: req.optional,
	})
	var serr *ScopeError
	switch {
	case errors.As(err, &serr):
		az.renderError(w, ev, scopePageError(serr))
		return
	case errors.Is(err, ErrUnknownPortal):
		az.renderError(w, ev, &pageError{http.StatusBadRequest, hubspot.StatusBadHub, "This HubSpot account could not be found.", err.Error()})
		return
	case err != nil:
		az.renderError(w, ev, &pageError{http.StatusServiceUnavailable, "INTERNAL_ERROR", "Something went wrong.", err.Error()})
		return
	}
	ev.Code = code
	target := req.redirectURI
	add := "code=" + url.QueryEscape(code)
	if req.state != "" {
		add += "&state=" + url.QueryEscape(req.state)
	}
	if strings.Contains(target, "?") {
		target += "&" + add
	} else {
		target += "?" + add
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", target)
	w.WriteHeader(status)
}

// pageData feeds the page template.
type pageData struct {
	Mode    string // "consent", "denied", "error"
	Req     pageReq
	Choices []portalChoice
	Action  string
	Err     pageErr
}

// pageReq and pageErr are the template's view of an authzRequest and a pageError.
type pageReq struct {
	AppName, ClientID, RedirectURI, RawScope, RawOptional, State string
	Scopes, Optional                                             []string
}

type pageErr struct{ Outcome, Text, Detail string }

func viewReq(r *authzRequest) pageReq {
	if r == nil {
		return pageReq{}
	}
	return pageReq{
		AppName: r.app.Name, ClientID: r.app.ClientID, RedirectURI: r.redirectURI,
		RawScope: r.rawScope, RawOptional: r.rawOptional, State: r.state, Scopes: r.scope, Optional: r.optional,
	}
}

func (az *authorizer) renderError(w http.ResponseWriter, ev *Event, perr *pageError) {
	ev.Outcome = perr.outcome
	ev.Message = perr.text + " " + perr.detail
	w.Header().Set("X-Hsemu-Error", perr.outcome)
	az.render(w, perr.status, pageData{Mode: "error", Err: pageErr{perr.outcome, perr.text, perr.detail}})
}

func (az *authorizer) render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if eq .Mode "error"}}<meta name="hsemu-error" content="{{.Err.Outcome}}">{{end}}
<title>{{if eq .Mode "error"}}Couldn't complete the connection{{else}}Connect {{.Req.AppName}}{{end}} · HubSpot (hsemu)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f8fa;color:#33475b;margin:0}
main{max-width:36rem;margin:3rem auto;background:#fff;border:1px solid #cbd6e2;border-radius:6px;padding:2rem}
h1{font-size:1.4rem}.note{color:#7c98b6;font-size:.9rem}.err{color:#d94c53}
label{display:block;padding:.5rem;border:1px solid #eaf0f6;margin:.3rem 0;border-radius:4px}
.off{color:#99afc4}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:4px;border:1px solid #ff7a59;cursor:pointer}
.grant{background:#ff7a59;color:#fff}.cancel{background:#fff;color:#ff7a59}code{background:#eaf0f6;padding:0 .2rem}
</style></head><body><main>
{{if eq .Mode "error"}}
<h1 class="err" id="hsemu-error-text">{{.Err.Text}}</h1>
<p id="hsemu-error-detail">{{.Err.Detail}}</p>
<p class="note">hsemu shows this page as HubSpot does: nothing is sent back to the app.</p>
{{else if eq .Mode "denied"}}
<h1>You didn't connect {{.Req.AppName}}</h1>
<p>No access was granted and nothing was sent to the app.</p>
{{else}}
<h1>Connect {{if .Req.AppName}}{{.Req.AppName}}{{else}}app {{.Req.ClientID}}{{end}} to HubSpot</h1>
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.Req.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="scope" value="{{.Req.RawScope}}">
{{if .Req.RawOptional}}<input type="hidden" name="optional_scope" value="{{.Req.RawOptional}}">{{end}}
{{if .Req.State}}<input type="hidden" name="state" value="{{.Req.State}}">{{end}}
<p>Choose an account:</p>
{{range .Choices}}<label class="{{if not .Eligible}}off{{end}}"><input type="radio" name="hub_id" value="{{.Portal.HubID}}"{{if .Checked}} checked{{end}}{{if not .Eligible}} disabled{{end}}>
{{.Portal.Domain}} <span class="note">({{.Portal.HubID}}, {{.Portal.UserEmail}})</span>{{if .Reason}}<br><span class="note">{{.Reason}}</span>{{end}}</label>
{{end}}
<p>The app asks for: {{range .Req.Scopes}}<code>{{.}}</code> {{end}}{{if .Req.Optional}}<br>and, where the account has them: {{range .Req.Optional}}<code>{{.}}</code> {{end}}{{end}}</p>
<p><button class="grant" type="submit" name="action" value="grant">Grant access</button>
<button class="cancel" type="submit" name="action" value="deny">Cancel</button></p>
</form>
<p class="note">After you grant access you are sent to <code>{{.Req.RedirectURI}}</code>.</p>
{{end}}
</main></body></html>
`))

// authorizer serves HubSpot's authorize page: the consent form and the redirect with a code.
type authorizer struct{ *core }
