/*
 * udp_batch: the UDP socket synthetic viewers receive the SFU's RTP on.
 *
 * When the socket is readable it is drained with recvmmsg (up to `batch`
 * packets per system call) into one Buffer of fixed slots, and JavaScript is
 * called once per batch with the count; `lengths` and `times` hold each
 * packet's size and its kernel receive time (SO_TIMESTAMPNS, epoch ms). A
 * stalled event loop therefore delays when packets are read, not when they
 * are measured to have arrived.
 *
 * Why uv_poll on the main loop rather than a receiving thread: the packets are
 * measured by JavaScript on the main thread anyway, so a thread would only
 * move them from the kernel's queue into one of ours (a copy, a lock and a
 * wake-up per hand-off) and take one of two cores from the SFU. The kernel's
 * receive buffer already is that queue (sized with SO_RCVBUF), and the
 * kernel timestamp keeps the time spent in it out of the measurement.
 *
 * Why it rests `restMs` after each drain before polling again: a receiver
 * that keeps up wakes for every packet or two (a wake-up costs more than
 * reading the packet), so batches only form when it falls behind. Resting
 * lets packets gather in the kernel's queue; since their arrival times are
 * the kernel's, reading them a few milliseconds later changes no figure.
 *
 * JavaScript: new UdpBatchSocket(ip, port, receiveBufferBytes, batch, slotBytes, restMs, onBatch(count))
 *   .port, .receiveBufferBytes (as granted), .packets (Buffer), .lengths (Uint32Array), .times (Float64Array)
 *   .drain()   reads what the kernel holds now, synchronously (onBatch runs before it returns)
 *   .drops()   packets the kernel dropped at this socket (receive buffer full)
 *   .close()   stops reading and closes the socket; idempotent
 * The slots are reused by the next batch: onBatch must not keep them.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define CONTROL_BYTES CMSG_SPACE(sizeof(struct timespec))

typedef struct {
  napi_env env;
  uv_poll_t poll; /* waits for the socket to be readable */
  uv_timer_t rest; /* the pause after a drain, before polling again */
  int fd;
  bool open;
  int live_handles; /* libuv handles not closed yet */
  bool finalized;   /* the JavaScript object is gone */
  bool draining;
  unsigned batch;
  size_t slot;
  uint32_t rest_ms;
  char *packets; /* the JavaScript Buffer's bytes, written in place */
  uint32_t *lengths;
  double *times;
  struct mmsghdr *msgs;
  struct iovec *iovs;
  char *controls;
  napi_ref on_batch;
  napi_async_context async;
  napi_async_cleanup_hook_handle cleanup;
} Socket;

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "udp_batch: " #call " failed");     \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "udp_batch: %s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void free_socket(Socket *s) {
  free(s->msgs);
  free(s->iovs);
  free(s->controls);
  free(s);
}

/* The socket's memory goes once its libuv handles and its JavaScript object are all gone. */
static void on_handle_closed(uv_handle_t *handle) {
  Socket *s = handle->data;
  if (--s->live_handles > 0) return;
  napi_remove_async_cleanup_hook(s->cleanup);
  if (s->finalized) free_socket(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  Socket *s = data;
  s->finalized = true;
  if (s->live_handles == 0) free_socket(s);
}

/* Stopping the poll removes the fd from epoll at once, so it can be closed before the handle is. */
static void stop_socket(Socket *s) {
  if (!s->open) return;
  s->open = false;
  uv_poll_stop(&s->poll);
  close(s->fd);
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
  uv_close((uv_handle_t *)&s->rest, on_handle_closed);
}

/* A Node environment ending (a worker thread) with the socket open: close it, as close() would. */
static void on_env_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  stop_socket(arg);
}

static double realtime_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

static double kernel_time_ms(struct msghdr *h, double fallback) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    }
  }
  return fallback;
}

/* Calls onBatch(count). From the loop it is a top-level callback (microtasks run after it,
   an exception is uncaught); from drain() it is a plain call whose exception reaches the caller. */
static bool deliver(Socket *s, int count, bool from_loop) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_value fn, global, arg, result;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  napi_get_reference_value(env, s->on_batch, &fn);
  napi_get_global(env, &global); /* napi_make_callback wants an object for `this` */
  napi_create_uint32(env, count, &arg);
  napi_status status = from_loop ? napi_make_callback(env, s->async, global, fn, 1, &arg, &result)
                                 : napi_call_function(env, global, fn, 1, &arg, &result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending && from_loop) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
  return status == napi_ok && !pending;
}

/* Reads until the socket is empty or hands over packets stamped after this drain began: all
   that had arrived by then is delivered, and packets arriving faster than they are measured
   cannot hold the loop here (the poll is level-triggered and fires again). */
