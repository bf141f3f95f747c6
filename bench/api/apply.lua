-- POST /api/v1/applications: each request is a different candidate applying to a job.
-- BENCH_PAIRS_FILE holds lines "token job_id"; each wrk thread takes every n-th line.
local pairs_file = os.getenv("BENCH_PAIRS_FILE")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local threads = {}
local counter = 1

setup = function(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

init = function(args)
  items = {}
  local i = 0
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  for line in io.lines(pairs_file) do
    if i % n == (id - 1) then
      local token, job = line:match("^(%S+)%s+(%S+)$")
      table.insert(items, {token, job})
    end
    i = i + 1
  end
  index = 0
end

request = function()
  index = index + 1
  local item = items[((index - 1) % #items) + 1]
  local body = '{"job_id": ' .. item[2] .. ', "cover_letter": "Benchmark application."}'
  return wrk.format("POST", "/api/v1/applications", {
    ["Authorization"] = "Bearer " .. item[1],
    ["Content-Type"] = "application/json",
  }, body)
end

-- Uniform jitter around the mean think time, as jobs_list.lua paces: connections in
-- lock-step would send bursts instead of a steady rate.
if delay_ms > 0 then
  math.randomseed(os.time())
  delay = function() return math.random(0, 2 * delay_ms) end
end

done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
