// zlib (zlib1g-dev). deflateInit2 and inflateInit2 are macros Swift cannot import; the inline
// functions below wrap them.
#ifndef C_ZLIB_SHIM_H
#define C_ZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 for a gzip stream (windowBits 15 + 16) at `level`, default strategy.
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// inflateInit2 for a gzip stream, for decoders (tests check what the encoder wrote).
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif
