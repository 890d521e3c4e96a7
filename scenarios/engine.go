package scenarios

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// Engine is the user's browser as the scenarios drive it. The default is the http engine
// (scenarios/browser): Go's HTTP client made to behave like Chrome. Another engine (a real
// browser) plugs in through Options.Engine; it must record every hop through Options.OnHop and
// stop before a URL for which Options.StopAt answers true, as the http engine does.
type Engine interface {
	Navigate(ctx context.Context, rawURL string, bc browser.Context) (*browser.Page, error)
	Submit(ctx context.Context, p *browser.Page, f browser.Form, values map[string]string) (*browser.Page, error)
	SetCookies(u *url.URL, cs []*http.Cookie)
}

// EngineFactory makes an engine for one scenario's browser, from the options the http engine
// would get.
type EngineFactory func(browser.Options) Engine
