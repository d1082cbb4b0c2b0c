-- Errors come back as "GRERR <CODE> <message>"; src/errors.ts maps the codes to
-- GoodRedisError kinds (EINVAL, ERANGE, ELEASE, ...).
local function grError(code, message)
  return redis.error_reply('GRERR ' .. code .. ' ' .. message)
end
