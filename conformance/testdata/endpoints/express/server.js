'use strict';
// HubSpot app install endpoint with Express and express-session.
//
//   GET  /hubspot/install   install URL with partner sign-in
//                           step=authorize: sign-in form, then back to returnUrl with state
//                           step=finalize:  check state, exchange code, back to returnUrl
//   POST /hubspot/login     the sign-in form posts here
//   GET  /hubspot/seamless  install URL without partner sign-in (code + returnUrl)
//
// Environment: PORT (0 = any free port), HUBSPOT_API_BASE, CLIENT_ID, CLIENT_SECRET,
// PUBLIC_URL (default http://localhost:PORT), SESSION_SECRET, LOGIN_EMAIL, LOGIN_PASSWORD,
// VARIANT (correct, helmet-defaults, state-format-only, session-state, hardcoded-return).

const crypto = require('node:crypto');
const express = require('express');
const session = require('express-session');
const helmet = require('helmet');

const VARIANTS = ['correct', 'helmet-defaults', 'state-format-only', 'session-state', 'hardcoded-return'];
const VARIANT = process.env.VARIANT || 'correct';
const API_BASE = (process.env.HUBSPOT_API_BASE || 'https://api.hubapi.com').replace(/\/+$/, '');
const { CLIENT_ID, CLIENT_SECRET } = process.env;
const SESSION_SECRET = process.env.SESSION_SECRET || crypto.randomBytes(32).toString('hex');
const USERS = { [process.env.LOGIN_EMAIL || 'demo@example.com']: process.env.LOGIN_PASSWORD || 'demo-password' };
const HUBSPOT_ORIGINS = ['https://app.hubspot.com', 'https://app-eu1.hubspot.com'];
const STATE_TTL_MS = 10 * 60 * 1000; // "a relatively short expiration window, such as 10 minutes"
const TOKEN_TIMEOUT_MS = 5000;

let publicUrl = '';
// "create a data table ... that stores the user's uid from your system and the state token"
const stateStore = new Map(); // state -> { userId, expiresAt }
const installs = new Map(); // hub_id -> { userId, tokens } (encrypt at rest in a real app)

const app = express();
app.disable('x-powered-by');

if (VARIANT === 'helmet-defaults') {
  app.use(helmet());
} else {
  // HubSpot shows the install URL in an iframe on app.hubspot.com: allow it as a frame ancestor,
  // and let the sign-in form's redirect go back to HubSpot.
  app.use(helmet({
    frameguard: false, // X-Frame-Options cannot name HubSpot; frame-ancestors does
    contentSecurityPolicy: {
      directives: {
        frameAncestors: ["'self'", ...HUBSPOT_ORIGINS],
        formAction: ["'self'", 'https://*.hubspot.com'],
        upgradeInsecureRequests: null, // local development runs on http://localhost
      },
    },
  }));
}

app.use(session({
  name: 'sid',
  secret: SESSION_SECRET,
  resave: false,
  saveUninitialized: false,
  // HubSpot's docs: "If you are using cookies, tag the cookies with SameSite=none."
  cookie: VARIANT === 'session-state' ? {} : { httpOnly: true, secure: true, sameSite: 'none', maxAge: 60 * 60 * 1000 },
}));

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(res, status, title, body) {
  res.status(status).type('html').set('Cache-Control', 'no-store')
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`);
}

// The returnUrl, if it is one of HubSpot's; null otherwise (never redirect anywhere else).
function hubspotReturnUrl(value) {
  if (typeof value !== 'string') return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  if (!/^app(-[a-z0-9]+)?\.hubspot\.com$/.test(url.hostname)) return null;
  return url;
}

function badReturnUrl(res) {
  page(res, 400, 'Cannot install', '<p>This install link is not valid. Please start the installation again from HubSpot.</p>');
}

function loginForm(res, returnUrl, error, status = 200) {
  page(res, status, 'Sign in', `
    <h1>Sign in to connect HubSpot</h1>
    ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/hubspot/login">
      <input type="hidden" name="returnUrl" value="${escapeHtml(returnUrl)}">
      <label>Email <input type="email" name="email" autocomplete="username" required></label>
      <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
    </form>`);
}

// "Generate a cryptographically secure, randomized token unique to this user."
function generateStateParameter() {
  return crypto.randomBytes(32).toString('hex');
}

function returnWithState(req, res, returnUrl) {
  const state = generateStateParameter();
  if (VARIANT === 'session-state') {
    req.session.hubspotState = state;
  } else {
    stateStore.set(state, { userId: req.session.userId, expiresAt: Date.now() + STATE_TTL_MS });
  }
  const returnUrlObj = new URL(returnUrl);
  returnUrlObj.searchParams.set('state', state);
  req.session.save(() => res.redirect(303, returnUrlObj.toString()));
}

// The user the state was issued to, or null. A state is used once.
function verifyState(req, state) {
  if (typeof state !== 'string' || state === '') return null;
  switch (VARIANT) {
    case 'state-format-only':
      return /^[0-9a-f]{64}$/.test(state) ? 'unknown' : null;
    case 'session-state': {
      const expected = req.session.hubspotState;
      delete req.session.hubspotState;
      return expected && expected === state ? req.session.userId : null;
    }
    default: {
      const entry = stateStore.get(state);
      stateStore.delete(state);
      if (!entry || entry.expiresAt < Date.now()) return null;
      return entry.userId;
    }
  }
}

async function exchangeCode(code, redirectUri) {
  const resp = await fetch(`${API_BASE}/oauth/v3/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: redirectUri,
      code,
    }),
    signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
  });
  const body = await resp.text();
  if (!resp.ok) throw new Error(`token endpoint answered ${resp.status}: ${body.slice(0, 300)}`);
  const tokens = JSON.parse(body);
  if (!tokens.access_token) throw new Error('token response has no access_token');
  return tokens;
}

