-- wrk script: full OAuth flows, authorize -> code -> token, each code used exactly once.
--   wrk ... -s flow.lua http://127.0.0.1:PORT -- AUTHORIZE_PATH TOKEN_PATH TOKEN_BODY_PREFIX
-- AUTHORIZE_PATH: path and query of the authorize request (it must answer 302 with ?code= in
--   Location, at once, without a consent page).
-- TOKEN_PATH: where the code is exchanged (POST, form body).
-- TOKEN_BODY_PREFIX: the form body up to "code=" (the code is appended).
-- Each wrk thread keeps a queue of the codes it has received: a connection that needs a new
-- request sends a token request for the oldest unused code, or else a new authorize. So every
-- flow is one authorize and one token request, and no code is redeemed twice.
-- At the end it prints one line: BENCH flows=N authorizes=N errors=N seconds=S.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local authorize_req, token_path, body_prefix
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local codes, head, tail = {}, 1, 0

-- globals: read by done() through thread:get
flows, authorizes, errors = 0, 0, 0

function init(args)
  authorize_req = wrk.format("GET", args[1])
  token_path, body_prefix = args[2], args[3]
end

function request()
  if head <= tail then
    local code = codes[head]
    codes[head] = nil
    head = head + 1
    return wrk.format("POST", token_path, form, body_prefix .. code)
  end
  return authorize_req
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    local loc = headers["Location"] or headers["location"] or ""
    local code = string.match(loc, "[?&]code=([^&#]+)")
    if code then
      authorizes = authorizes + 1
      tail = tail + 1
      codes[tail] = code
      return
    end
  elseif status == 200 and string.find(body, "\"access_token\"", 1, true) then
    flows = flows + 1
    return
  end
  errors = errors + 1
end

function done(summary, latency, requests)
  local f, a, e = 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("flows")
    a = a + t:get("authorizes")
    e = e + t:get("errors")
  end
  local s = summary.errors
  io.write(string.format("BENCH flows=%d authorizes=%d errors=%d seconds=%.3f socket_errors=%d\n",
    f, a, e, summary.duration / 1e6, s.connect + s.read + s.write + s.timeout))
end
