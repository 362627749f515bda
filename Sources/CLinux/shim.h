// Linux-only system headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <netinet/tcp.h>

// accept4 is declared only under _GNU_SOURCE, which Swift's Glibc module is not built
// with; the raw system call has the same contract.
static inline int clinux_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return (int)syscall(SYS_accept4, fd, address, length, flags);
}

// ThreadSanitizer annotations: no-ops unless the process runs under TSan (the weak symbols
// are then null). They declare a happens-before that TSan cannot see because it goes
// through uninstrumented code, e.g. a continuation resumed on another thread, whose
// handshake happens inside the Swift runtime. Never a substitute for real synchronization.
void __tsan_acquire(void *address) __attribute__((weak));
void __tsan_release(void *address) __attribute__((weak));
static inline void clinux_tsan_acquire(const void *address) {
    if (__tsan_acquire) __tsan_acquire((void *)address);
}
static inline void clinux_tsan_release(const void *address) {
    if (__tsan_release) __tsan_release((void *)address);
}

#include <sys/prctl.h>

// Names the calling thread as `top -H`, `perf` and /proc show it (15 bytes are kept).
// pthread_setname_np is declared only under _GNU_SOURCE; PR_SET_NAME does the same for the
// calling thread.
static inline void clinux_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
