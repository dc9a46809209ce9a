// Decode pages: the predecoded instructions of one 4-KiB page of the address space, one entry per
// 16-bit parcel, followed by two sentinel entries (op_lookup) that sequential execution reaches
// when it runs off the end of the page. Pages are aligned to 64 KiB, so the run loop need not
// carry the pc: an entry's address gives it (pc_of). Internal to the CPU model.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ip/cpu/rv32.h"
#include "ip/cpu/rv32_isa.h"

namespace nvr::cpu::detail {

inline constexpr unsigned page_shift = 12;
inline constexpr unsigned granule_shift = 8;  // stores check code presence per 256 bytes
inline constexpr unsigned page_entries = (1u << page_shift) / 2;
inline constexpr unsigned granule_entries = (1u << granule_shift) / 2;
inline constexpr std::uintptr_t page_alignment = std::uintptr_t{1} << 16;
// At most this many decode pages are kept; beyond, all are dropped and code is decoded afresh (a
// guest executing more than 16 MiB of distinct code).
inline constexpr std::size_t max_decode_pages = 4096;

struct alignas(page_alignment) decode_page {
  explicit decode_page(std::uint8_t fill = op_decode) {
    for (insn& entry : e) entry.op = fill;
    e[page_entries].op = e[page_entries + 1].op = op_lookup;
  }
  insn e[page_entries + 2];  // first: pc_of relies on it
  std::uint32_t base = 0;    // address of e[0]
};
static_assert(sizeof(insn) * (page_entries + 2) < page_alignment, "entries and base share one aligned block");

// The pc of an entry of any decode page.
inline std::uint32_t pc_of(const insn* entry) {
  const auto address = reinterpret_cast<std::uintptr_t>(entry);
  const auto* page = reinterpret_cast<const decode_page*>(address & ~(page_alignment - 1));
  return page->base + static_cast<std::uint32_t>((address & (page_alignment - 1)) / (sizeof(insn) / 2));
}

}  // namespace nvr::cpu::detail

namespace nvr::cpu {

// The entry of pc (always even). A page without cached code gives the entry of the miss page
// (every entry op_decode, re-based on each use); fetch_and_decode allocates the real page when the
// code can be cached.
inline detail::insn* rv32::entry_for(std::uint32_t pc) {
  detail::decode_page* page = m_pages[pc >> detail::page_shift];
  if (__builtin_expect(page == nullptr, 0)) {
    page = m_miss_page.get();
    page->base = pc & ~((1u << detail::page_shift) - 1);
  }
  return &page->e[(pc & ((1u << detail::page_shift) - 1)) >> 1];
}

}  // namespace nvr::cpu
