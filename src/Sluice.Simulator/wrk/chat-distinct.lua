-- Every request has a distinct body (a counter in the user message), as in a real batch.
local counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function request()
  counter = counter + 1
  local body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Summarise item ' .. tid .. '-' .. counter .. ' of the batch in two sentences."}],"max_tokens":64}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