static void drain(Socket *s, bool from_loop) {
  if (s->draining) return; /* onBatch drained again: the loop below goes on */
  s->draining = true;
  double began = realtime_ms();
  bool current = false;
  while (s->open && !current) {
    for (unsigned i = 0; i < s->batch; i++) s->msgs[i].msg_hdr.msg_controllen = CONTROL_BYTES;
    int n = recvmmsg(s->fd, s->msgs, s->batch, MSG_DONTWAIT, NULL);
    if (n <= 0) break; /* EAGAIN: empty */
    double now = realtime_ms();
    for (int i = 0; i < n; i++) {
      struct msghdr *h = &s->msgs[i].msg_hdr;
      /* A datagram larger than its slot is cut short: length 0, which no RTP parser accepts. */
      s->lengths[i] = h->msg_flags & MSG_TRUNC ? 0 : s->msgs[i].msg_len;
      s->times[i] = kernel_time_ms(h, now);
    }
    current = (unsigned)n < s->batch || s->times[n - 1] >= began;
    if (!deliver(s, n, from_loop)) break;
  }
  s->draining = false;
}

static void on_readable(uv_poll_t *poll, int status, int events);

static void on_rested(uv_timer_t *rest) {
  Socket *s = rest->data;
  if (s->open) uv_poll_start(&s->poll, UV_READABLE, on_readable);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  Socket *s = poll->data;
  if (status == 0) drain(s, true);
  if (!s->open || s->rest_ms == 0) return;
  uv_poll_stop(&s->poll);
  uv_timer_start(&s->rest, on_rested, s->rest_ms, 0);
}

static Socket *unwrap(napi_env env, napi_callback_info info) {
  napi_value self;
  void *s = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok) return NULL;
  napi_unwrap(env, self, &s);
  return s;
}

static napi_value js_drain(napi_env env, napi_callback_info info) {
  Socket *s = unwrap(env, info);
  if (s != NULL && s->open) drain(s, false);
  return NULL;
}

/* SO_MEMINFO, not SO_RXQ_OVFL: the latter tells the count only with the next packet that
   gets through, so a socket the SFU stopped sending to would hide its last drops. */
static napi_value js_drops(napi_env env, napi_callback_info info) {
  Socket *s = unwrap(env, info);
  if (s == NULL || !s->open) {
    napi_throw_error(env, NULL, "udp_batch: the socket is closed");
    return NULL;
  }
  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t len = sizeof meminfo;
  if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len) != 0) return throw_errno(env, "SO_MEMINFO");
  napi_value drops;
  CHECK(napi_create_uint32(env, meminfo[SK_MEMINFO_DROPS], &drops));
  return drops;
}

/* close(), and undoing a constructor that failed half way. */
static void close_socket(napi_env env, Socket *s) {
  stop_socket(s);
  /* Nothing holds the object any more: it may be collected, and then the memory freed. */
  if (s->on_batch != NULL) napi_delete_reference(env, s->on_batch);
  if (s->async != NULL) napi_async_destroy(env, s->async);
  s->on_batch = NULL;
  s->async = NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  Socket *s = unwrap(env, info);
  if (s != NULL) close_socket(env, s);
  return NULL;
}

/* A bound, non-blocking IPv4 UDP socket with kernel timestamps; SO_RCVBUFFORCE first (needs
   CAP_NET_ADMIN, a per-socket setting), else SO_RCVBUF, which net.core.rmem_max caps. */
static int open_udp(const char *ip, uint32_t port, int receive_buffer, int *granted_buffer, uint32_t *bound_port) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
    errno = EINVAL;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  socklen_t len = sizeof *granted_buffer;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0 ||
      (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0 &&
       setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) != 0) ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_RCVBUF, granted_buffer, &len) != 0) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  socklen_t addr_len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &addr_len);
  *bound_port = ntohs(addr.sin_port);
  return fd;
}

static napi_status set_number(napi_env env, napi_value self, const char *name, double value) {
  napi_value v;
  napi_status status = napi_create_double(env, value, &v);
  return status == napi_ok ? napi_set_named_property(env, self, name, v) : status;
}

