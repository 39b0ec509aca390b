-- wrk script for the Accord benchmark (bench/wrk.py runs it).
-- $REQUESTS_FILE holds one request per line: "<api token>\t<JSON body>".
-- Each connection cycles through them, so the load spreads over many callers.
-- A response is an error when its status is not 200 or its body has "errors".
-- done() prints one line: WRKJSON {...}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
end

function init(args)
  local path = assert(os.getenv("REQUESTS_FILE"), "set REQUESTS_FILE")
  local target = os.getenv("TARGET_PATH") or "/graphql"
  prepared = {}
  for line in io.lines(path) do
    local tab = line:find("\t", 1, true)
    local headers = {
      ["Authorization"] = "Bearer " .. line:sub(1, tab - 1),
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
    }
    table.insert(prepared, wrk.format("POST", target, headers, line:sub(tab + 1)))
  end
  cursor = (offset or 1) * 7919
  bad = 0
  first_error = ""
end

function request()
  cursor = cursor + 1
  return prepared[cursor % #prepared + 1]
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    bad = bad + 1
    if first_error == "" then
      first_error = "HTTP " .. status .. ": " .. body:sub(1, 250)
    end
  end
end

local function escape(text)
  return (text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end))
end

function done(summary, latency, requests)
  local gql, first = 0, ""
  for _, thread in ipairs(threads) do
    gql = gql + (thread:get("bad") or 0)
    if first == "" then first = thread:get("first_error") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"bad_responses":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"first_error":"%s"}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, gql,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    escape(first)))
end
