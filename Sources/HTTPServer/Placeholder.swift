// The epoll server lands here.
