package reference_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hsemu/hsemu/conformance/reference"
)

// A reference endpoint refuses a returnUrl that is not HubSpot's, so it is no open redirector.
func Example() {
	srv, err := reference.New(reference.Config{
		APIBase:      "http://127.0.0.1:7430",
		ClientID:     reference.DemoClientID,
		ClientSecret: reference.DemoClientSecret,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
		reference.SeamlessPath+"?step=finalize&code=c&returnUrl=https://evil.example/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location") == "")
	// Output: 400 true
}

func ExampleBugs() {
	for _, b := range reference.Bugs()[:2] {
		fmt.Println(b.Name, b.Fails)
	}
	// Output:
	// seamless-wrong-redirect-uri [seamless/install/exchanges-code]
	// seamless-no-return [seamless/install/returns-to-hubspot]
}
