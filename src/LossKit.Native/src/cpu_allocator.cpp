// libtorch's CPU allocator with a layer for large blocks: freed ones are kept for reuse, fresh ones get transparent
// huge pages (Linux).
//
// Why: a fresh N x C gradient of a large loss (512 x 32000 float32 = 64 MiB) is a fresh mmap in glibc, and its first
// touch costs one page fault per 4 KiB page, plus the kernel zeroing the page. Measured here (one thread, forward +
// backward): nll_loss on 512 x 32000 takes ~30-40 ms, of which all but ~3 ms are those 16384 faults; with 2 MiB pages
// ~5 ms; reusing the previous step's block (already resident) ~3 ms. A training loop allocates the same sizes every
// step, so a bounded cache of freed large blocks removes the faults altogether; huge pages (what PyTorch >= 2.1 does
// behind THP_MEM_ALLOC_ENABLE=1) make the remaining fresh blocks cheap. glibc alone reuses heap blocks below its
// dynamic mmap threshold (at most 32 MiB) and maps everything above it afresh each time.
//
// The memory comes from posix_memalign and goes back through free, like libtorch's own allocator's; blocks below
// 2 MiB, and all blocks while both features are off, go to the allocator that was installed before. The deleter looks
// the block up, so pointers from either allocator may be handed to it (libtorch's raw_allocate / raw_deleter pairing).
//
// Costs: up to the cache limit of memory stays resident after the tensors that used it are gone (EmptyCache returns
// it); a block's size rounds up to a multiple of 2 MiB; large blocks are not reported to libtorch's memory profiler.
#include "common.h"

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if !defined(_WIN32)  // posix_memalign / free; on Windows libtorch's allocator is left as it is
namespace {

constexpr size_t kLargeBlock = size_t{2} << 20;  // 2 MiB: the huge page size, and where the layer starts
constexpr int64_t kDefaultCacheLimit = int64_t{256} << 20;

bool env_is_off(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && (std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 || std::strcmp(v, "false") == 0);
}

// The kernel's THP mode, from e.g. "always [madvise] never": huge pages on request are possible unless it is "never".
bool kernel_allows_huge_pages() {
#if defined(__linux__)
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return !text.empty() && text.find("[never]") == std::string::npos;
#else
  return false;
#endif
}

int64_t cache_limit_from_environment() {
  const char* v = std::getenv("LOSSKIT_CPU_CACHE_MB");
  if (v == nullptr || *v == '\0') return kDefaultCacheLimit;
  char* end = nullptr;
  const long long mb = std::strtoll(v, &end, 10);
  return (end != nullptr && *end == '\0' && mb >= 0) ? static_cast<int64_t>(mb) << 20 : kDefaultCacheLimit;
}

class LargeBlockCpuAllocator final : public c10::Allocator {
 public:
  explicit LargeBlockCpuAllocator(c10::Allocator* fallback)
      : fallback_(fallback), fallback_deleter_(fallback->raw_deleter()) {}

  c10::DataPtr allocate(size_t nbytes) const override {
    const bool huge = huge_pages.load(std::memory_order_relaxed);
    const int64_t limit = cache_limit.load(std::memory_order_relaxed);
    if (nbytes < kLargeBlock || (!huge && limit == 0)) return fallback_->allocate(nbytes);
    const size_t size = (nbytes + kLargeBlock - 1) / kLargeBlock * kLargeBlock;
    void* data = take_cached(size);
    if (data == nullptr) {
      if (posix_memalign(&data, kLargeBlock, size) != 0 || data == nullptr)
        TORCH_CHECK(false, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes, " bytes.");
#if defined(__linux__)
      // Advice only: where the kernel cannot (no free 2 MiB page) it falls back to small pages.
      if (huge) madvise(data, size, MADV_HUGEPAGE);
#endif
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_.emplace(data, size);
    }
    return {data, data, &LargeBlockCpuAllocator::Delete, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &LargeBlockCpuAllocator::Delete; }

  // Frees every cached block; returns the bytes released.
  int64_t empty_cache() {
    std::vector<void*> release;
    int64_t released = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [size, p] : cache_) release.push_back(p);
      released = cached_bytes_;
      cache_.clear();
      cached_bytes_ = 0;
    }
    for (void* p : release) std::free(p);
    return released;
  }

