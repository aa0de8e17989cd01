#include "common/random.h"

#include <chrono>
#include <ctime>

namespace minivpc {

std::string Random::NewId(std::string_view prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  id.push_back('-');
  uint64_t bits = Next();
  uint64_t more = Next();
  for (int i = 0; i < 17; ++i) {
    uint64_t& src = i < 16 ? bits : more;
    id.push_back(kHex[src & 0xF]);
    src >>= 4;
  }
  return id;
}

SystemRandom::SystemRandom() {
  std::random_device rd;
  engine_.seed((uint64_t{rd()} << 32) ^ rd());
}

int64_t SystemClock::NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatIso8601(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace minivpc
