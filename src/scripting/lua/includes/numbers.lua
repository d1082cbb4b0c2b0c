-- A finite number from an argument, or nil ("inf", "nan" and garbage are refused).
local function toFinite(s)
  local n = tonumber(s)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end

-- A whole number within [min, max], or nil.
local function toInteger(s, min, max)
  local n = toFinite(s)
  if n == nil or n ~= math.floor(n) or n < min or n > max then return nil end
  return n
end

-- An optional finite number: nil when the argument is absent or empty, false when it is not a
-- finite number, the number otherwise.
local function optionalFinite(s)
  if s == nil or s == '' then return nil end
  return toFinite(s) or false
end

-- A double as an exact string (17 significant digits round-trip every double).
local function fmt(n)
  if n == 0 then n = 0 end -- no "-0"
  return string.format('%.17g', n)
end
