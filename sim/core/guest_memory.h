// The guest-physical address space of one simulation. A page of process memory becomes guest
// memory the first time something describes it (an MDL built over it, a GPADL, the simulated
// guest's own buffers): it gets a guest page number, the same one every time, assigned in order
// so runs are reproducible. The host side may touch a page only while a transaction or a GPADL
// pins it, just as a real host can map only what the guest described.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/ring/gpa_range.h"

namespace vmbsim {

class GuestMemory {
 public:
  static constexpr uint64_t kPageSize = 4096;
  // Guest page numbers start at 4 GiB so that small numbers are never valid by accident.
  static constexpr uint64_t kFirstPfn = 0x100000;

  // The guest page number of the page that holds `va`.
  uint64_t pfn_for(const void* va);
  // The GPA range of [buffer, buffer + byte_count); its pages become guest memory.
  ring::GpaRange describe(const void* buffer, uint32_t byte_count);
  // The process address of a guest page, or null if that number was never handed out.
  uint8_t* page(uint64_t pfn) const;
  bool known(uint64_t pfn) const { return page(pfn) != nullptr; }

  // Pins count per page; nested pins are fine.
  void pin(uint64_t pfn);
  void unpin(uint64_t pfn);
  bool pinned(uint64_t pfn) const;
  void pin(const ring::GpaRange& r) {
    for (uint64_t p : r.pfns) pin(p);
  }
  void unpin(const ring::GpaRange& r) {
    for (uint64_t p : r.pfns) unpin(p);
  }

  // True if [offset, offset + len) lies within the range and every page it touches is pinned.
  bool accessible(const ring::GpaRange& r, uint64_t offset, size_t len) const;
  // Host-side access to the bytes a range describes, from `offset` within it. False (and
  // nothing copied) if the window leaves the range or touches a page that is not pinned.
  bool read(const ring::GpaRange& r, uint64_t offset, void* dst, size_t len) const;
  bool write(const ring::GpaRange& r, uint64_t offset, const void* src, size_t len);

  // A 64-bit hash of the bytes a range describes (its pages must be known): every byte when
  // `full`, otherwise eight evenly spread words of each page piece (all of a piece under 64 bytes).
  uint64_t checksum(const ring::GpaRange& r, bool full) const;

  size_t pages() const { return page_by_pfn_.size(); }

 private:
  template <typename Fn>
  bool for_each_piece(const ring::GpaRange& r, uint64_t offset, size_t len, Fn&& fn) const;

  std::unordered_map<uintptr_t, uint64_t> pfn_by_page_;
  std::vector<uintptr_t> page_by_pfn_;  // index: pfn - kFirstPfn
  std::vector<uint32_t> pins_;
};

}  // namespace vmbsim
