#include "ec2api/protocol/pagination.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string_view>

#include "common/error_codes.h"

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

constexpr std::string_view kTokenPrefix = "mv1.";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url without padding.
std::string EncodeToken(std::string_view key) {
  std::string out(kTokenPrefix);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : key) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}

// The key inside `token`, or nullopt unless EncodeToken could have made it.
std::optional<std::string> DecodeToken(std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::nullopt;
  token.remove_prefix(kTokenPrefix.size());
  std::string key;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : token) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      key += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be padding zeros, and never a whole sextet.
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return key;
}

Status InvalidValue(std::string_view value, std::string_view param, std::string_view why) {
  return Status(err::kInvalidParameterValue, "Value (" + std::string(value) + ") for parameter " +
                                                 std::string(param) + " is invalid. " +
                                                 std::string(why));
}

}  // namespace

StatusOr<Page> Paginate(const json& input, const std::vector<std::string>& sorted_keys,
                        int min_results, int max_results) {
  assert(std::adjacent_find(sorted_keys.begin(), sorted_keys.end(), std::greater_equal<>()) ==
         sorted_keys.end());
  Page page;
  page.end = sorted_keys.size();
  if (!input.is_object()) return page;
  if (auto tok = input.find("NextToken"); tok != input.end() && tok->is_string()) {
    const std::string& text = tok->get_ref<const std::string&>();
    if (!text.empty()) {
      std::optional<std::string> last = DecodeToken(text);
      if (!last) return InvalidValue(text, "nextToken", "The token is invalid.");
      page.begin = static_cast<size_t>(
          std::upper_bound(sorted_keys.begin(), sorted_keys.end(), *last) - sorted_keys.begin());
    }
  }
  if (auto max = input.find("MaxResults"); max != input.end() && !max->is_null()) {
    if (!max->is_number_integer() || max->get<int64_t>() < min_results ||
        max->get<int64_t>() > max_results) {
      return InvalidValue(max->dump(), "maxResults",
                          "Expecting a value between " + std::to_string(min_results) + " and " +
                              std::to_string(max_results) + ".");
    }
    const size_t limit = static_cast<size_t>(max->get<int64_t>());
    if (page.end - page.begin > limit) {
      page.end = page.begin + limit;
      page.next_token = EncodeToken(sorted_keys[page.end - 1]);
    }
  }
  return page;
}

}  // namespace minivpc::ec2api
