-- wrk script for bench/load_pages.py: rotates over the paths in WRK_PATHS (separated by
-- "|"; default: the URL's own path), counts responses other than 200 (wrk itself counts
-- only >= 400 as errors, so a 302 to the login page would pass unnoticed), and prints one
-- line "RESULT {json}" with p50/p95/p99 (ms), throughput and the error counts.

local paths = {}
local env = os.getenv("WRK_PATHS") or ""
for p in string.gmatch(env, "[^|]+") do
  table.insert(paths, p)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  counter = 0
end

function request()
  if #paths == 0 then
    return wrk.format(nil)
  end
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, t in ipairs(threads) do
    not_ok = not_ok + (t:get("non200") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, ' ..
    '"max": %.2f, "non200": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    not_ok, e.connect, e.read, e.write, e.status, e.timeout))
end
