'use strict';
// HubSpot app install endpoint with Node's http module and nothing else.
//
//   GET /install         install URL without partner sign-in ("seamless"): code + returnUrl
//   GET /connect         "Connect with HubSpot": redirects to HubSpot's authorization page
//   GET /oauth-callback  where HubSpot sends the user back with code and state
//
// Environment: PORT (0 = any free port), HUBSPOT_API_BASE, CLIENT_ID, CLIENT_SECRET,
// PUBLIC_URL (default http://localhost:PORT), SCOPES (default "oauth"), VARIANT
// (correct, v1-token, exchange-500, connect-state-unchecked, js-return).

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');

const VARIANTS = ['correct', 'v1-token', 'exchange-500', 'connect-state-unchecked', 'js-return'];
const VARIANT = process.env.VARIANT || 'correct';
const API_BASE = (process.env.HUBSPOT_API_BASE || 'https://api.hubapi.com').replace(/\/+$/, '');
const CLIENT_ID = process.env.CLIENT_ID;
const CLIENT_SECRET = process.env.CLIENT_SECRET;
const SCOPES = process.env.SCOPES || 'oauth';
const AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';
const TOKEN_TIMEOUT_MS = 5000;
const STATE_TTL_MS = 10 * 60 * 1000;
const CSP = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com";

let publicUrl = '';
const pendingStates = new Map(); // connect state -> expiry (ms)
const installs = new Map(); // hub_id -> tokens (encrypt these at rest in a real app)

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Only ever send the user back to HubSpot.
function hubspotReturnUrl(value) {
  if (!value) return null;
  let u;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return null;
  if (!/^app(-[a-z0-9]+)?\.hubspot\.com$/.test(u.hostname)) return null;
  return u.toString();
}

