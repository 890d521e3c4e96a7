// Drives hsemu's emulator with HubSpot's official Node client, unchanged but for basePath.
// Run by emulator/interop_test.go; prints one JSON object of what the client saw.
'use strict';
const hubspot = require('@hubspot/api-client');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};

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

async function main() {
  const base = env('HSEMU_BASE');
  const clientId = env('HSEMU_CLIENT_ID');
  const secret = env('HSEMU_CLIENT_SECRET');
  const code = env('HSEMU_CODE');
  const redirect = env('HSEMU_REDIRECT_URI');
  const out = {};

  const client = new hubspot.Client({ basePath: base });
  const tokens = await client.oauth.tokensApi.create('authorization_code', code, redirect, clientId, secret);
  out.exchange = tokens;
  out.reuse = await failure(() => client.oauth.tokensApi.create('authorization_code', code, redirect, clientId, secret));

  const code2 = env('HSEMU_CODE2');
  const t2 = await client.oauth.tokensApi.create('authorization_code', code2, redirect, clientId, secret);
  out.accessInfo = await client.oauth.accessTokensApi.get(t2.accessToken);
  out.refreshInfo = await client.oauth.refreshTokensApi.get(t2.refreshToken);
  out.refreshed = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, clientId, secret, t2.refreshToken);

  const api = new hubspot.Client({ basePath: base, accessToken: out.refreshed.accessToken });
  out.contacts = await api.crm.contacts.basicApi.getPage(10);
  const anon = new hubspot.Client({ basePath: base, accessToken: 'not-a-token' });
  out.badToken = await failure(() => anon.crm.contacts.basicApi.getPage(10));

  await client.oauth.refreshTokensApi.archive(t2.refreshToken);
  out.afterDelete = await failure(() => client.oauth.tokensApi.create('refresh_token', undefined, undefined, clientId, secret, t2.refreshToken));
  out.badClient = await failure(() => client.oauth.tokensApi.create('authorization_code', 'na1-0000', redirect, 'nope', secret));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`interop: ${e && e.stack ? e.stack : e}\n${e && e.body ? JSON.stringify(e.body) : ''}\n`);
  process.exit(1);
});
