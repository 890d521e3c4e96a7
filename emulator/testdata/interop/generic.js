// Drives hsemu's emulator with simple-oauth2, a generic OAuth 2.0 client that knows nothing of
// HubSpot, configured as HubSpot documents its token endpoint: POST /oauth/v3/token with
// client_id and client_secret in the form body. Run by emulator/interop_generic_test.go as
// `node generic.js <probe> <input JSON>`; prints one JSON object of what the client saw.
'use strict';
const { AuthorizationCode } = require('simple-oauth2');

function client(in_) {
  return new AuthorizationCode({
    client: { id: in_.clientId, secret: in_.clientSecret },
    auth: {
      tokenHost: in_.base,
      tokenPath: '/oauth/v3/token',
      authorizeHost: in_.base,
      authorizePath: '/oauth/authorize',
    },
    // HubSpot reads the client's credentials from the body; simple-oauth2's default is Basic.
    options: { authorizationMethod: 'body' },
  });
}

// failure runs fn and reports how the client threw: the HTTP status and the parsed body.
async function failure(fn) {
  try {
    await fn();
    return { threw: false };
  } catch (e) {
    const out = e.output || {};
    let body = e.data && e.data.payload;
    if (Buffer.isBuffer(body)) body = body.toString();
    if (typeof body === 'string') {
      try { body = JSON.parse(body); } catch (_) { /* keep the text */ }
    }
    return { threw: true, code: out.statusCode, body, message: e.message };
  }
}

const probes = {
  // The authorization-code exchange.
  'exchange': async (in_) => {
    const token = await client(in_).getToken({ code: in_.code, redirect_uri: in_.redirectUri });
    return { token: token.token, expired: token.expired() };
  },
  // A refresh of a token the Go side obtained, forced as an app does when the token expired.
  'refresh': async (in_) => {
    const c = client(in_);
    const old = c.createToken({ refresh_token: in_.refreshToken, access_token: 'stale', expires_in: 0 });
    const token = await old.refresh();
    return { token: token.token, expired: token.expired() };
  },
  // The install URL simple-oauth2 builds; the Go side sends it to the emulator.
  'authorize-url': async (in_) => ({
    url: client(in_).authorizeURL({ redirect_uri: in_.redirectUri, scope: in_.scope, state: in_.state }),
  }),
  // A code the Go side already redeemed: the client must reject it as an error.
  'exchange-redeemed-code': (in_) => failure(() =>
    client(in_).getToken({ code: in_.code, redirect_uri: in_.redirectUri })),
};

async function main() {
  const [name, input] = process.argv.slice(2);
  const probe = probes[name];
  if (!probe) throw new Error(`unknown probe ${JSON.stringify(name)}: one of ${Object.keys(probes).join(', ')}`);
  process.stdout.write(JSON.stringify(await probe(JSON.parse(input || '{}'))));
}

main().catch((e) => {
  process.stderr.write(`generic: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