function send(res, status, headers, body = '') {
  res.writeHead(status, { 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer', ...headers });
  res.end(body);
}

function redirect(res, location, extra = {}) {
  send(res, 302, { Location: location, ...extra });
}

function page(res, status, title, html) {
  send(res, status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${html}</body></html>`);
}

// POST the code to HubSpot's token endpoint. Resolves to the token response, or rejects.
function exchangeCode(code, redirectUri) {
  const path = VARIANT === 'v1-token' ? '/oauth/v1/token' : '/oauth/v3/token';
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: redirectUri,
    code,
  }).toString();
  const url = new URL(API_BASE + path);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
        Accept: 'application/json',
      },
      timeout: TOKEN_TIMEOUT_MS,
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`token endpoint answered ${res.statusCode}: ${data.slice(0, 300)}`));
          return;
        }
        try {
          const tokens = JSON.parse(data);
          if (!tokens.access_token) throw new Error('no access_token');
          installs.set(tokens.hub_id, tokens);
          resolve(tokens);
        } catch (err) {
          reject(new Error(`bad token response: ${err.message}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`token endpoint did not answer within ${TOKEN_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// Install URL without partner sign-in. step "is always set to finalize. You do not need to do
// anything with this parameter."
async function install(req, res, query) {
  const returnUrl = hubspotReturnUrl(query.get('returnUrl'));
  if (!returnUrl) {
    page(res, 400, 'Cannot install', '<p>This install link is not valid. Please start again from HubSpot.</p>');
    return;
  }
  const code = query.get('code');
  if (!code) {
    redirect(res, returnUrl);
    return;
  }
  try {
    const tokens = await exchangeCode(code, `${publicUrl}/install`);
    console.error(`installed for hub ${tokens.hub_id}`);
  } catch (err) {
    console.error(`install: ${err.message}`);
    if (VARIANT === 'exchange-500') {
      page(res, 500, 'Installation failed', '<p>Installation failed. Please try again.</p>');
      return;
    }
  }
  // "Redirect the user back to the returnUrl ... required to avoid an infinite login loop."
  if (VARIANT === 'js-return') {
    // HubSpot's doc samples return with `window.location.href = returnUrl` from the page.
    const target = JSON.stringify(returnUrl).replace(/</g, '\\u003c');
    page(res, 200, 'Connected', `<p>Connected! Taking you back to HubSpot…</p><script>window.location.href = ${target};</script>`);
    return;
  }
  redirect(res, returnUrl);
}

function readCookie(req, name) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

// "Connect with HubSpot": send the user to HubSpot's authorization page.
function connect(req, res) {
  const state = crypto.randomBytes(32).toString('hex');
  pendingStates.set(state, Date.now() + STATE_TTL_MS);
  const url = new URL(AUTHORIZE_URL);
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('redirect_uri', `${publicUrl}/oauth-callback`);
  url.searchParams.set('scope', SCOPES);
  url.searchParams.set('state', state);
  // The callback is a top-level GET from HubSpot, so SameSite=Lax reaches it.
  redirect(res, url.toString().replace(/\+/g, '%20'), {
    'Set-Cookie': `hs_oauth_state=${state}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`,
  });
}

function stateIsValid(req, state) {
  if (VARIANT === 'connect-state-unchecked') return Boolean(state); // "we send one, so it's fine"
  const expires = pendingStates.get(state);
  pendingStates.delete(state);
  if (!state || !expires || expires < Date.now()) return false;
  const cookie = readCookie(req, 'hs_oauth_state') || '';
  return cookie.length === state.length && crypto.timingSafeEqual(Buffer.from(cookie), Buffer.from(state));
}

async function oauthCallback(req, res, query) {
  const clearState = { 'Set-Cookie': 'hs_oauth_state=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0' };
  if (query.get('error')) {
    const why = query.get('error_description') || query.get('error');
    page(res, 200, 'Not connected', `<p>HubSpot was not connected: ${escapeHtml(why)}</p><p><a href="/connect">Try again</a></p>`);
    return;
  }
  const code = query.get('code');
  if (!code) {
    page(res, 400, 'Not connected', '<p>HubSpot did not send an authorization code.</p><p><a href="/connect">Try again</a></p>');
    return;
  }
  if (!stateIsValid(req, query.get('state'))) {
    page(res, 403, 'Not connected', '<p>This link has expired or was not started here.</p><p><a href="/connect">Start again</a></p>');
    return;
  }
  try {
    const tokens = await exchangeCode(code, `${publicUrl}/oauth-callback`);
    send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...clearState },
      `<!doctype html><html><head><meta charset="utf-8"><title>Connected</title></head><body><p>Connected to HubSpot account ${escapeHtml(tokens.hub_id)}.</p></body></html>`);
  } catch (err) {
    console.error(`oauth-callback: ${err.message}`);
    if (VARIANT === 'exchange-500') {
      page(res, 500, 'Error', '<p>Something went wrong.</p>');
      return;
    }
    page(res, 200, 'Not connected', '<p>We could not connect to HubSpot.</p><p><a href="/connect">Try again</a></p>');
  }
}

function main() {
  if (!VARIANTS.includes(VARIANT)) {
    console.error(`unknown VARIANT ${VARIANT}; one of ${VARIANTS.join(', ')}`);
    process.exit(2);
  }
  if (!CLIENT_ID || !CLIENT_SECRET) {
    console.error('CLIENT_ID and CLIENT_SECRET must be set');
    process.exit(2);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    console.error(`${req.method} ${req.url}`);
    const done = (p) => Promise.resolve(p).catch((err) => {
      console.error(err);
      if (!res.headersSent) page(res, 500, 'Error', '<p>Something went wrong.</p>');
    });
    if (req.method !== 'GET') return page(res, 405, 'Method not allowed', '<p>Method not allowed.</p>');
    switch (url.pathname) {
      case '/install': return done(install(req, res, url.searchParams));
      case '/connect': return done(connect(req, res));
      case '/oauth-callback': return done(oauthCallback(req, res, url.searchParams));
      case '/': return page(res, 200, 'HubSpot app', '<p><a href="/connect">Connect with HubSpot</a></p>');
      default: return page(res, 404, 'Not found', '<p>Not found.</p>');
    }
  });
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    const { port } = server.address();
    publicUrl = (process.env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
    console.log(`listening on http://localhost:${port}`);
    console.error(`variant ${VARIANT}; install URL ${publicUrl}/install, connect URL ${publicUrl}/connect, callback ${publicUrl}/oauth-callback`);
  });
}

main();
