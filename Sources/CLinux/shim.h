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
