package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// msgNoCredentials is HubSpot's message for a missing or unknown token.
const msgNoCredentials = hubspot.TextNoCredentials

// authenticate checks the bearer token of an API call and, when scope is not "", that the
// token has it. Failures follow HubSpot: 401 EXPIRED_AUTHENTICATION (https://github.com/airbytehq/airbyte/issues/74726), 401
// INVALID_AUTHENTICATION, 403 MISSING_SCOPES (error-handling page; the body shape of the 403 is
// the one HubSpot's API sends, recalled from public reports, not documented).
func (e *core) authenticate(w http.ResponseWriter, r *http.Request, scope string) (*grant, bool) {
	ev := eventOf(r)
	fail := func(ae *APIError) (*grant, bool) {
		if ae.HTTPStatus == http.StatusUnauthorized {
			w.Header().Set("X-HubSpot-Auth-Failure", "401 Unauthorized")
		}
		e.writeAPIError(w, ev, ae)
		return nil, false
	}
	tok, ok := e.bearerToken(r)
	if !ok || tok == "" {
		return fail(&APIError{HTTPStatus: http.StatusUnauthorized, Message: msgNoCredentials, Category: hubspot.CategoryInvalidAuthentication})
	}
	ev.TokenHint = redact(tok)
	now := e.now()
	var (
		copyG grant
		at    accessToken
		err   error
	)
	e.view(func() {
		var g *grant
		if g, at, err = e.lookupAccess(tok, now); g != nil {
			copyG = *g
			copyG.Scopes = slices.Clone(g.Scopes)
		}
	})
	switch {
	case err == errTokenExpired:
		ago := now.Sub(at.Expires)
		return fail(&APIError{
			HTTPStatus: http.StatusUnauthorized, Category: "EXPIRED_AUTHENTICATION",
			Message: "The OAuth token used to make this call expired " + agoText(ago) + " ago.",
			Context: map[string][]string{"expire time": {at.Expires.UTC().Format("2006-01-02T15:04:05.000Z")}},
		})
	case err != nil:
		return fail(&APIError{HTTPStatus: http.StatusUnauthorized, Message: msgNoCredentials, Category: hubspot.CategoryInvalidAuthentication})
	}
	ev.ClientID, ev.HubID = copyG.ClientID, copyG.HubID
	if copyG.ClientCredentials {
		return fail(&APIError{
			HTTPStatus: http.StatusForbidden, Category: hubspot.CategoryMissingScopes,
			Message: "This is an app token (client_credentials); account data needs a token from an install (authorization_code).",
		})
	}
	if scope != "" && !slices.Contains(copyG.Scopes, scope) {
		return fail(&APIError{
			HTTPStatus: http.StatusForbidden, Category: hubspot.CategoryMissingScopes,
			Message: hubspot.TextMissingScopes,
			Errors: []APIErrorDetail{{
				Message: hubspot.TextScopesNeeded,
				Context: map[string][]string{"requiredGranularScopes": {scope}},
			}},
			Links: map[string]string{"scopes": hubspot.MissingScopesLink},
		})
	}
	return &copyG, true
}

// agoText renders a duration as HubSpot's "N second(s)" / "N day(s)" (php issue #363 shows
// "19884 day(s)").
func agoText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " day(s)"
	case d >= time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hour(s)"
	case d >= time.Minute:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minute(s)"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " second(s)"
}

// handleAccountInfo serves GET /account-info/v3/details: the portal behind the token.
func (ap *apiService) handleAccountInfo(w http.ResponseWriter, r *http.Request) {
	g, ok := ap.authenticate(w, r, "")
	if !ok {
		return
	}
	ap.rateHeaders(w, g.HubID)
	p, _ := ap.portal(g.HubID)
	if p.Hublet == "" {
		p.Hublet = hubspot.DefaultHublet
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"portalId":              g.HubID,
		"accountType":           "STANDARD",
		"timeZone":              "US/Eastern",
		"companyCurrency":       "USD",
		"additionalCurrencies":  []string{},
		"utcOffset":             "-05:00",
		"utcOffsetMilliseconds": -18000000,
		"uiDomain":              hubspot.AppHostOf(p.Hublet),
		"dataHostingLocation":   p.Hublet,
	})
}

