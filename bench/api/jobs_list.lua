-- GET /api/v1/jobs with a bearer token; optional pacing to a target rate.
-- Environment: BENCH_TOKEN, BENCH_PATH, BENCH_DELAY_MS (per-connection think time).
local token = os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH") or "/api/v1/jobs?page_size=20"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

request = function()
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path, headers)
end

-- Uniform jitter around the mean keeps the connections from moving in lock-step, which
-- would turn a steady rate into bursts of one request per connection.
if delay_ms > 0 then
  math.randomseed(os.time())
  delay = function() return math.random(0, 2 * delay_ms) end
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
