// MaxResults / NextToken paging for Describe* operations.
//
//   std::vector<std::string> ids = ...;  // every matching item's key, ascending
//   MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(input, ids));
//   for (size_t i = page.begin; i < page.end; ++i) out["Vpcs"].push_back(...);
//   if (!page.next_token.empty()) out["NextToken"] = page.next_token;
//
// A NextToken names the last key the previous page returned (opaque to
// clients: "mv1." + base64url of the key), and the next page starts at the
// first key after it. Pages therefore stay consistent when items are created
// or deleted between calls: nothing still present is skipped or repeated.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace minivpc::ec2api {

struct Page {
  size_t begin = 0;        // index into sorted_keys of the first item to return
  size_t end = 0;          // one past the last item to return
  std::string next_token;  // empty when this is the last page
};

// Pages `sorted_keys` (strictly ascending, byte-wise) according to
// input["MaxResults"] and input["NextToken"] as DecodeInput produces them.
// Without MaxResults the page runs to the end. An empty NextToken means the
// first page. Errors, InvalidParameterValue as EC2 answers them: MaxResults
// outside [min_results, max_results] ("Value (2) for parameter maxResults is
// invalid. ..."), or a NextToken this function did not produce ("Value (x)
// for parameter nextToken is invalid. The token is invalid.").
StatusOr<Page> Paginate(const nlohmann::json& input, const std::vector<std::string>& sorted_keys,
                        int min_results = 5, int max_results = 1000);

}  // namespace minivpc::ec2api
