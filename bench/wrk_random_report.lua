-- random report ids; prints p95 latency in ms on the last line
local n = tonumber(os.getenv("JX_REPORTS") or "10000")
local prefix = os.getenv("JX_PATH_PREFIX") or "/api/reports/"
local suffix = os.getenv("JX_PATH_SUFFIX") or ""
local method = os.getenv("JX_METHOD") or "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("JX_TOKEN")
wrk.method = method
request = function()
  return wrk.format(method, prefix .. math.random(1, n) .. suffix)
end
done = function(summary, latency, requests)
  io.write(string.format("JX p50=%.1f p95=%.1f p99=%.1f rps=%.1f errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