// handleContacts serves GET /crm/v3/objects/contacts: a fixed page of sample contacts, with
// crm.objects.contacts.read required (the OpenAPI spec's security block).
func (ap *apiService) handleContacts(w http.ResponseWriter, r *http.Request) {
	g, ok := ap.authenticate(w, r, "crm.objects.contacts.read")
	if !ok {
		return
	}
	ap.rateHeaders(w, g.HubID)
	after := 0
	if s := r.URL.Query().Get("after"); s != "" {
		n, ok := uncursor(s)
		if !ok {
			ap.writeAPIError(w, eventOf(r), &APIError{
				HTTPStatus: http.StatusBadRequest, Category: categoryValidation,
				Message: fmt.Sprintf("after %q is not a cursor this API handed out (paging.next.after)", short(s)),
			})
			return
		}
		after = n
	}
	limit := 10
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			ap.writeAPIError(w, eventOf(r), &APIError{
				HTTPStatus: http.StatusBadRequest, Category: categoryValidation,
				Message: fmt.Sprintf("limit %q is not a number from 1 to 100", short(s)),
			})
			return
		}
		limit = n
	}
	const total = 3
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
	results := []map[string]any{}
	for i := after + 1; i <= total && i <= after+limit; i++ {
		id := strconv.FormatInt(g.HubID%1000*1000+int64(i), 10)
		results = append(results, map[string]any{
			"id": id,
			"properties": map[string]string{
				"createdate": created, "email": fmt.Sprintf("contact%d@hsemu-%d.example.com", i, g.HubID),
				"firstname": fmt.Sprintf("Sample%d", i), "lastname": "Contact",
				"hs_object_id": id, "lastmodifieddate": created,
			},
			"createdAt": created, "updatedAt": created, "archived": false,
		})
	}
	body := map[string]any{"results": results}
	if end := after + limit; end < total {
		c := cursor(end)
		body["paging"] = paging{Next: nextPage{After: c, Link: "?after=" + url.QueryEscape(c)}}
	}
	writeJSON(w, http.StatusOK, body)
}

// apiService serves the little CRM API a token can be tried on.
type apiService struct {
	*core
	limits *rateWindows
}

// rateWindows counts API calls per installing account in fixed windows of
// hubspot.RateLimitInterval, for the X-HubSpot-RateLimit-* headers. hsemu reports the limit; it
// does not enforce it (inject a 429 with a fault to see an app's answer to one).
type rateWindows struct {
	mu    sync.Mutex
	start map[int64]time.Time
	count map[int64]int
}

// take counts one call of hub at now and returns the calls left in its window.
func (rw *rateWindows) take(hub int64, now time.Time) int {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.start == nil {
		rw.start, rw.count = map[int64]time.Time{}, map[int64]int{}
	}
	if st, ok := rw.start[hub]; !ok || now.Sub(st) >= hubspot.RateLimitInterval || now.Before(st) {
		rw.start[hub], rw.count[hub] = now, 0
	}
	rw.count[hub]++
	return max(0, hubspot.RateLimitMax-rw.count[hub])
}

// rateHeaders counts the call and sets HubSpot's rate-limit headers for an OAuth app: interval,
// max and remaining; no daily headers ("not sent for OAuth-authorised requests", usage
// guidelines).
func (ap *apiService) rateHeaders(w http.ResponseWriter, hub int64) {
	left := ap.limits.take(hub, ap.now())
	h := w.Header()
	h.Set(hubspot.HeaderRateLimitInterval, strconv.FormatInt(hubspot.RateLimitInterval.Milliseconds(), 10))
	h.Set(hubspot.HeaderRateLimitMax, strconv.Itoa(hubspot.RateLimitMax))
	h.Set(hubspot.HeaderRateLimitRemaining, strconv.Itoa(left))
}

// paging is HubSpot's ForwardPaging: where the next page starts, as an opaque `after` cursor
// and a relative link (the OpenAPI spec's ForwardPaging/NextPage; the contacts reference's
// example `{"next":{"after":"NTI1Cg%3D%3D","link":"?after=NTI1Cg%3D%3D"}}`).
type paging struct {
	Next nextPage `json:"next"`
}

type nextPage struct {
	After string `json:"after"`
	Link  string `json:"link"`
}

// cursor encodes an index as an opaque `after` value, base64 as HubSpot's look.
func cursor(i int) string { return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(i))) }

// uncursor decodes an `after` value.
func uncursor(s string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}
