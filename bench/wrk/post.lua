-- POSTs pre-generated bodies (one JSON document per line of $BENCH_BODIES) round-robin,
-- each thread from its own offset, with the bearer token in $BENCH_TOKEN.
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")

request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
