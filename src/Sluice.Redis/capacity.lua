-- Sluice: one lane's shared rate budget, leased in shares (the rules of Sluice.AI.CapacityAllocator, restated).
-- KEYS[1]  the lane's hash
-- ARGV     op ('lease' | 'return'), holder,
--          4 limits per minute, 4 wants per second, 4 has per second ('' for none; dimensions: requests, tokens,
--          input tokens, output tokens), pause ms, lease ms, starved renewal ms
-- The hash holds 'created' (ms), 'paused' (until, ms), 'learning' (until, ms) and one field 'h:<holder>' per holder:
-- {e = expires ms, l = limits, w = wants, g = granted (arrays of 4)}. Returns the lease as JSON:
-- {g = granted per second, l = limits per minute (-1 where none), renew, pause (ms), holders}.
local D = 4
local key = KEYS[1]
local holder = 'h:' .. ARGV[2]
if ARGV[1] == 'return' then
  redis.call('HDEL', key, holder)
  return 'ok'
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local function num(v) if v == nil or v == '' or v == false then return nil end return tonumber(v) end
local function stamp(v) return string.format('%.3f', v) end
local limits, wants, has = {}, {}, {}
for d = 1, D do
  local l = num(ARGV[2 + d])
  limits[d] = (l and l > 0) and l or -1
  wants[d] = math.max(0, num(ARGV[6 + d]) or 0)
  has[d] = math.max(0, num(ARGV[10 + d]) or 0)
end
local pauseMs = num(ARGV[15]) or 0
local leaseMs = tonumber(ARGV[16])
local starvedMs = tonumber(ARGV[17])

local created = num(redis.call('HGET', key, 'created'))
if not created then
  created = now
  redis.call('HSET', key, 'created', stamp(now))
end
local learningUntil = num(redis.call('HGET', key, 'learning')) or 0
local pausedUntil = num(redis.call('HGET', key, 'paused')) or 0

-- Unexpired holders; expired ones are dropped.
local all = redis.call('HGETALL', key)
local holders, names = {}, {}
for i = 1, #all, 2 do
  local field = all[i]
  if string.sub(field, 1, 2) == 'h:' then
    local h = cjson.decode(all[i + 1])
    if h.e > now then
      holders[field] = h
      names[#names + 1] = field
    else
      redis.call('HDEL', key, field)
    end
  end
end

local me = holders[holder]
if not me then
  local holds = false
  for d = 1, D do if has[d] > 0 then holds = true end end
  if holds and now - created < leaseMs then
    learningUntil = now + leaseMs -- it holds a lease this state never granted (the state was lost)
    redis.call('HSET', key, 'learning', stamp(learningUntil))
  end
  me = { g = { 0, 0, 0, 0 } }
  holders[holder] = me
  names[#names + 1] = holder
end
me.e = now + leaseMs
me.l = limits
me.w = wants
if pauseMs > 0 and now + pauseMs > pausedUntil then
  pausedUntil = now + pauseMs
  redis.call('HSET', key, 'paused', stamp(pausedUntil))
end
local learning = now < learningUntil

local function lowest(d)
  local low = -1
  for _, n in ipairs(names) do
    local v = holders[n].l[d]
    if v > 0 and (low < 0 or v < low) then low = v end
  end
  return low
end

-- Max-min fair division by demand (water-filling); capacity nobody wants is spread evenly.
local function fair(d, capacity)
  local demand = {}
  for _, n in ipairs(names) do demand[#demand + 1] = holders[n].w[d] end
  table.sort(demand)
  local count = #demand
  local remaining, level = capacity, 0
  for i = 1, count do
    local share = math.min(demand[i], remaining / (count - i + 1))
    remaining = remaining - share
    if share > level then level = share end
  end
  return math.min(math.min(me.w[d], capacity), level) + remaining / count
end

local starved = false
-- The holder's fair share, but no more than the others' unexpired grants leave free; learning, what it has.
local function divide(d, capacity)
  local share = fair(d, capacity)
  local held = 0
  for _, n in ipairs(names) do
    if n ~= holder then held = held + holders[n].g[d] end
  end
  local free = math.max(0, capacity - held)
  if learning then return math.min(has[d], free) end
  local grant = math.min(share, free)
  if grant < share * 0.99 or grant < math.min(me.w[d], capacity) * 0.99 then starved = true end
  return grant
end

local lease = { g = {}, l = {}, holders = #names }
for d = 1, D do
  local limit = lowest(d)
  lease.l[d] = limit
  if limit > 0 then
    lease.g[d] = divide(d, limit / 60)
  else
    lease.g[d] = -1
  end
  me.g[d] = math.max(0, lease.g[d])
end
redis.call('HSET', key, holder, cjson.encode(me))
redis.call('PEXPIRE', key, math.floor(leaseMs * 3))
lease.renew = (starved or learning) and starvedMs or leaseMs / 2
lease.pause = math.max(0, pausedUntil - now)
return cjson.encode(lease)
