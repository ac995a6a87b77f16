// libtorch's CPU allocator, with transparent huge pages for large blocks (Linux).
//
// Why: a fresh N x C gradient of a large loss (512 x 32000 float32 = 64 MiB) is a fresh mmap in glibc, and its first
// touch costs one page fault per 4 KiB page. Measured here (one thread, forward + backward, both sides alike):
// nll_loss on 512 x 32000 takes ~30 ms, of which ~25 ms are those 16384 faults; with 2 MiB pages it takes ~5 ms.
// So blocks of 2 MiB or more are 2 MiB-aligned and advised MADV_HUGEPAGE, exactly what PyTorch >= 2.1 does behind
// THP_MEM_ALLOC_ENABLE=1 (c10/core/impl/alloc_cpu.cpp). The memory still comes from posix_memalign and goes back
// through free, so every pointer stays interchangeable with libtorch's own allocator's (its raw deleter included).
// Smaller blocks, and every block while the setting is off, go to the allocator that was installed before.
//
// Cost: a large block's resident size rounds up to whole 2 MiB pages (less than 2 MiB per block), and blocks above
// 2 MiB bypass the profiler's memory reporting of c10's default allocator.
#include "common.h"

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <iterator>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

#if defined(__linux__)
constexpr size_t kHugePage = size_t{2} << 20;

class HugePageCpuAllocator final : public c10::Allocator {
 public:
  explicit HugePageCpuAllocator(c10::Allocator* fallback) : fallback_(fallback) {}

  c10::DataPtr allocate(size_t nbytes) const override {
    if (nbytes < kHugePage || !enabled.load(std::memory_order_relaxed)) return fallback_->allocate(nbytes);
    void* data = nullptr;
    if (posix_memalign(&data, kHugePage, nbytes) != 0 || data == nullptr)
      TORCH_CHECK(false, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes, " bytes.");
    // Advice only: where the kernel cannot (THP off, no free 2 MiB page) it falls back to small pages.
    madvise(data, nbytes, MADV_HUGEPAGE);
    return {data, data, raw_deleter(), c10::Device(c10::DeviceType::CPU)};
  }

  // libtorch's deleter frees with free() (after its profiler bookkeeping, which ignores unknown blocks).
  c10::DeleterFnPtr raw_deleter() const override { return fallback_->raw_deleter(); }

  std::atomic<bool> enabled{false};

 private:
  c10::Allocator* fallback_;
};

// The kernel's THP mode, from "always [madvise] never": huge pages on request are possible unless it is "never".
bool kernel_allows_huge_pages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return !text.empty() && text.find("[never]") == std::string::npos;
}

bool disabled_by_environment() {
  const char* v = std::getenv("LOSSKIT_HUGE_PAGES");
  return v != nullptr && (std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 || std::strcmp(v, "false") == 0);
}

// Installed when the library loads (libc10's own allocator is registered by then: it is a dependency), and never
// destroyed: tensors freed during process exit may still call into it.
HugePageCpuAllocator* install() {
  auto* allocator = new HugePageCpuAllocator(c10::GetCPUAllocator());
  c10::SetCPUAllocator(allocator, /*priority=*/1);
  allocator->enabled.store(kernel_allows_huge_pages() && !disabled_by_environment());
  return allocator;
}

HugePageCpuAllocator* const g_allocator = install();
#endif

}  // namespace

LK_API int32_t lk_cpu_huge_pages(void) {
#if defined(__linux__)
  return g_allocator->enabled.load() ? 1 : 0;
#else
  return 0;
#endif
}

LK_API int32_t lk_set_cpu_huge_pages(int32_t enabled) {
#if defined(__linux__)
  return g_allocator->enabled.exchange(enabled != 0) ? 1 : 0;
#else
  (void)enabled;
  return 0;
#endif
}
