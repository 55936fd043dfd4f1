// Long C++ work run from Python without freezing it: the GIL released, Ctrl-C and progress
// handled by the calling thread.
#pragma once
#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <thread>

namespace fe_bind {

namespace py = pybind11;

// Runs fn on a helper thread while the calling thread keeps the interpreter responsive: it
// waits without the GIL, checks for Ctrl-C and calls `progress` about once a second.
template <class Fn>
void run_interruptible(Fn&& fn, std::atomic<bool>& stop, py::object progress, std::atomic<uint64_t>& done) {
  std::exception_ptr err;
  std::atomic<bool> finished{false};
  std::thread t([&] {
    try {
      fn();
    } catch (...) {
      err = std::current_exception();
    }
    finished.store(true);
  });
  auto last = std::chrono::steady_clock::now();
  try {
    while (!finished.load()) {
      {
        py::gil_scoped_release nogil;
        for (int i = 0; i < 20 && !finished.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      auto now = std::chrono::steady_clock::now();
      if (!progress.is_none() && now - last >= std::chrono::seconds(1)) {
        last = now;
        progress(done.load());
      }
    }
  } catch (...) {
    stop.store(true);
    {
      py::gil_scoped_release nogil;
      t.join();
    }
    throw;
  }
  t.join();
  if (err) std::rethrow_exception(err);
}

}  // namespace fe_bind
