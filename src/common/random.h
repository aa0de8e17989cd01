// Injectable randomness and time, so tests replay exactly.
//
// Production uses SystemRandom/SystemClock; tests use SeededRandom/FakeClock.
// Implementations are not thread safe; callers serialise access (the model
// is mutated under one lock per region).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace minivpc {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next() = 0;
  // Uniform in [0, n). Precondition: n > 0.
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // An AWS-style resource id: `prefix` + "-" + 17 lowercase hex digits.
  std::string NewId(std::string_view prefix);
};

// Seeded from std::random_device unless a seed is given.
class SystemRandom : public Random {
 public:
  SystemRandom();
  explicit SystemRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowMillis() override;
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1767225600000) : now_(start_ms) {}
  int64_t NowMillis() override { return now_; }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  int64_t now_;
};

// "2026-01-01T00:00:00.000Z" for `ms` since the epoch (UTC).
std::string FormatIso8601(int64_t ms);

}  // namespace minivpc
