// Status and StatusOr<T>: errors as values, carrying an AWS error code.
//
//   StatusOr<Cidr> c = Cidr::Parse(text);
//   if (!c.ok()) return c.status();   // e.g. code "InvalidParameterValue"
//
// The code string is one of the constants in error_codes.h; only the HTTP
// edge turns a Status into an XML error document and an HTTP status. Nothing
// below that edge throws. Status is a cheap value type (empty when OK).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace minivpc {

class Status {
 public:
  Status() = default;  // OK
  Status(std::string_view code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_.empty(); }
  // The AWS error code, e.g. "InvalidVpcID.NotFound". Empty when ok().
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "OK" : code_ + ": " + message_; }

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  std::string code_;
  std::string message_;
};

template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  StatusOr(T value) : value_(std::move(value)) {}                                  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Precondition: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace minivpc

// Returns early from the enclosing function when `expr` is not OK.
#define MINIVPC_RETURN_IF_ERROR(expr) \
  do {                                \
    ::minivpc::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define MINIVPC_CONCAT_INNER(a, b) a##b
#define MINIVPC_CONCAT(a, b) MINIVPC_CONCAT_INNER(a, b)
#define MINIVPC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
// Declares/assigns `lhs` from a StatusOr expression or returns its error.
#define MINIVPC_ASSIGN_OR_RETURN(lhs, expr) \
  MINIVPC_ASSIGN_OR_RETURN_IMPL(MINIVPC_CONCAT(_statusor_, __LINE__), lhs, expr)
