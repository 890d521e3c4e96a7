package chromium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// maxText bounds Page.Text, an excerpt for error messages.
const maxText = 2000

// readScript reads the document of a frame as the http engine reads its HTML: title, visible
// text and forms with their submittable fields (HTML Standard §4.10.21.4 "Constructing the
// entry list"), from the live DOM, so forms that scripts built count too. A form's properties
// are read through the prototype's getters: a control named "action" or "id" shadows them.
const readScript = `(() => {
const fp = (f, k) => Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, k).get.call(f);
const fid = f => Object.getOwnPropertyDescriptor(Element.prototype, "id").get.call(f);
return JSON.stringify({
  title: document.title || "",
  text: (document.body ? document.body.innerText : "").replace(/\s+/g, " ").trim(),
  forms: Array.from(document.forms).map(f => ({
    id: fid(f) || "",
    name: f.getAttribute("name") || "",
    action: fp(f, "action") || location.href,
    method: fp(f, "method") === "post" ? "POST" : "GET",
    enctype: fp(f, "enctype") === "multipart/form-data" ? "multipart/form-data" : "application/x-www-form-urlencoded",
    fields: Array.from(fp(f, "elements")).filter(e => e.name && !e.disabled).flatMap(e => {
      const tag = e.tagName;
      if (tag === "TEXTAREA") return [{name: e.name, type: "textarea", value: e.value}];
      if (tag === "SELECT") return Array.from(e.selectedOptions).map(o => ({name: e.name, type: "select", value: o.value}));
      if (tag === "BUTTON") return (e.type === "submit") ? [{name: e.name, type: "submit", value: e.value}] : [];
      if (tag !== "INPUT") return [];
      const t = (e.type || "text").toLowerCase();
      if (["button", "reset", "image", "file"].includes(t)) return [];
      return [{name: e.name, type: t, value: e.value, checked: !!e.checked}];
    }),
  })),
});
})()`

// domPage is what readScript returns.
type domPage struct {
	Title string `json:"title"`
	Text  string `json:"text"`
	Forms []struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Action  string `json:"action"`
		Method  string `json:"method"`
		Enctype string `json:"enctype"`
		Fields  []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Value   string `json:"value"`
			Checked bool   `json:"checked"`
		} `json:"fields"`
	} `json:"forms"`
}

// readPage fills the page's title, text and forms from the frame's document. A frame that
// Chromium refused to render (CSP frame-ancestors, X-Frame-Options) shows an error page: the
// page then has no forms, and its Text says so.
func (n *nav) readPage(p *browser.Page) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(n.ctx), n.t.opts.HopTimeout)
	defer cancel()
	if n.refused != "" {
		p.Text = n.refused + "; the user stays on the page before it"
		return
	}
	if n.blocked != "" {
		p.Text = "Chromium did not display this page: it refused to load it here (" + n.blocked + "; in HubSpot's frame, " +
			"the page's Content-Security-Policy frame-ancestors or X-Frame-Options forbids it)"
		return
	}
	if f := n.findFrame(ctx); f != nil && f.UnreachableURL != "" {
		p.Text = "Chromium did not display this page: it refused to load it here (in HubSpot's frame, " +
			"the page's Content-Security-Policy frame-ancestors or X-Frame-Options forbids it)"
		return
	}
	var d domPage
	if err := n.evaluate(ctx, readScript, &d); err != nil {
		return
	}
	p.Title = d.Title
	p.Text = truncate(d.Text, maxText)
	for _, f := range d.Forms {
		action, err := url.Parse(f.Action)
		if err != nil {
			continue
		}
		form := browser.Form{Action: action, Method: f.Method, Enctype: f.Enctype, ID: f.ID, Name: f.Name}
		for _, fl := range f.Fields {
			form.Fields = append(form.Fields, browser.Field{Name: fl.Name, Type: fl.Type, Value: fl.Value, Checked: fl.Checked})
		}
		p.Forms = append(p.Forms, form)
	}
}

