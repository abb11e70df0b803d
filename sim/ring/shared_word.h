// Access to the 32-bit control-page words of a ring (vmbus-wire.md §1.1, §3.3).
//
// The control page is shared with a peer that may be another process (or a hostile host) and
// may write any word at any moment. Every access therefore goes through these helpers, never a
// plain dereference: a plain load may be torn, cached in a register, re-read later (double
// fetch) or reordered around the packet copies, all of which break the §3.3 protocol.
//
// Internal to sim/ring; not part of the ring API.
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "the ring code memcpys descriptors and trailers in host order; the wire is little-endian");
#endif

namespace vmbsim::ring::shared {

// The control page must be at least 4-byte aligned (it is page-aligned in every real layout).
inline uint32_t* word(uint8_t* control, uint32_t offset) {
  return reinterpret_cast<uint32_t*>(control + offset);
}

#if defined(__GNUC__) || defined(__clang__)

// One untorn, un-duplicated access; no ordering.
inline uint32_t load_once(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void store_once(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
// Later loads and stores (packet bytes) cannot move before this load.
inline uint32_t load_acquire(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
// Earlier loads and stores (packet bytes) cannot move after this store.
inline void store_release(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
// Orders earlier stores before later loads (Linux virt_mb); acquire/release cannot do that.
inline void full_fence() {
#if defined(__x86_64__)
  // A locked no-op RMW on the stack top is a full barrier for write-back memory and costs a
  // fraction of mfence on current cores (Linux smp_mb() and GCC's own seq_cst fence do this;
  // clang emits mfence, which doubled the round-trip time here). glibc's non-temporal memcpy
  // path ends with its own sfence, so packet copies stay ordered.
  __asm__ __volatile__("lock; orq $0, (%%rsp)" ::: "memory", "cc");
#else
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#elif defined(_MSC_VER)

// MSVC has no __atomic builtins for plain memory; a volatile access is single and untorn for an
// aligned u32, and the explicit fences give the ordering whatever /volatile: mode is in use.
inline uint32_t load_once(const uint32_t* p) { return *static_cast<const volatile uint32_t*>(p); }
inline void store_once(uint32_t* p, uint32_t v) { *static_cast<volatile uint32_t*>(p) = v; }
inline uint32_t load_acquire(const uint32_t* p) {
  const uint32_t v = *static_cast<const volatile uint32_t*>(p);
  std::atomic_thread_fence(std::memory_order_acquire);
  return v;
}
inline void store_release(uint32_t* p, uint32_t v) {
  std::atomic_thread_fence(std::memory_order_release);
  *static_cast<volatile uint32_t*>(p) = v;
}
inline void full_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

#else
#error "vmbsim ring: no shared-memory access primitives for this compiler"
#endif

// Compiler-only barrier: after it, values already copied out of shared memory are used as they
// are and never re-fetched from the ring (the copy is the single fetch, wire #30).
inline void compiler_barrier() { std::atomic_signal_fence(std::memory_order_seq_cst); }

}  // namespace vmbsim::ring::shared
