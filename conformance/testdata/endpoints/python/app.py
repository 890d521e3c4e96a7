#!/usr/bin/env python3
"""HubSpot app install endpoint, Python standard library only.

Written from HubSpot's "Understand app installation flow" page:

  GET  /hubspot/install    install URL with partner sign-in
                           step=authorize: sign-in form, then back to returnUrl with state
                           step=finalize:  check state, exchange code, back to returnUrl
  POST /hubspot/login      the sign-in form posts here
  GET  /hubspot/seamless   install URL without partner sign-in (code + returnUrl)

Environment: PORT (0 = any free port), HUBSPOT_API_BASE, CLIENT_ID, CLIENT_SECRET,
PUBLIC_URL (the origin HubSpot knows; default http://localhost:PORT), LOGIN_EMAIL,
LOGIN_PASSWORD, VARIANT (correct, naive-concat, state-missing-ok, xfo-deny, unescaped).
"""

import html
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VARIANT = os.environ.get("VARIANT", "correct")
VARIANTS = ("correct", "naive-concat", "state-missing-ok", "xfo-deny", "unescaped")
API_BASE = os.environ.get("HUBSPOT_API_BASE", "https://api.hubapi.com").rstrip("/")
CLIENT_ID = os.environ.get("CLIENT_ID", "")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "")
LOGIN_EMAIL = os.environ.get("LOGIN_EMAIL", "demo@example.com")
LOGIN_PASSWORD = os.environ.get("LOGIN_PASSWORD", "demo-password")

PARTNER_PATH = "/hubspot/install"
LOGIN_PATH = "/hubspot/login"
SEAMLESS_PATH = "/hubspot/seamless"

TOKEN_TIMEOUT = 5  # seconds: HubSpot's dialog is waiting on us
STATE_TTL = 10 * 60  # "a relatively short expiration window, such as 10 minutes"
MAX_FORM_BYTES = 16 * 1024

FRAME_ANCESTORS = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"
HUBSPOT_APP_HOST = re.compile(r"^app(-[a-z0-9]+)?\.hubspot\.com$")

public_url = ""  # set once we know our port

# "create a data table ... that stores the user's uid from your system and the state token"
states = {}  # state -> (email, expires_at)
sessions = {}  # session id -> email
installs = {}  # hub_id -> tokens (a real app would encrypt these at rest)
lock = threading.Lock()


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def safe_return_url(value):
    """Only ever send the user back to HubSpot."""
    if not value:
        return None
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password or port:
        return None
    if not HUBSPOT_APP_HOST.match(parts.hostname or ""):
        return None
    return value


