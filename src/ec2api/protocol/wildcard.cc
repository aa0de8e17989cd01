#include "ec2api/protocol/wildcard.h"

namespace minivpc::ec2api {

WildcardPattern::WildcardPattern(std::string_view pattern) {
  tokens_.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() &&
        (pattern[i + 1] == '*' || pattern[i + 1] == '?' || pattern[i + 1] == '\\')) {
      tokens_.push_back({Kind::kLiteral, pattern[++i]});
    } else if (c == '*') {
      // Consecutive stars are one star.
      if (tokens_.empty() || tokens_.back().kind != Kind::kAnyRun) {
        tokens_.push_back({Kind::kAnyRun, 0});
      }
      has_wildcards_ = true;
    } else if (c == '?') {
      tokens_.push_back({Kind::kAnyOne, 0});
      has_wildcards_ = true;
    } else {
      tokens_.push_back({Kind::kLiteral, c});
    }
  }
  if (!has_wildcards_) {
    for (const Token& t : tokens_) literal_ += t.c;
    tokens_.clear();
  }
}

bool WildcardPattern::Matches(std::string_view value) const {
  if (!has_wildcards_) return value == literal_;
  const size_t n = tokens_.size();
  size_t p = 0, v = 0;
  size_t star = n;    // index of the last '*' seen; n when none yet
  size_t resume = 0;  // value position that '*' currently stops at
  while (v < value.size()) {
    if (p < n && tokens_[p].kind == Kind::kAnyRun) {
      star = p++;
      resume = v;
    } else if (p < n && (tokens_[p].kind == Kind::kAnyOne || tokens_[p].c == value[v])) {
      ++p;
      ++v;
    } else if (star != n) {
      // Let the last '*' swallow one more character and retry after it.
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < n && tokens_[p].kind == Kind::kAnyRun) ++p;
  return p == n;
}

bool WildcardMatch(std::string_view pattern, std::string_view value) {
  return WildcardPattern(pattern).Matches(value);
}

}  // namespace minivpc::ec2api
