// Drives hsemu's emulator with HubSpot's official Node client, unchanged but for basePath.
// Run by TestInteropOfficialNodeClient (emulator/interop_test.go) as
// `node interop.js <probe> <input JSON>`: each probe is one call (or one call and the call that
// proves its effect) with everything it needs in its input, so no probe depends on another's
// order. Prints one JSON object of what the client saw.
//
// @hubspot/api-client 13.5.0's OAuth surface (lib/src/discovery/oauth/OauthDiscovery.js and
// lib/codegen/oauth/apis): tokensApi.create (POST /oauth/v1/token, both grants),
// accessTokensApi.get, refreshTokensApi.get and refreshTokensApi.archive
// (/oauth/v1/access-tokens/{token}, /oauth/v1/refresh-tokens/{token}), getAuthorizationUrl, and
// Signature.isValid (lib/src/utils/signature.js). This version has no introspect or revoke.
'use strict';
const hubspot = require('@hubspot/api-client');

// failure runs fn and reports how the client threw: the HTTP status and the parsed body.
async function failure(fn) {
  try {
    await fn();
    return { threw: false };
  } catch (e) {
    let body = e.body;
    if (typeof body === 'string') {
      try { body = JSON.parse(body); } catch (_) { /* keep the text */ }
    }
    return { threw: true, code: e.code, body };
  }
}

// isValid reports what Signature.isValid says of the signature in, and of the same signature
// over a tampered body (which must be refused).
function isValid(in_, version) {
  const opts = {
    signatureVersion: version,
    signature: in_.signature,
    clientSecret: in_.clientSecret,
    requestBody: in_.requestBody,
    url: in_.url,
    method: in_.method,
    timestamp: in_.timestamp,
  };
  return {
    valid: hubspot.Signature.isValid(opts),
    tampered: hubspot.Signature.isValid({ ...opts, requestBody: in_.requestBody + ' ' }),
  };
}

const probes = {
  // tokensApi.create with grant_type=authorization_code.
  'create-authorization-code': (c, in_) =>
    c.oauth.tokensApi.create('authorization_code', in_.code, in_.redirectUri, in_.clientId, in_.clientSecret),
  // tokensApi.create with grant_type=refresh_token.
  'create-refresh-token': (c, in_) =>
    c.oauth.tokensApi.create('refresh_token', undefined, undefined, in_.clientId, in_.clientSecret, in_.refreshToken),
  // A code the Go side already redeemed: the client must see an error it can read.
  'create-redeemed-code': (c, in_) => failure(() =>
    c.oauth.tokensApi.create('authorization_code', in_.code, in_.redirectUri, in_.clientId, in_.clientSecret)),
  'create-unknown-client': (c, in_) => failure(() =>
    c.oauth.tokensApi.create('authorization_code', in_.code, in_.redirectUri, 'not-a-client-id', in_.clientSecret)),
  'access-token-get': (c, in_) => c.oauth.accessTokensApi.get(in_.accessToken),
  'refresh-token-get': (c, in_) => c.oauth.refreshTokensApi.get(in_.refreshToken),
  // refreshTokensApi.archive, then the refresh that must now fail.
  'refresh-token-archive': async (c, in_) => {
    await c.oauth.refreshTokensApi.archive(in_.refreshToken);
    return {
      archived: true,
      refresh: await failure(() => c.oauth.tokensApi.create('refresh_token', undefined, undefined,
        in_.clientId, in_.clientSecret, in_.refreshToken)),
    };
  },
  // getAuthorizationUrl builds the install URL; the Go side sends it to the emulator.
  'authorization-url': (c, in_) => ({
    url: c.oauth.getAuthorizationUrl(in_.clientId, in_.redirectUri, in_.scope, in_.optionalScope, in_.state),
  }),
  // An API call with the token, and one with a token HubSpot never issued.
  'api-call': async (_, in_) => {
    const api = new hubspot.Client({ basePath: in_.base, accessToken: in_.accessToken });
    const anon = new hubspot.Client({ basePath: in_.base, accessToken: 'not-a-token' });
    return {
      contacts: await api.crm.contacts.basicApi.getPage(10),
      badToken: await failure(() => anon.crm.contacts.basicApi.getPage(10)),
    };
  },
  'signature-v1': (_, in_) => isValid(in_, 'v1'),
  'signature-v2': (_, in_) => isValid(in_, 'v2'),
  'signature-v3': (_, in_) => isValid(in_, 'v3'),
};

async function main() {
  const [name, input] = process.argv.slice(2);
  const probe = probes[name];
  if (!probe) throw new Error(`unknown probe ${JSON.stringify(name)}: one of ${Object.keys(probes).join(', ')}`);
  const in_ = JSON.parse(input || '{}');
  const client = new hubspot.Client({ basePath: in_.base });
  const out = await probe(client, in_);
  process.stdout.write(JSON.stringify(out === undefined ? {} : out));
}

main().catch((e) => {
  process.stderr.write(`interop: ${e && e.stack ? e.stack : e}\n${e && e.body ? JSON.stringify(e.body) : ''}\n`);
  process.exit(1);
});
