package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// An install endpoint framed under HubSpot redirects back to the returnUrl; the browser stops
// there instead of fetching HubSpot.
func ExampleBrowser_Navigate() {
	endpoint := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, r.URL.Query().Get("returnUrl"), http.StatusFound)
	}))
	defer endpoint.Close()

	b := browser.New(browser.Options{
		StopAt: func(u *url.URL) bool { return browser.IsHubSpotHost(u.Host) },
	})
	install := endpoint.URL + "/install?step=finalize&code=c&returnUrl=" +
		url.QueryEscape("https://app.hubspot.com/marketplace/return?portalId=1")
	p, err := b.Navigate(context.Background(), install, browser.FramedBy("https://app.hubspot.com"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range p.Hops {
		fmt.Println(h.Seq, h.How, h.Method, h.URL.Path, h.Status, h.Stopped)
	}
	fmt.Println("returned to HubSpot:", p.Stopped, p.URL)
	// Output:
	// 1 navigate GET /install 302 false
	// 2 redirect 302 GET /marketplace/return 0 true
	// returned to HubSpot: true https://app.hubspot.com/marketplace/return?portalId=1
}
