package chromium

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chromedp/cdproto/network"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds conversions between Chromium's DevTools types and hsemu's.

// requestURL is the full URL of a request, fragment included.
func requestURL(r *network.Request) (*url.URL, error) {
	u, err := url.Parse(r.URL + r.URLFragment)
	if err != nil {
		return nil, fmt.Errorf("request URL: %w", err)
	}
	return u, nil
}

// headerOf turns DevTools headers into an http.Header (DevTools joins repeated headers with
// newlines).
func headerOf(h network.Headers) http.Header {
	out := http.Header{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, ":") { // HTTP/2 pseudo-headers
			continue
		}
		v, _ := h[k].(string)
		for _, line := range strings.Split(v, "\n") {
			out.Add(k, line)
		}
	}
	return out
}

// redactCookies keeps the names of the cookies sent and hides their values, as the http
// engine records them.
func redactCookies(hop *browser.Hop) {
	v := hop.RequestHeader.Get("Cookie")
	if v == "" {
		return
	}
	parts := strings.Split(v, "; ")
	hop.SentCookies = nil
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		hop.SentCookies = append(hop.SentCookies, name)
		parts[i] = name + "=…"
	}
	hop.RequestHeader.Set("Cookie", strings.Join(parts, "; "))
}

// postData is a request's body as Chromium reports it.
func postData(r *network.Request) []byte {
	if !r.HasPostData {
		return nil
	}
	var b []byte
	for _, e := range r.PostDataEntries {
		b = append(b, e.Bytes...)
	}
	return b
}
