package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/hsemu/hsemu/emulator"
)

// An app installs into a portal and redeems its code, as HubSpot's token endpoint answers it.
func Example() {
	em, err := emulator.New(emulator.Config{}) // in memory, one default portal
	if err != nil {
		panic(err)
	}
	defer em.Close()
	app, _ := em.AddApp(emulator.App{
		Name:           "My app",
		RedirectURLs:   []string{"http://localhost:3000/oauth-callback"},
		RequiredScopes: []string{"oauth", "crm.objects.contacts.read"},
	})
	portal := em.Portals()[0]
	code, _ := em.IssueCode(emulator.CodeRequest{
		ClientID: app.ClientID, HubID: portal.HubID,
		RedirectURI: app.RedirectURLs[0], Scopes: app.RequiredScopes,
	})

	srv := httptest.NewServer(em)
	defer srv.Close()
	resp, _ := http.PostForm(srv.URL+"/oauth/v3/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {app.RedirectURLs[0]},
		"client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
	})
	resp.Body.Close()
	fmt.Println(resp.Status)

	// A second redemption fails as HubSpot's does.
	resp, _ = http.PostForm(srv.URL+"/oauth/v3/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {app.RedirectURLs[0]},
		"client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
	})
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// 200 OK
	// 400 Bad Request
}
