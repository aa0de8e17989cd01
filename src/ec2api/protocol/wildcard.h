// EC2 filter-value wildcards.
//
//   WildcardPattern p("web-*");
//   p.Matches("web-1");                      // true
//   WildcardMatch("\\*literal", "*literal");  // true
//
// '*' matches any run of characters (including none), '?' exactly one byte,
// and a backslash makes the next '*', '?' or '\' literal (a backslash before
// anything else is itself literal). Matching is case-sensitive and bytewise.
//
// Algorithm: the pattern is compiled once into tokens; matching is the
// classic greedy scan that, on a mismatch, backtracks only to the most
// recent '*'. That is O(pattern * value) in the worst case and linear for
// typical patterns; there is no exponential blow-up ("a*a*a*a*b" against a
// long run of 'a' costs a few passes over the value). A pattern without
// wildcards is a plain string comparison.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minivpc::ec2api {

class WildcardPattern {
 public:
  explicit WildcardPattern(std::string_view pattern);

  // Whether the whole of `value` matches. Thread safe (const).
  bool Matches(std::string_view value) const;

 private:
  enum class Kind : char { kLiteral, kAnyOne, kAnyRun };
  struct Token {
    Kind kind;
    char c;  // kLiteral only
  };

  std::vector<Token> tokens_;
  std::string literal_;  // the unescaped pattern when it has no wildcards
  bool has_wildcards_ = false;
};

// WildcardPattern(pattern).Matches(value), for one-off checks.
bool WildcardMatch(std::string_view pattern, std::string_view value);

}  // namespace minivpc::ec2api
