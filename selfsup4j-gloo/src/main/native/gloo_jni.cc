// JNI shim between io.github.selfsup4j.gloo.GlooCollective and Gloo (Debian's libgloo-dev).
//
// One opaque handle per context. Arrays arrive in direct ByteBuffers owned by Java (never
// GetPrimitiveArrayCritical: a collective may block for its whole timeout, and a critical
// section would stall the GC meanwhile). Every C++ exception becomes a Java
// IllegalStateException carrying what(); after one the handle is marked broken and its
// connections closed, since Gloo's context is unusable after an error. The header comes from `javac -h`, so a signature that
// drifts from the Java side is a compile error here.
//
// A watchdog thread per handle repairs a Gloo defect that otherwise turns a dead peer into a
// wait for the whole timeout (see wakeStrandedBuffers).
//
// SELFSUP4J_REDIS (set by build.sh when Gloo was built with Redis and hiredis' headers are
// there) adds Gloo's own RedisStore behind io.github.selfsup4j.gloo.RedisStore; without it
// those calls throw and RedisStore.supported() is false.

#include "io_github_selfsup4j_gloo_GlooCollective.h"
#include "io_github_selfsup4j_gloo_RedisStore.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/alltoall.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#if SELFSUP4J_REDIS
#include <gloo/rendezvous/redis_store.h>
#endif
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/tcp/pair.h>
#include <gloo/transport/tcp/unbound_buffer.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

enum Op { ALLGATHER = 0, ALLREDUCE = 1, REDUCE_SCATTER = 2, BROADCAST = 3, BARRIER = 4 };

namespace tcp = gloo::transport::tcp;

// Gloo keeps the state wakeStrandedBuffers needs protected; a pointer to member named through
// a derived class is the standard way to reach it without patching Gloo. Never instantiated.
struct PairInternals : tcp::Pair {
  static std::mutex tcp::Pair::*lock() { return &PairInternals::m_; }
  static std::exception_ptr tcp::Pair::*error() { return &PairInternals::ex_; }
  static std::deque<tcp::Op> tcp::Pair::*outgoing() { return &PairInternals::tx_; }
  static tcp::Op tcp::Pair::*incoming() { return &PairInternals::rx_; }
};
struct BufferInternals : tcp::UnboundBuffer {
  using Signal = void (tcp::UnboundBuffer::*)(std::exception_ptr);
  static Signal signal() { return &BufferInternals::signalException; }
};

// Gloo's tcp::Pair::signalException (Debian's 2022 snapshot; unchanged in Gloo's main branch in
// 2025) hands a pair's error to the buffers waiting on it, but misses two kinds of unbound
// buffer (what every gloo:: collective uses): a send already queued for writing (tx_; it looks
// only at op.buf, which only bound buffers set), and the receive whose payload is being read
// (rx_, which it does not look at). So when a peer dies while this rank waits on either (a
// write stalled on a full socket, or writev saw the reset before the read side did; a peer
// killed mid-message) the error is recorded and nobody is woken: the collective fails at its
// timeout (30 min by default) with "Timed out waiting ... for send/recv operation" instead of at
// once with the socket's error. This does the missing step for every failed pair, under the
// pair's lock and then the buffer's, the order Gloo's own signalException takes them in.
// Entries left from earlier collectives hold weak pointers to buffers that are gone, which lock
// to nothing; a closed pair never reads or writes again, so nothing else can complete them.
void wakeStrandedBuffers(gloo::Context& ctx) {
  const BufferInternals::Signal signal = BufferInternals::signal();
  for (int i = 0; i < ctx.size; i++) {
    if (i == ctx.rank) continue;
    auto& p = ctx.getPair(i);
    if (!p) continue;
    auto* pair = static_cast<tcp::Pair*>(p.get());  // connect() makes only tcp devices
    std::lock_guard<std::mutex> lock(pair->*PairInternals::lock());
    const std::exception_ptr ex = pair->*PairInternals::error();
    if (ex == nullptr) continue;
    auto wake = [&](tcp::Op& op) {
      if (op.getOpcode() != tcp::Op::SEND_UNBOUND_BUFFER) return;
      gloo::NonOwningPtr<tcp::UnboundBuffer> buf(op.ubuf);  // keeps it alive meanwhile
      if (buf) (buf.operator->()->*signal)(ex);
    };
    for (auto& op : pair->*PairInternals::outgoing()) wake(op);
    wake(pair->*PairInternals::incoming());  // set once a message's header has been read
  }
}

struct Handle {
  std::shared_ptr<gloo::rendezvous::Context> context;
  std::vector<char> scratch;  // reduce-scatter's all-to-all output, reused across calls
  bool broken = false;