// findFrame returns the followed frame from the tab's frame tree, or nil.
func (n *nav) findFrame(ctx context.Context) *cdp.Frame {
	res, err := cdp.Call(ctx, n.t.target, page.GetFrameTree, cdp.Empty{})
	if err != nil || res.FrameTree == nil {
		return nil
	}
	var walk func(*page.FrameTree) *cdp.Frame
	walk = func(ft *page.FrameTree) *cdp.Frame {
		if ft.Frame != nil && ft.Frame.ID == n.frame {
			return ft.Frame
		}
		for _, c := range ft.ChildFrames {
			if f := walk(c); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(res.FrameTree)
}

// evaluate runs a script that returns a JSON string in an isolated world of the followed frame
// (it shares the DOM, not the page's globals), as a user's gesture, and decodes its result
// into v.
func (n *nav) evaluate(ctx context.Context, script string, v any) error {
	for fresh := false; ; fresh = true {
		// The world made for the page's last script serves the next one while the frame shows the
		// same document (see quietTurn and readPage): each world costs the renderer a context.
		if fresh || n.world.id == 0 || n.world.frame != n.frame || n.world.at != n.activity {
			id, err := n.t.world(ctx, n.frame)
			if err != nil {
				return err
			}
			n.world.id, n.world.frame, n.world.at, fresh = id, n.frame, n.activity, true
		}
		err := n.t.evaluateIn(ctx, n.world.id, true, script, v)
		if !errors.Is(err, errNoContext) {
			return err
		}
		n.world.id = 0
		if fresh || ctx.Err() != nil {
			return err
		}
		// The world's context went with its document before the script ran: a new one.
	}
}

// world makes an isolated world in a frame of the tab.
func (t *tab) world(ctx context.Context, frame cdp.FrameID) (cdpruntime.ExecutionContextID, error) {
	w, err := cdp.Call(ctx, t.target, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame, WorldName: "hsemu"})
	if err != nil {
		return 0, fmt.Errorf("reach the page's frame: %w", err)
	}
	return w.ExecutionContextID, nil
}

// errNoContext is the error of a script whose world is gone (with its document).
var errNoContext = errors.New("run a script in the page")

// evaluateIn runs a script that returns a JSON string in the world id, as a user's gesture or
// not, and decodes its result into v.
func (t *tab) evaluateIn(ctx context.Context, id cdpruntime.ExecutionContextID, gesture bool, script string, v any) error {
	yes := true
	res, err := cdp.Call(ctx, t.target, cdpruntime.Evaluate, cdpruntime.EvaluateParams{
		Expression: script, ContextID: id, ReturnByValue: &yes, UserGesture: &gesture, AwaitPromise: &yes,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errNoContext, err)
	}
	if res.ExceptionDetails != nil {
		return fmt.Errorf("the page's script failed: %s", res.ExceptionDetails.Text)
	}
	var s string
	if res.Result == nil || json.Unmarshal(res.Result.Value, &s) != nil {
		return fmt.Errorf("the page's script returned no JSON string")
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("the page's script returned JSON of another shape: %w", err)
	}
	return nil
}

// truncate cuts s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// submitScript fills a form and submits it as the user pressing its submit button would
// (form.requestSubmit, which validates the form and fires its submit event). It returns "" or
// what was wrong.
const submitScript = `(() => {
const fp = (f, k) => Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, k).get.call(f);
const fid = f => Object.getOwnPropertyDescriptor(Element.prototype, "id").get.call(f);
  const want = %s;
  const forms = Array.from(document.forms);
  let form = forms.find(f => (want.id && fid(f) === want.id) || (want.name && f.getAttribute("name") === want.name));
  if (!form) form = forms.find(f => fp(f, "action") === want.action);
  if (!form && forms.length === 1) form = forms[0];
  if (!form) return JSON.stringify("the page has no such form any more (it has " + forms.length + " forms)");
  let submitter = null;
  for (const name of Object.keys(want.values).sort()) {
    const v = want.values[name];
    const els = Array.from(fp(form, "elements")).filter(e => e.name === name);
    if (els.length === 0) {
      const names = [...new Set(Array.from(fp(form, "elements")).map(e => e.name).filter(Boolean))];
      return JSON.stringify("the form has no field " + JSON.stringify(name) + "; its fields are " + names.join(", "));
    }
    const type = (els[0].type || "").toLowerCase();
    if (type === "submit") {
      submitter = els.find(e => e.type === "submit" && (v === "" || e.value === v));
      if (!submitter) return JSON.stringify("the form has no submit button " + JSON.stringify(name) + " with value " + JSON.stringify(v));
    } else if (type === "checkbox" || type === "radio") {
      let matched = false;
      for (const e of els) {
        if (e.value === v) { e.checked = true; matched = true; } else if (type === "radio" || v === "") { e.checked = false; }
      }
      if (!matched && v !== "") return JSON.stringify("the form's " + type + " " + JSON.stringify(name) + " has no option with value " + JSON.stringify(v));
    } else {
      els[0].value = v;
    }
  }
  if (!HTMLFormElement.prototype.checkValidity.call(form)) {
    const bad = Array.from(fp(form, "elements")).find(e => e.willValidate && !e.checkValidity());
    return JSON.stringify("the form does not validate: field " + JSON.stringify(bad ? bad.name : "?") + ": " + (bad ? bad.validationMessage : ""));
  }
  HTMLFormElement.prototype.requestSubmit.call(form, submitter);
  return JSON.stringify("");
})()`

// Submit fills the form's fields named in values in the live page and submits it, as the user
// pressing its submit button: a "form submit" hop, then whatever it leads to. p must be the
// last page this engine navigated to.
func (e *Engine) Submit(ctx context.Context, p *browser.Page, f browser.Form, values map[string]string) (*browser.Page, error) {
	defer runtime.KeepAlive(e) // as in Navigate
	if p == nil || p.URL == nil {
		return nil, fmt.Errorf("submit: no page to submit the form from")
	}
	if f.Action == nil {
		return nil, fmt.Errorf("submit: the form has no action URL; pass a Form taken from Page.Forms")
	}
	if e.last == nil || e.last.URL.String() != p.URL.String() || p.Stopped {
		return nil, fmt.Errorf("submit: page %s is not the page this chromium engine shows (it shows %s); submit from the page the last Navigate or Submit returned", p.URL.Redacted(), lastURL(e.last))
	}
	if values == nil {
		values = map[string]string{}
	}
	want, err := json.Marshal(map[string]any{"id": f.ID, "name": f.Name, "action": f.Action.String(), "values": values})
	if err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	n := e.newNav(ctx, p.Context, browser.HowFormSubmit)
	n.frame = e.frame
	var problem string
	if err := n.evaluate(n.ctx, fmt.Sprintf(submitScript, want), &problem); err != nil {
		n.cancel()
		return nil, fmt.Errorf("submit: form %s on %s: %w", formLabel(f), p.URL.Redacted(), err)
	}
	if problem != "" {
		n.cancel()
		return nil, fmt.Errorf("submit: form %s on %s: %s", formLabel(f), p.URL.Redacted(), problem)
	}
	return n.run()
}

// formLabel names a form for error messages.
func formLabel(f browser.Form) string {
	switch {
	case f.ID != "":
		return "#" + f.ID
	case f.Name != "":
		return f.Name
	}
	return strings.TrimSpace(f.Method + " " + f.Action.Redacted())
}

func lastURL(p *browser.Page) string {
	if p == nil || p.URL == nil {
		return "nothing"
	}
	return p.URL.Redacted()
}
