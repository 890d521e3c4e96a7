-- wrk script: authorize requests only, each answered 302 with a fresh code in Location.
--   wrk ... -s authorize.lua http://127.0.0.1:PORT -- AUTHORIZE_PATH
-- AUTHORIZE_PATH: path and query of the authorize request. Codes are minted and never
-- redeemed, so a server that keeps them grows with every request (the peak RSS measured
-- around this run).
-- At the end it prints one line: BENCH authorizes=N errors=N seconds=S.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local authorize_req

-- globals: read by done() through thread:get
authorizes, errors = 0, 0

function init(args)
  authorize_req = wrk.format("GET", args[1])
end

function request()
  return authorize_req
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    local loc = headers["Location"] or headers["location"] or ""
    if string.match(loc, "[?&]code=[^&#]") then
      authorizes = authorizes + 1
      return
    end
  end
  errors = errors + 1
end

function done(summary, latency, requests)
  local a, e = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("authorizes")
    e = e + t:get("errors")
  end
  local s = summary.errors
  io.write(string.format("BENCH authorizes=%d errors=%d seconds=%.3f socket_errors=%d\n",
    a, e, summary.duration / 1e6, s.connect + s.read + s.write + s.timeout))
end