  // The watchdog looks for failed pairs every kWatchInterval while a collective is in flight
  // and sleeps otherwise; it needs no lock on the context, which outlives it (see ~Handle).
  static constexpr std::chrono::milliseconds kWatchInterval{50};
  std::mutex m;
  std::condition_variable cv;
  bool inFlight = false;
  bool idle = false;  // the watchdog waits for a collective (a start must notify it)
  bool stop = false;
  std::thread watchdog;

  explicit Handle(std::shared_ptr<gloo::rendezvous::Context> c) : context(std::move(c)) {
    watchdog = std::thread([this] { watch(); });
  }

  ~Handle() {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
    }
    cv.notify_all();
    watchdog.join();
  }

  void watch() {
    std::unique_lock<std::mutex> lock(m);
    while (!stop) {
      idle = true;
      cv.wait(lock, [this] { return stop || inFlight; });
      idle = false;
      // at most one look per interval, and none while no collective runs
      while (!stop && inFlight) {
        if (cv.wait_for(lock, kWatchInterval, [this] { return stop || !inFlight; })) break;
        lock.unlock();
        try {
          wakeStrandedBuffers(*context);
        } catch (...) {
          // an exception escaping a thread would end the JVM; the collective's timeout remains
        }
        lock.lock();
      }
    }
  }

  // Marks a collective in flight for its scope.
  struct InFlight {
    Handle& h;
    explicit InFlight(Handle& handle) : h(handle) {
      bool wake;
      {
        std::lock_guard<std::mutex> lock(h.m);
        h.inFlight = true;
        wake = h.idle;
      }
      if (wake) h.cv.notify_one();
    }
    ~InFlight() {
      std::lock_guard<std::mutex> lock(h.m);
      h.inFlight = false;
    }
  };
};

std::string javaString(JNIEnv* env, jstring s) {
  if (s == nullptr) return std::string();
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

// Rethrows a pending Java exception (from an upcall) as a C++ one, keeping its text.
void checkJava(JNIEnv* env, const char* what) {
  jthrowable t = env->ExceptionOccurred();
  if (t == nullptr) return;
  env->ExceptionClear();
  jclass object = env->FindClass("java/lang/Object");
  jmethodID toString = env->GetMethodID(object, "toString", "()Ljava/lang/String;");
  jstring text = static_cast<jstring>(env->CallObjectMethod(t, toString));
  std::string msg = env->ExceptionCheck() ? std::string("(no message)") : javaString(env, text);
  env->ExceptionClear();
  env->DeleteLocalRef(text);
  env->DeleteLocalRef(object);
  env->DeleteLocalRef(t);
  throw std::runtime_error(std::string(what) + ": " + msg);
}

// A gloo::rendezvous::Store that forwards to a Java KeyValueStore on the calling thread (Gloo
// calls the store only inside connectFullMesh, on the thread that called connect).
class JavaStore : public gloo::rendezvous::Store {
 public:
  JavaStore(JNIEnv* env, jobject store, std::chrono::milliseconds timeout)
      : env_(env), store_(store), timeout_(timeout) {
    jclass c = env->FindClass("io/github/selfsup4j/gloo/KeyValueStore");
    set_ = env->GetMethodID(c, "set", "(Ljava/lang/String;[B)V");
    get_ = env->GetMethodID(c, "get", "(Ljava/lang/String;J)[B");
    await_ = env->GetMethodID(c, "await", "([Ljava/lang/String;J)V");
    checkJava(env, "store methods");
    env->DeleteLocalRef(c);
  }

  void set(const std::string& key, const std::vector<char>& data) override {
    jstring k = env_->NewStringUTF(key.c_str());
    jbyteArray v = env_->NewByteArray(static_cast<jsize>(data.size()));
    env_->SetByteArrayRegion(v, 0, static_cast<jsize>(data.size()),
                             reinterpret_cast<const jbyte*>(data.data()));
    env_->CallVoidMethod(store_, set_, k, v);
    env_->DeleteLocalRef(k);
    env_->DeleteLocalRef(v);
    checkJava(env_, "store set");
  }

  std::vector<char> get(const std::string& key) override {
    jstring k = env_->NewStringUTF(key.c_str());
    auto v = static_cast<jbyteArray>(
        env_->CallObjectMethod(store_, get_, k, static_cast<jlong>(timeout_.count())));
    env_->DeleteLocalRef(k);
    checkJava(env_, "store get");
    std::vector<char> out(env_->GetArrayLength(v));
    env_->GetByteArrayRegion(v, 0, static_cast<jsize>(out.size()),
                             reinterpret_cast<jbyte*>(out.data()));
    env_->DeleteLocalRef(v);
    return out;
  }

  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }

  void wait(const std::vector<std::string>& keys,
            const std::chrono::milliseconds& timeout) override {
    jclass string = env_->FindClass("java/lang/String");
    jobjectArray arr = env_->NewObjectArray(static_cast<jsize>(keys.size()), string, nullptr);
    env_->DeleteLocalRef(string);
    for (size_t i = 0; i < keys.size(); i++) {
      jstring k = env_->NewStringUTF(keys[i].c_str());
      env_->SetObjectArrayElement(arr, static_cast<jsize>(i), k);
      env_->DeleteLocalRef(k);
    }
    env_->CallVoidMethod(store_, await_, arr, static_cast<jlong>(timeout.count()));
    env_->DeleteLocalRef(arr);
    checkJava(env_, "store wait");
  }

 private:
  JNIEnv* env_;
  jobject store_;
  std::chrono::milliseconds timeout_;
  jmethodID set_, get_, await_;
};

