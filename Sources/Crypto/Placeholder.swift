// The libcrypto wrappers land here.
