-- wrk script for load.sh. Arguments: MODE TOKENS INVALID EXPECT
--   MODE    public | cached | many | mix (10% of requests carry an invalid token)
--   TOKENS  file of valid tokens (one per line); INVALID file of invalid ones (mix)
--   EXPECT  strict: check statuses and bodies; any2xx: expect 200 always (bare Echo)
-- wrk does not tie a response to its request, so the check does not pair them: every
-- response must be a 200 for a valid subject or (mix only) a 401 invalid_token; a 200
-- naming an invalid token's subject ("bad-N") is a false accept; and the number of 401s
-- must equal the invalid requests sent, give or take the requests still in flight.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local t = {}
  if path and path ~= "-" then
    for l in io.lines(path) do if #l > 0 then t[#t + 1] = l end end
  end
  return t
end

function init(args)
  mode, expect = args[1], args[4] or "strict"
  tokens, invalid = lines(args[2]), lines(args[3])
  n, unexpected, responses, sent_invalid, got_401 = id * 7919, 0, 0, 0, 0
end

function request()
  n = n + 1
  local path, hdrs = "/protected", {}
  if mode == "public" then
    path = "/public-data"
  elseif mode == "cached" then
    hdrs["Authorization"] = "Bearer " .. tokens[1]
  elseif mode == "many" then
    hdrs["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
  elseif n % 10 == 0 then
    hdrs["Authorization"] = "Bearer " .. invalid[(n % #invalid) + 1]
    sent_invalid = sent_invalid + 1
  else
    hdrs["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
  end
  return wrk.format("GET", path, hdrs)
end

function response(status, headers, body)
  responses = responses + 1
  if expect ~= "strict" then
    if status ~= 200 then unexpected = unexpected + 1 end
  elseif status == 200 then
    if body:find('"subject":"bad%-') or (mode ~= "public" and not body:find('"subject":"load%-')) then
      unexpected = unexpected + 1
    end
  elseif status == 401 and mode == "mix" and body:find('"error":"invalid_token"') then
    got_401 = got_401 + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local u = 0
  for _, t in ipairs(threads) do
    u = u + t:get("unexpected")
    if t:get("expect") == "strict" and t:get("mode") == "mix" then
      local gap = t:get("sent_invalid") - t:get("got_401")
      if gap < 0 or gap > 2 then u = u + math.abs(gap) end -- at most the requests in flight
    end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.0f p50_us=%d p90_us=%d p99_us=%d unexpected=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), u, e.connect + e.read + e.write + e.timeout))
end
