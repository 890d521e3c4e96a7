package browser

import (
	"net/http"
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{strings.Repeat("a", 2500), 1000, strings.Repeat("a", 1000) + "… [cut: 1 KB more]"},
		{"héllo", 2, "h… [cut: 5 bytes more]"}, // not inside the two bytes of é
		{strings.Repeat("x", 9_000_000), 3, "xxx… [cut: 9.0 MB more]"},
	} {
		if got := Clip(tc.s, tc.n); got != tc.want {
			t.Errorf("Clip(%.20q, %d) = %.60q; want %.60q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestKeptBudgets(t *testing.T) {
	w := newTestWeb(t)
	big := strings.Repeat("<p>filler</p>", 10_000) // 130 KB
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/big": func(rw http.ResponseWriter, _ *http.Request) { // not HTML: nothing to parse
			rw.Header().Set("Content-Type", "text/plain")
			_, _ = rw.Write([]byte(big))
		},
	})
	b := w.browser(Options{})
	for i := range 80 {
		p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/big"), TopLevel)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Body) != len(big) {
			t.Fatalf("navigation %d: the page has %d bytes of body; want all %d, whatever the record keeps", i, len(p.Body), len(big))
		}
	}
	hops := b.Hops()
	first, last := hops[0], hops[len(hops)-1]
	if len(first.Body) != KeptBodyBytes || !first.Truncated || first.Cut.Body != int64(len(big)-KeptBodyBytes) {
		t.Errorf("hop 1 kept %d bytes of body, cut %d; want %d kept", len(first.Body), first.Cut.Body, KeptBodyBytes)
	}
	if len(last.Body) != leanKeep.body || last.Cut.Body == 0 {
		t.Errorf("the last hop kept %d bytes of body; want the lean %d once the Browser's budget is spent", len(last.Body), leanKeep.body)
	}
	if n := recordSize(hops); n > KeptBrowserBytes+KeptBodyBytes+KeptHeaderBytes+80*(4<<10) {
		t.Errorf("the Browser's hops keep %s; want about %s", Size(n), Size(KeptBrowserBytes))
	}
	if s := first.Cut.String(); s != "body 64 KB" {
		t.Errorf("Cut.String() = %q", s)
	}
}