static napi_value js_construct(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  char ip[64];
  uint32_t port, batch, slot, rest_ms;
  int32_t receive_buffer;
  napi_valuetype fn_type;
  if (argc < 7 || napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, NULL) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || napi_get_value_int32(env, argv[2], &receive_buffer) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &batch) != napi_ok || napi_get_value_uint32(env, argv[4], &slot) != napi_ok ||
      napi_get_value_uint32(env, argv[5], &rest_ms) != napi_ok || napi_typeof(env, argv[6], &fn_type) != napi_ok ||
      fn_type != napi_function || batch == 0 || slot == 0) {
    napi_throw_type_error(env, NULL, "udp_batch: expected (ip, port, receiveBufferBytes, batch, slotBytes, restMs, onBatch)");
    return NULL;
  }
  Socket *s = calloc(1, sizeof *s);
  if (s == NULL) return throw_errno(env, "calloc");
  s->env = env;
  s->batch = batch;
  s->slot = slot;
  s->rest_ms = rest_ms;
  s->msgs = calloc(batch, sizeof *s->msgs);
  s->iovs = calloc(batch, sizeof *s->iovs);
  s->controls = calloc(batch, CONTROL_BYTES);
  if (s->msgs == NULL || s->iovs == NULL || s->controls == NULL) {
    free_socket(s);
    return throw_errno(env, "calloc");
  }
  /* Wrapped first: from here on, the object's finalizer frees the socket whatever fails next. */
  if (napi_wrap(env, self, s, on_finalize, NULL, NULL) != napi_ok) {
    free_socket(s);
    napi_throw_error(env, NULL, "udp_batch: napi_wrap failed");
    return NULL;
  }
  napi_value packets, lengths, times, lengths_buffer, times_buffer, name;
  void *data;
  uv_loop_t *loop;
  CHECK(napi_create_buffer(env, (size_t)batch * slot, &data, &packets));
  s->packets = data;
  CHECK(napi_create_arraybuffer(env, batch * sizeof(uint32_t), &data, &lengths_buffer));
  s->lengths = data;
  CHECK(napi_create_typedarray(env, napi_uint32_array, batch, lengths_buffer, 0, &lengths));
  CHECK(napi_create_arraybuffer(env, batch * sizeof(double), &data, &times_buffer));
  s->times = data;
  CHECK(napi_create_typedarray(env, napi_float64_array, batch, times_buffer, 0, &times));
  CHECK(napi_set_named_property(env, self, "packets", packets));
  CHECK(napi_set_named_property(env, self, "lengths", lengths));
  CHECK(napi_set_named_property(env, self, "times", times));
  CHECK(napi_get_uv_event_loop(env, &loop));
  CHECK(napi_create_string_utf8(env, "udp_batch", NAPI_AUTO_LENGTH, &name));
  for (unsigned i = 0; i < batch; i++) {
    s->iovs[i] = (struct iovec){.iov_base = s->packets + (size_t)i * slot, .iov_len = slot};
    s->msgs[i].msg_hdr = (struct msghdr){.msg_iov = &s->iovs[i], .msg_iovlen = 1, .msg_control = s->controls + i * CONTROL_BYTES};
  }

  int granted_buffer;
  uint32_t bound_port;
  s->fd = open_udp(ip, port, receive_buffer, &granted_buffer, &bound_port);
  if (s->fd < 0) {
    char what[96];
    snprintf(what, sizeof what, "binding %s:%u", ip, port);
    return throw_errno(env, what);
  }
  if (napi_add_async_cleanup_hook(env, on_env_teardown, s, &s->cleanup) != napi_ok) {
    close(s->fd);
    napi_throw_error(env, NULL, "udp_batch: napi_add_async_cleanup_hook failed");
    return NULL;
  }
  if (uv_poll_init_socket(loop, &s->poll, s->fd) != 0) {
    napi_remove_async_cleanup_hook(s->cleanup);
    close(s->fd);
    napi_throw_error(env, NULL, "udp_batch: uv_poll_init_socket failed");
    return NULL;
  }
  uv_timer_init(loop, &s->rest);
  s->poll.data = s->rest.data = s;
  s->live_handles = 2;
  s->open = true;
  /* The strong reference to onBatch keeps this object alive while it is open (onBatch holds
     its owner), and the poll keeps the process alive, as a node:dgram socket does. */
  if (napi_create_reference(env, argv[6], 1, &s->on_batch) != napi_ok || napi_async_init(env, self, name, &s->async) != napi_ok ||
      set_number(env, self, "port", bound_port) != napi_ok || set_number(env, self, "receiveBufferBytes", granted_buffer) != napi_ok ||
      uv_poll_start(&s->poll, UV_READABLE, on_readable) != 0) {
    close_socket(env, s);
    napi_throw_error(env, NULL, "udp_batch: setting up the socket failed");
    return NULL;
  }
  return self;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"drain", NULL, js_drain, NULL, NULL, NULL, napi_default, NULL},
      {"drops", NULL, js_drops, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  CHECK(napi_define_class(env, "UdpBatchSocket", NAPI_AUTO_LENGTH, js_construct, NULL, 3, methods, &cls));
  CHECK(napi_set_named_property(env, exports, "UdpBatchSocket", cls));
  return exports;
}
