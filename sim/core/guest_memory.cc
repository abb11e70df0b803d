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

ring::GpaRange GuestMemory::describe(const void* buffer, uint32_t byte_count) {
  ring::GpaRange r;
  uintptr_t va = reinterpret_cast<uintptr_t>(buffer);
  r.byte_offset = static_cast<uint32_t>(va % kPageSize);
  r.byte_count = byte_count;
  uint32_t pages = ring::GpaRange::pages_spanned(r.byte_offset, byte_count);
  for (uint32_t i = 0; i < pages; ++i)
    r.pfns.push_back(pfn_for(reinterpret_cast<const void*>(va - r.byte_offset + uint64_t{i} * kPageSize)));
  return r;
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

uint64_t GuestMemory::checksum(const ring::GpaRange& r, bool full) const {
  // Four independent Fletcher-style lanes over 8-byte words: any changed byte changes the
  // result, and the lanes keep the CPU busy (this runs twice per external-data transaction).
  uint64_t a[4] = {1, 2, 3, 4}, b[4] = {0, 0, 0, 0};
  uint64_t tail = 0;
  uint64_t pos = r.byte_offset;
  uint64_t left = r.byte_count;
  while (left > 0) {
    const uint8_t* p = page(r.pfns[pos / kPageSize]) + pos % kPageSize;
    uint64_t n = std::min<uint64_t>(kPageSize - pos % kPageSize, left);
    uint64_t i = 0;
    if (!full && n >= 64) {
      // Eight words spread over the piece, the first and the last included.
      uint64_t step = (n - 8) / 7;
      for (int k = 0; k < 8; ++k) {
        uint64_t w;
        std::memcpy(&w, p + k * step, 8);
        a[k & 3] += w;
        b[k & 3] += a[k & 3];
      }
      i = n;
    }
    for (; i + 32 <= n; i += 32) {
      uint64_t w[4];
      std::memcpy(w, p + i, 32);
      for (int k = 0; k < 4; ++k) {
        a[k] += w[k];
        b[k] += a[k];
      }
    }
    for (; i < n; ++i) tail = tail * 131 + p[i] + 1;
    pos += n;
    left -= n;
  }
  uint64_t h = tail;
  for (int k = 0; k < 4; ++k) h = (h ^ a[k]) * 0x100000001b3ull ^ b[k];
  return h;
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
