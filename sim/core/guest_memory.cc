#include "sim/core/guest_memory.h"

#include <algorithm>
#include <cstring>

namespace vmbsim {

uint64_t GuestMemory::pfn_for(const void* va) {
  uintptr_t page_va = reinterpret_cast<uintptr_t>(va) & ~uintptr_t{kPageSize - 1};
  auto it = pfn_by_page_.find(page_va);
  if (it != pfn_by_page_.end()) return it->second;
  uint64_t pfn = kFirstPfn + page_by_pfn_.size();
  page_by_pfn_.push_back(page_va);
  pins_.push_back(0);
  pfn_by_page_.emplace(page_va, pfn);
  return pfn;
}

uint8_t* GuestMemory::page(uint64_t pfn) const {
  if (pfn < kFirstPfn || pfn - kFirstPfn >= page_by_pfn_.size()) return nullptr;
  return reinterpret_cast<uint8_t*>(page_by_pfn_[pfn - kFirstPfn]);
}

void GuestMemory::pin(uint64_t pfn) {
  if (known(pfn)) ++pins_[pfn - kFirstPfn];
}

void GuestMemory::unpin(uint64_t pfn) {
  if (known(pfn) && pins_[pfn - kFirstPfn] > 0) --pins_[pfn - kFirstPfn];
}

bool GuestMemory::pinned(uint64_t pfn) const { return known(pfn) && pins_[pfn - kFirstPfn] > 0; }

bool GuestMemory::accessible(const ring::GpaRange& r, uint64_t offset, size_t len) const {
  if (offset > r.byte_count || len > r.byte_count - offset) return false;
  if (len == 0) return true;
  uint64_t first = (uint64_t{r.byte_offset} + offset) / kPageSize;
  uint64_t last = (uint64_t{r.byte_offset} + offset + len - 1) / kPageSize;
  if (last >= r.pfns.size()) return false;
  for (uint64_t i = first; i <= last; ++i)
    if (!pinned(r.pfns[i])) return false;
  return true;
}

template <typename Fn>
bool GuestMemory::for_each_piece(const ring::GpaRange& r, uint64_t offset, size_t len, Fn&& fn) const {
  // Check every page first, so a refused access copies nothing.
  if (!accessible(r, offset, len)) return false;
  uint64_t pos = r.byte_offset + offset;
  size_t done = 0;
  while (done < len) {
    uint64_t in_page = pos % kPageSize;
    size_t n = static_cast<size_t>(std::min<uint64_t>(kPageSize - in_page, len - done));
    fn(page(r.pfns[pos / kPageSize]) + in_page, done, n);
    pos += n;
    done += n;
  }
  return true;
}

bool GuestMemory::read(const ring::GpaRange& r, uint64_t offset, void* dst, size_t len) const {
  return for_each_piece(r, offset, len, [dst](const uint8_t* guest, size_t at, size_t n) {
    std::memcpy(static_cast<uint8_t*>(dst) + at, guest, n);
  });
}

bool GuestMemory::write(const ring::GpaRange& r, uint64_t offset, const void* src, size_t len) {
  return for_each_piece(r, offset, len, [src](uint8_t* guest, size_t at, size_t n) {
    std::memcpy(guest, static_cast<const uint8_t*>(src) + at, n);
  });
}

}  // namespace vmbsim
