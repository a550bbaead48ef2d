-- Sluice: one lane's shared rate budget, leased in shares (the rules of Sluice.AI.CapacityAllocator, restated).
-- KEYS[1]  the lane's hash
-- ARGV     op ('lease' | 'return'), holder, requests/min ('' for none), tokens/min ('' for none),
--          wants requests/s, wants tokens/s, has requests/s, has tokens/s, pause ms, lease ms, starved renewal ms
-- The hash holds 'created' (ms), 'paused' (until, ms), 'learning' (until, ms) and one field 'h:<holder>' per holder:
-- {e = expires ms, rpm, tpm, wr, wt (wants), gr, gt (granted)}. Returns the lease as JSON.
local key = KEYS[1]
local holder = 'h:' .. ARGV[2]
if ARGV[1] == 'return' then
  redis.call('HDEL', key, holder)
  return 'ok'
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local leaseMs = tonumber(ARGV[10])
local function num(v) if v == nil or v == '' or v == false then return nil end return tonumber(v) end
local function stamp(v) return string.format('%.3f', v) end
local rpm, tpm = num(ARGV[3]), num(ARGV[4])
local hasR, hasT = num(ARGV[7]) or 0, num(ARGV[8]) or 0
local pauseMs = num(ARGV[9]) or 0

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
  if (hasR > 0 or hasT > 0) and now - created < leaseMs then
    learningUntil = now + leaseMs -- it holds a lease this state never granted (the state was lost)
    redis.call('HSET', key, 'learning', stamp(learningUntil))
  end
  me = { gr = 0, gt = 0 }
  holders[holder] = me
  names[#names + 1] = holder
end
me.e = now + leaseMs
me.rpm = (rpm and rpm > 0) and rpm or nil
me.tpm = (tpm and tpm > 0) and tpm or nil
me.wr = math.max(0, num(ARGV[5]) or 0)
me.wt = math.max(0, num(ARGV[6]) or 0)
if pauseMs > 0 and now + pauseMs > pausedUntil then
  pausedUntil = now + pauseMs
  redis.call('HSET', key, 'paused', stamp(pausedUntil))
end
local learning = now < learningUntil

local function lowest(field)
  local low = nil
  for _, n in ipairs(names) do
    local v = holders[n][field]
    if v and (low == nil or v < low) then low = v end
  end
  return low
end

-- Max-min fair division by demand (water-filling); capacity nobody wants is spread evenly.
local function fair(capacity, wants)
  local demand = {}
  for _, n in ipairs(names) do demand[#demand + 1] = holders[n][wants] end
  table.sort(demand)
  local count = #demand
  local remaining, level = capacity, 0
  for i = 1, count do
    local share = math.min(demand[i], remaining / (count - i + 1))
    remaining = remaining - share
    if share > level then level = share end
  end
  return math.min(math.min(me[wants], capacity), level) + remaining / count
end

local starved = false
-- The holder's fair share, but no more than the others' unexpired grants leave free; learning, what it has.
local function divide(capacity, wants, granted, has)
  local share = fair(capacity, wants)
  local held = 0
  for _, n in ipairs(names) do
    if n ~= holder then held = held + (holders[n][granted] or 0) end
  end
  local free = math.max(0, capacity - held)
  if has ~= nil then return math.min(math.max(0, has), free) end -- learning: what it already has
  local grant = math.min(share, free)
  if grant < share * 0.99 then starved = true end
  return grant
end

local laneRpm, laneTpm = lowest('rpm'), lowest('tpm')
local lease = { holders = #names }
if laneRpm then
  lease.rpm = laneRpm
  lease.r = divide(laneRpm / 60, 'wr', 'gr', learning and hasR or nil)
end
if laneTpm then
  lease.tpm = laneTpm
  lease.t = divide(laneTpm / 60, 'wt', 'gt', learning and hasT or nil)
end
me.gr = lease.r or 0
me.gt = lease.t or 0
redis.call('HSET', key, holder, cjson.encode(me))
redis.call('PEXPIRE', key, math.floor(leaseMs * 3))
lease.renew = (starved or learning) and tonumber(ARGV[11]) or leaseMs / 2
lease.pause = math.max(0, pausedUntil - now)
return cjson.encode(lease)
