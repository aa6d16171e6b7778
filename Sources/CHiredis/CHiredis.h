// The hiredis RESP encoder (redisFormatCommandArgv) and reader (redisReader*), imported as is.
#include <hiredis/hiredis.h>