function backToHubSpot(res, returnUrl) {
  if (VARIANT === 'hardcoded-return') {
    // "send them to their Connected Apps page once it's installed"
    res.redirect('https://app.hubspot.com/');
    return;
  }
  res.redirect(returnUrl.toString());
}

// Finishes an install: exchange the code, then back to HubSpot whatever happened.
async function finalize(req, res, { partner }) {
  const returnUrl = hubspotReturnUrl(req.query.returnUrl);
  if (!returnUrl) return badReturnUrl(res);
  let userId = null;
  if (partner) {
    userId = verifyState(req, req.query.state);
    if (!userId) {
      // "If you are not able to verify the state token, do not complete the installation.
      // Redirect the customer to the returnUrl."
      console.error('finalize: state not verified; install not completed');
      return backToHubSpot(res, returnUrl);
    }
  }
  const { code } = req.query;
  if (typeof code !== 'string' || code === '') {
    console.error('finalize: no code');
    return backToHubSpot(res, returnUrl);
  }
  const installPath = partner ? '/hubspot/install' : '/hubspot/seamless';
  try {
    const tokens = await exchangeCode(code, publicUrl + installPath);
    installs.set(tokens.hub_id, { userId, tokens });
    console.error(`installed for hub ${tokens.hub_id} (user ${userId || 'none'})`);
  } catch (err) {
    console.error(`finalize: ${err.message}`);
  }
  backToHubSpot(res, returnUrl);
}

app.get('/hubspot/install', async (req, res) => {
  const { step } = req.query;
  if (step === 'finalize') return finalize(req, res, { partner: true });
  if (step !== 'authorize') return page(res, 400, 'Cannot install', '<p>Unknown install step.</p>');
  const returnUrl = hubspotReturnUrl(req.query.returnUrl);
  if (!returnUrl) return badReturnUrl(res);
  if (req.session.userId) return returnWithState(req, res, returnUrl);
  loginForm(res, returnUrl.toString());
});

app.post('/hubspot/login', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
  const { email, password } = req.body || {};
  const returnUrl = hubspotReturnUrl(req.body && req.body.returnUrl);
  if (!returnUrl) return badReturnUrl(res);
  const expected = typeof email === 'string' ? USERS[email] : undefined;
  const ok = typeof password === 'string' && expected !== undefined && password.length === expected.length
    && crypto.timingSafeEqual(Buffer.from(password), Buffer.from(expected));
  if (!ok) return loginForm(res, returnUrl.toString(), 'Wrong email or password.', 401);
  req.session.regenerate((err) => {
    if (err) return page(res, 500, 'Error', '<p>Please try again.</p>');
    req.session.userId = email;
    returnWithState(req, res, returnUrl);
  });
});

// Without partner sign-in, step "is always set to finalize. You do not need to do anything with
// this parameter."
app.get('/hubspot/seamless', (req, res) => finalize(req, res, { partner: false }));

app.get('/', (req, res) => page(res, 200, 'HubSpot app', '<p>HubSpot install endpoint (express).</p>'));

function main() {
  if (!VARIANTS.includes(VARIANT)) {
    console.error(`unknown VARIANT ${VARIANT}; one of ${VARIANTS.join(', ')}`);
    process.exit(2);
  }
  if (!CLIENT_ID || !CLIENT_SECRET) {
    console.error('CLIENT_ID and CLIENT_SECRET must be set');
    process.exit(2);
  }
  const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    const { port } = server.address();
    publicUrl = (process.env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
    console.log(`listening on http://localhost:${port}`);
    console.error(`variant ${VARIANT}; partner install URL ${publicUrl}/hubspot/install, seamless install URL ${publicUrl}/hubspot/seamless`);
  });
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
}

main();
