// nlohmann::json conversions for the net value types, as their canonical
// text ("10.0.0.0/16", "2600:1f18::1", "02:ab:..."), so stored rows stay
// readable with the sqlite3 shell.
#pragma once

#include <nlohmann/json.hpp>

#include "net/ip.h"

namespace nlohmann {

template <>
struct adl_serializer<minivpc::IpAddress> {
  static void to_json(json& j, const minivpc::IpAddress& a) { j = a.ToString(); }
  static void from_json(const json& j, minivpc::IpAddress& a) {
    a = minivpc::IpAddress::Parse(j.get<std::string>()).value();
  }
};

template <>
struct adl_serializer<minivpc::Cidr> {
  static void to_json(json& j, const minivpc::Cidr& c) { j = c.ToString(); }
  static void from_json(const json& j, minivpc::Cidr& c) {
    c = minivpc::Cidr::Parse(j.get<std::string>()).value();
  }
};

template <>
struct adl_serializer<minivpc::MacAddress> {
  static void to_json(json& j, const minivpc::MacAddress& m) { j = m.ToString(); }
  static void from_json(const json& j, minivpc::MacAddress& m) {
    m = minivpc::MacAddress::Parse(j.get<std::string>()).value();
  }
};

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& o) {
    if (o) {
      j = *o;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& o) {
    if (j.is_null()) {
      o.reset();
    } else {
      o = j.get<T>();
    }
  }
};

}  // namespace nlohmann
