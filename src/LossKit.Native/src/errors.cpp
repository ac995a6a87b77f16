// The thread-local last error, and the one place where C++ exceptions are turned into error kinds.
#include "common.h"

#include <c10/util/Exception.h>
#include <c10/util/Logging.h>
#include <torch/version.h>

#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>

namespace {

thread_local int32_t last_kind = LK_OK;
thread_local std::string last_message;

struct NonFiniteInfo {
  std::string loss, argument;
  int64_t count = 0, numel = 0, index = -1;
  double value = 0;
};
thread_local NonFiniteInfo last_non_finite;

// libtorch symbolises the whole C++ call stack into every c10::Error it constructs (about 4 ms per error on a typical
// machine, a thousand times the cost of the failed operation), and LossKit never shows it: messages are taken with
// what_without_backtrace. So the shim turns that work off when it is loaded, unless LOSSKIT_CPP_BACKTRACES=1 keeps
// libtorch's default (the setting is process-wide, for any other user of this libtorch in the process).
const bool cpp_backtraces_off = [] {
  const char* keep = std::getenv("LOSSKIT_CPP_BACKTRACES");
  if (keep != nullptr && std::string(keep) == "1") return false;
  c10::SetStackTraceFetcher([] { return std::string(); });
  return true;
}();

lk_status record(int32_t kind, const char* message) noexcept {
  last_kind = kind;
  try {
    last_message = (message != nullptr && *message != '\0') ? message : "unknown native error";
  } catch (...) {
    // Out of memory while copying the message: keep the kind, drop the text.
    last_kind = LK_ERR_OUT_OF_MEMORY;
  }
  return kind;
}

}  // namespace

namespace lk {

lk_status record_current_exception() noexcept {
  try {
    throw;
  } catch (const lk::NonFiniteError& e) {
    try {
      last_non_finite = NonFiniteInfo{e.loss, e.argument, e.count, e.numel, e.index, e.value};
    } catch (...) {
      last_non_finite = NonFiniteInfo{};
    }
    return record(LK_ERR_NON_FINITE, e.what());
  } catch (const c10::IndexError& e) {
    return record(LK_ERR_INDEX, e.what_without_backtrace());
  } catch (const c10::ValueError& e) {
    return record(LK_ERR_VALUE, e.what_without_backtrace());
  } catch (const c10::TypeError& e) {
    return record(LK_ERR_TYPE, e.what_without_backtrace());
  } catch (const c10::NotImplementedError& e) {
    return record(LK_ERR_NOT_IMPLEMENTED, e.what_without_backtrace());
  } catch (const c10::Error& e) {
    // libtorch's messages end with the C++ source location on a separate line; keep the first part
    // (what_without_backtrace has no stack trace, only the message the operator wrote).
    const char* msg = e.what_without_backtrace();
    bool oom = std::string(msg).find("out of memory") != std::string::npos;
    return record(oom ? LK_ERR_OUT_OF_MEMORY : LK_ERR_GENERIC, msg);
  } catch (const std::bad_alloc&) {
    return record(LK_ERR_OUT_OF_MEMORY, "native memory allocation failed (std::bad_alloc)");
  } catch (const std::out_of_range& e) {
    return record(LK_ERR_INDEX, e.what());
  } catch (const std::invalid_argument& e) {
    return record(LK_ERR_VALUE, e.what());
  } catch (const std::exception& e) {
    return record(LK_ERR_GENERIC, e.what());
  } catch (...) {
    return record(LK_ERR_UNKNOWN, "a native exception of unknown type was thrown");
  }
}

}  // namespace lk

LK_API int32_t lk_abi_version(void) { return LK_ABI_VERSION; }

LK_API const char* lk_torch_version(void) {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  return "unknown";
#endif
}

LK_API int32_t lk_last_error_kind(void) { return last_kind; }

LK_API const char* lk_last_error_message(void) { return last_message.c_str(); }

LK_API lk_status lk_last_non_finite(const char** loss, const char** argument, int64_t* count, int64_t* numel, int64_t* index,
                                    double* value) {
  if (last_kind != LK_ERR_NON_FINITE) return LK_ERR_VALUE;  // no record(): the last error stays what it was
  const NonFiniteInfo& i = last_non_finite;
  if (loss != nullptr) *loss = i.loss.c_str();
  if (argument != nullptr) *argument = i.argument.c_str();
  if (count != nullptr) *count = i.count;
  if (numel != nullptr) *numel = i.numel;
  if (index != nullptr) *index = i.index;
  if (value != nullptr) *value = i.value;
  return LK_OK;
}

LK_API lk_status lk_debug_raise(int32_t kind, const char* message) {
  return lk::status_call([&] {
    std::string m = message != nullptr ? message : "debug";
    switch (kind) {
      case LK_ERR_INDEX: throw c10::IndexError({__func__, __FILE__, 0}, m);
      case LK_ERR_VALUE: throw c10::ValueError({__func__, __FILE__, 0}, m);
      case LK_ERR_TYPE: throw c10::TypeError({__func__, __FILE__, 0}, m);
      case LK_ERR_NOT_IMPLEMENTED: throw c10::NotImplementedError({__func__, __FILE__, 0}, m);
      case LK_ERR_OUT_OF_MEMORY: throw std::bad_alloc();
      case LK_ERR_UNKNOWN: throw 42;
      case LK_ERR_NON_FINITE: throw lk::NonFiniteError(m, "DebugLoss", "input", 1, 4, 2, std::numeric_limits<double>::quiet_NaN());
      default: TORCH_CHECK(false, m);
    }
  });
}