  int64_t cached_bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_bytes_;
  }

  std::atomic<bool> huge_pages{false};
  std::atomic<int64_t> cache_limit{0};

 private:
  static void Delete(void* p);

  void release(void* p) {
    std::vector<void*> evicted;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto it = live_.find(p);
      if (it == live_.end()) {
        // Not one of ours: a small block from the previous allocator, reaching us through raw_deleter().
        lock.unlock();
        fallback_deleter_(p);
        return;
      }
      const size_t size = it->second;
      live_.erase(it);
      const int64_t limit = cache_limit.load(std::memory_order_relaxed);
      if (static_cast<int64_t>(size) > limit) {
        evicted.push_back(p);
      } else {
        // Oldest first out, until the block fits under the limit.
        while (cached_bytes_ + static_cast<int64_t>(size) > limit && !cache_.empty()) {
          cached_bytes_ -= static_cast<int64_t>(cache_.front().first);
          evicted.push_back(cache_.front().second);
          cache_.pop_front();
        }
        cache_.emplace_back(size, p);
        cached_bytes_ += static_cast<int64_t>(size);
      }
    }
    for (void* e : evicted) std::free(e);
  }

  void* take_cached(size_t size) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = cache_.rbegin(); it != cache_.rend(); ++it) {  // the most recently freed block is the warmest
      if (it->first != size) continue;
      void* p = it->second;
      cached_bytes_ -= static_cast<int64_t>(size);
      cache_.erase(std::next(it).base());
      return p;
    }
    return nullptr;
  }

  c10::Allocator* fallback_;
  c10::DeleterFnPtr fallback_deleter_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> live_;
  mutable std::deque<std::pair<size_t, void*>> cache_;
  mutable int64_t cached_bytes_ = 0;
};

// Installed when the library loads (libc10 registers its own allocator first: it is a dependency) and never
// destroyed: tensors freed during process exit still call into it.
LargeBlockCpuAllocator* install() {
  auto* allocator = new LargeBlockCpuAllocator(c10::GetCPUAllocator());
  allocator->huge_pages.store(kernel_allows_huge_pages() && !env_is_off("LOSSKIT_HUGE_PAGES"));
  allocator->cache_limit.store(cache_limit_from_environment());
  c10::SetCPUAllocator(allocator, /*priority=*/1);
  return allocator;
}

LargeBlockCpuAllocator* const g_allocator = install();

void LargeBlockCpuAllocator::Delete(void* p) {
  if (p != nullptr) g_allocator->release(p);
}

}  // namespace

LK_API int32_t lk_cpu_huge_pages(void) { return g_allocator->huge_pages.load() ? 1 : 0; }

LK_API int32_t lk_set_cpu_huge_pages(int32_t enabled) {
  if (enabled != 0 && !kernel_allows_huge_pages()) return g_allocator->huge_pages.load() ? 1 : 0;
  return g_allocator->huge_pages.exchange(enabled != 0) ? 1 : 0;
}

LK_API int64_t lk_cpu_cache_limit(void) { return g_allocator->cache_limit.load(); }

LK_API int64_t lk_set_cpu_cache_limit(int64_t bytes) {
  if (bytes < 0) bytes = 0;
  const int64_t previous = g_allocator->cache_limit.exchange(bytes);
  if (bytes < previous) {
    // Shrink now rather than at the next free: release everything, the next steps refill up to the new limit.
    g_allocator->empty_cache();
  }
  return previous;
}

LK_API int64_t lk_cpu_cached_bytes(void) { return g_allocator->cached_bytes(); }

LK_API int64_t lk_cpu_empty_cache(void) { return g_allocator->empty_cache(); }
#else
LK_API int32_t lk_cpu_huge_pages(void) { return 0; }
LK_API int32_t lk_set_cpu_huge_pages(int32_t) { return 0; }
LK_API int64_t lk_cpu_cache_limit(void) { return 0; }
LK_API int64_t lk_set_cpu_cache_limit(int64_t) { return 0; }
LK_API int64_t lk_cpu_cached_bytes(void) { return 0; }
LK_API int64_t lk_cpu_empty_cache(void) { return 0; }
#endif