def add_query(url, **params):
    """Adds params to url, keeping its own query (HubSpot: "?someHubSpotParam=...&state=...")."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in params] + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def new_state(email):
    # "Generate a cryptographically secure, randomized token unique to this user."
    state = secrets.token_hex(32)
    with lock:
        states[state] = (email, time.time() + STATE_TTL)
    return state


def consume_state(state):
    """The user the state was issued to, or None. A state works once."""
    with lock:
        entry = states.pop(state, None)
    if entry is None or entry[1] < time.time():
        return None
    return entry[0]


def exchange_code(code, redirect_uri):
    """POST {API_BASE}/oauth/v3/token; the token response, or None when it failed."""
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "code": code,
    }).encode()
    req = urllib.request.Request(
        API_BASE + "/oauth/v3/token",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=TOKEN_TIMEOUT) as resp:
            tokens = json.load(resp)
    except urllib.error.HTTPError as err:
        detail = err.read(2048).decode("utf-8", "replace")
        log(f"token exchange failed: HTTP {err.code} {detail}")
        return None
    except (urllib.error.URLError, OSError, ValueError) as err:
        log(f"token exchange failed: {err}")
        return None
    if not isinstance(tokens, dict) or "access_token" not in tokens:
        log("token exchange failed: no access_token in the answer")
        return None
    with lock:
        installs[tokens.get("hub_id")] = tokens
    return tokens


class Handler(BaseHTTPRequestHandler):
    server_version = "install-endpoint/1.0"
    timeout = 30  # a client that stops sending does not hold a thread forever

    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    # --- responses -------------------------------------------------------

    def security_headers(self):
        if VARIANT == "xfo-deny":
            # the "secure headers" snippet every Python web tutorial copies
            self.send_header("X-Frame-Options", "DENY")
        else:
            self.send_header("Content-Security-Policy", FRAME_ANCESTORS)
        self.send_header("Referrer-Policy", "no-referrer")

    def redirect(self, location, status=302, cookie=None):
        self.send_response(status)
        self.send_header("Location", location)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.security_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def page(self, status, title, body_html):
        data = (
            "<!doctype html><html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head><body>{body_html}</body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.security_headers()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def back_to_hubspot(self, return_url, message):
        """A page that sends the user back to HubSpot (meta refresh, plus a link)."""
        if VARIANT == "unescaped":
            target = return_url
        else:
            target = html.escape(return_url, quote=True)
        self.page(
            200,
            "Back to HubSpot",
            f"<meta http-equiv=\"refresh\" content=\"0; url={target}\">"
            f"<p>{html.escape(message)}</p><p><a href=\"{target}\">Back to HubSpot</a></p>",
        )

    def bad_return_url(self, raw):
        shown = raw if VARIANT == "unescaped" else html.escape(raw or "")
        self.page(400, "Cannot install", f"<p>This install link is not valid (returnUrl {shown}).</p>"
                  "<p>Please start the installation again from HubSpot.</p>")

    # --- request parsing -------------------------------------------------

    def query(self):
        parsed = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        return parsed.path, {k: v[0] for k, v in params.items()}

    def session_user(self):
        raw = self.headers.get("Cookie", "")
        for item in raw.split(";"):
            name, _, value = item.strip().partition("=")
            if name == "sid":
                with lock:
                    return sessions.get(value)
        return None

    # --- routes ----------------------------------------------------------

    def do_GET(self):
        path, params = self.query()
        if path == PARTNER_PATH:
            step = params.get("step")
            if step == "authorize":
                return self.authorize(params)
            if step == "finalize":
                return self.finalize(params, partner=True)
            return self.page(400, "Cannot install", "<p>Unknown install step.</p>")
        if path == SEAMLESS_PATH:
            return self.seamless(params)
        if path == "/":
            return self.page(200, "Install endpoint", "<p>HubSpot install endpoint (python).</p>")
        self.page(404, "Not found", "<p>Not found.</p>")

    def do_POST(self):
        path, _ = self.query()
        if path != LOGIN_PATH:
            return self.page(404, "Not found", "<p>Not found.</p>")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_FORM_BYTES:
            return self.page(413, "Too large", "<p>Request too large.</p>")
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        field = lambda name: form.get(name, [""])[0]
        return_url = safe_return_url(field("returnUrl"))
        if return_url is None:
            return self.bad_return_url(field("returnUrl"))
        if not (secrets.compare_digest(field("email"), LOGIN_EMAIL)
                and secrets.compare_digest(field("password"), LOGIN_PASSWORD)):
            return self.login_form(return_url, "Wrong email or password.", status=401)
        sid = secrets.token_urlsafe(32)
        with lock:
            sessions[sid] = field("email")
        cookie = f"sid={sid}; Path=/; HttpOnly; Secure; SameSite=None"
        self.redirect(self.state_return(return_url, field("email")), status=303, cookie=cookie)

    def login_form(self, return_url, error="", status=200):
        msg = f"<p role=\"alert\">{html.escape(error)}</p>" if error else ""
        self.page(status, "Sign in", (
            "<h1>Sign in to connect HubSpot</h1>" + msg +
            f"<form method=\"post\" action=\"{LOGIN_PATH}\">"
            f"<input type=\"hidden\" name=\"returnUrl\" value=\"{html.escape(return_url, quote=True)}\">"
            "<label>Email <input type=\"email\" name=\"email\" required></label>"
            "<label>Password <input type=\"password\" name=\"password\" required></label>"
            "<button type=\"submit\">Sign in</button></form>"
        ))

    def state_return(self, return_url, email):
        state = new_state(email)
        if VARIANT == "naive-concat":
            # HubSpot's docs: "The redirect will look like this: ${returnUrl}?state=${state}"
            return f"{return_url}?state={state}"
        return add_query(return_url, state=state)

    def authorize(self, params):
        return_url = safe_return_url(params.get("returnUrl"))
        if return_url is None:
            return self.bad_return_url(params.get("returnUrl"))
        user = self.session_user()
        if user:
            return self.redirect(self.state_return(return_url, user), status=303)
        self.login_form(return_url)

    def finalize(self, params, partner):
        return_url = safe_return_url(params.get("returnUrl"))
        if return_url is None:
            return self.bad_return_url(params.get("returnUrl"))
        code = params.get("code")
        if partner:
            state = params.get("state")
            if VARIANT == "state-missing-ok":
                # "only check the state when there is one"
                user = consume_state(state) if state else "unknown"
            else:
                user = consume_state(state) if state else None
            if user is None:
                # "If you are not able to verify the state token, do not complete the
                # installation. Redirect the customer to the returnUrl."
                log("finalize: state not verified, install not completed")
                return self.redirect(return_url)
        if not code:
            log("finalize: no code")
            return self.redirect(return_url)
        redirect_uri = public_url + (PARTNER_PATH if partner else SEAMLESS_PATH)
        tokens = exchange_code(code, redirect_uri)
        if tokens is None:
            return self.back_to_hubspot(return_url, "We could not finish connecting to HubSpot.")
        log(f"installed for hub {tokens.get('hub_id')}")
        self.back_to_hubspot(return_url, "Connected! Taking you back to HubSpot…")

    def seamless(self, params):
        # step is "always set to finalize. You do not need to do anything with this parameter."
        if params.get("step") not in (None, "finalize"):
            return_url = safe_return_url(params.get("returnUrl"))
            if return_url is None:
                return self.bad_return_url(params.get("returnUrl"))
            return self.redirect(return_url)
        return self.finalize(params, partner=False)


def main():
    global public_url
    if VARIANT not in VARIANTS:
        log(f"unknown VARIANT {VARIANT!r}; one of {', '.join(VARIANTS)}")
        sys.exit(2)
    if not CLIENT_ID or not CLIENT_SECRET:
        log("CLIENT_ID and CLIENT_SECRET must be set")
        sys.exit(2)
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    public_url = os.environ.get("PUBLIC_URL", f"http://localhost:{port}").rstrip("/")
    print(f"listening on http://localhost:{port}", flush=True)
    log(f"variant {VARIANT}; partner install URL {public_url}{PARTNER_PATH}, "
        f"seamless install URL {public_url}{SEAMLESS_PATH}; token endpoint {API_BASE}/oauth/v3/token")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