void throwJava(JNIEnv* env, const std::string& msg) {
  if (env->ExceptionCheck()) return;
  env->ThrowNew(env->FindClass("java/lang/IllegalStateException"), msg.c_str());
}

template <typename T>
void runOp(Handle* h, int op, T* in, T* out, size_t count, int root, uint32_t tag,
           std::chrono::milliseconds timeout) {
  const auto& ctx = h->context;
  switch (op) {
    case ALLGATHER: {
      gloo::AllgatherOptions o(ctx);
      o.setInput(in, count);
      o.setOutput(out, count * ctx->size);
      o.setTag(tag);
      o.setTimeout(timeout);
      gloo::allgather(o);
      return;
    }
    case ALLREDUCE: {  // in place on the output (Java passes the same buffer twice)
      if (out != in) std::memcpy(out, in, count * sizeof(T));
      gloo::AllreduceOptions o(ctx);
      o.setOutput(out, count);
      void (*fn)(void*, const void*, const void*, size_t) = &gloo::sum<T>;
      o.setReduceFunction(fn);
      o.setTag(tag);
      o.setTimeout(timeout);
      gloo::allreduce(o);
      return;
    }
    case REDUCE_SCATTER: {
      // An all-to-all sends block r of every rank to rank r (each rank sends (W-1)/W of its
      // array, as a ring reduce-scatter does); the blocks are then summed in rank order, the
      // order LocalCollective uses, so both give the same bits.
      size_t block = count / ctx->size;
      h->scratch.resize(count * sizeof(T));
      T* all = reinterpret_cast<T*>(h->scratch.data());
      gloo::AlltoallOptions o(ctx);
      o.setInput(in, count);
      o.setOutput(all, count);
      o.setTag(tag);
      o.setTimeout(timeout);
      gloo::alltoall(o);
      std::memcpy(out, all, block * sizeof(T));
      for (int r = 1; r < ctx->size; r++) {
        const T* b = all + r * block;
        for (size_t i = 0; i < block; i++) out[i] += b[i];
      }
      return;
    }
    case BROADCAST: {  // in place on the output; only the root's contents matter
      if (out != in) std::memcpy(out, in, count * sizeof(T));
      gloo::BroadcastOptions o(ctx);
      o.setOutput(out, count);
      o.setRoot(root);
      o.setTag(tag);
      o.setTimeout(timeout);
      gloo::broadcast(o);
      return;
    }
    case BARRIER: {
      gloo::BarrierOptions o(ctx);
      o.setTag(tag);
      o.setTimeout(timeout);
      gloo::barrier(o);
      return;
    }
    default:
      throw std::invalid_argument("unknown operation " + std::to_string(op));
  }
}

}  // namespace

JNIEXPORT jlong JNICALL Java_io_github_selfsup4j_gloo_GlooCollective_connect(
    JNIEnv* env, jclass, jint rank, jint size, jstring hostname, jstring iface,
    jlong timeoutMs, jobject store, jstring prefix, jstring fileStoreDir) {
  try {
    gloo::transport::tcp::attr attr;
    std::string ifname = javaString(env, iface);
    if (!ifname.empty()) {
      attr.iface = ifname;
    } else {
      attr.hostname = javaString(env, hostname);
    }
    auto device = gloo::transport::tcp::CreateDevice(attr);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    std::chrono::milliseconds timeout(timeoutMs);
    context->setTimeout(timeout);
    if (fileStoreDir != nullptr) {
      gloo::rendezvous::FileStore files(javaString(env, fileStoreDir));
      context->connectFullMesh(files, device);
    } else {
      JavaStore java(env, store, timeout);
      gloo::rendezvous::PrefixStore prefixed(javaString(env, prefix), java);
      context->connectFullMesh(prefixed, device);
    }
    return reinterpret_cast<jlong>(new Handle(context));
  } catch (const std::exception& e) {
    throwJava(env, std::string("gloo rendezvous failed on rank ") + std::to_string(rank) +
                       " of " + std::to_string(size) + ": " + e.what());
    return 0;
  }
}

JNIEXPORT void JNICALL Java_io_github_selfsup4j_gloo_GlooCollective_run(
    JNIEnv* env, jclass, jlong handle, jint op, jint dtype, jobject in, jobject out,
    jlong count, jint root, jint tag, jlong timeoutMs) {
  auto* h = reinterpret_cast<Handle*>(handle);
  if (h->broken) {
    throwJava(env, "the group is broken by an earlier failure");
    return;
  }
  try {
    void* src = env->GetDirectBufferAddress(in);
    void* dst = env->GetDirectBufferAddress(out);
    if (op != BARRIER && (src == nullptr || dst == nullptr)) {
      throw std::invalid_argument("buffers must be direct");
    }
    std::chrono::milliseconds timeout(timeoutMs);
    Handle::InFlight watched(*h);
    if (dtype == 0) {
      runOp(h, op, static_cast<float*>(src), static_cast<float*>(dst), count, root, tag, timeout);
    } else {
      runOp(h, op, static_cast<double*>(src), static_cast<double*>(dst), count, root, tag,
            timeout);
    }
  } catch (const std::exception& e) {
    h->broken = true;
    // Gloo closes only the connection that failed (all of them on a timeout); the peers still
    // waiting on this rank over the others would wait for their timeout. Closing them all
    // (with a reset) fails those peers at once, whatever the ring order.
    try {
      h->context->closeConnections();
    } catch (...) {
      // the error below is what the caller needs
    }
    throwJava(env, e.what());
  }
}

JNIEXPORT void JNICALL Java_io_github_selfsup4j_gloo_GlooCollective_destroy(
    JNIEnv*, jclass, jlong handle) {
  delete reinterpret_cast<Handle*>(handle);
}

// Gloo's RedisStore for io.github.selfsup4j.gloo.RedisStore, which polls check() itself so that
// every wait has the caller's timeout (RedisStore::get waits up to Gloo's default 30 s).

namespace {
#if SELFSUP4J_REDIS
using Redis = gloo::rendezvous::RedisStore;
#else
// Built without Redis: a stand-in that refuses to connect (Java checks supported() first).
struct Redis {
  Redis(const std::string&, int) {
    throw std::runtime_error("this build of the native shim has no Redis support");
  }
  void set(const std::string&, const std::vector<char>&) {}
  std::vector<char> get(const std::string&) { return {}; }
  bool check(const std::vector<std::string>&) { return false; }
};
#endif

Redis* redisOf(jlong handle) { return reinterpret_cast<Redis*>(handle); }
}  // namespace

JNIEXPORT jboolean JNICALL
Java_io_github_selfsup4j_gloo_RedisStore_redisSupported(JNIEnv*, jclass) {
  return SELFSUP4J_REDIS ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL
Java_io_github_selfsup4j_gloo_RedisStore_redisOpen(JNIEnv* env, jclass, jstring host, jint port) {
  try {
    return reinterpret_cast<jlong>(new Redis(javaString(env, host), port));
  } catch (const std::exception& e) {
    throwJava(env, e.what());
    return 0;
  }
}

JNIEXPORT void JNICALL Java_io_github_selfsup4j_gloo_RedisStore_redisSet(
    JNIEnv* env, jclass, jlong handle, jstring key, jbyteArray value) {
  try {
    std::vector<char> data(env->GetArrayLength(value));
    env->GetByteArrayRegion(value, 0, static_cast<jsize>(data.size()),
                            reinterpret_cast<jbyte*>(data.data()));
    redisOf(handle)->set(javaString(env, key), data);
  } catch (const std::exception& e) {
    throwJava(env, e.what());
  }
}

JNIEXPORT jboolean JNICALL Java_io_github_selfsup4j_gloo_RedisStore_redisCheck(
    JNIEnv* env, jclass, jlong handle, jstring key) {
  try {
    return redisOf(handle)->check({javaString(env, key)}) ? JNI_TRUE : JNI_FALSE;
  } catch (const std::exception& e) {
    throwJava(env, e.what());
    return JNI_FALSE;
  }
}

JNIEXPORT jbyteArray JNICALL Java_io_github_selfsup4j_gloo_RedisStore_redisGet(
    JNIEnv* env, jclass, jlong handle, jstring key) {
  try {
    std::vector<char> data = redisOf(handle)->get(javaString(env, key));
    jbyteArray out = env->NewByteArray(static_cast<jsize>(data.size()));
    env->SetByteArrayRegion(out, 0, static_cast<jsize>(data.size()),
                            reinterpret_cast<const jbyte*>(data.data()));
    return out;
  } catch (const std::exception& e) {
    throwJava(env, e.what());
    return nullptr;
  }
}

JNIEXPORT void JNICALL Java_io_github_selfsup4j_gloo_RedisStore_redisClose(JNIEnv*, jclass,
                                                                            jlong handle) {
  delete redisOf(handle);
}
