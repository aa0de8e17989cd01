// Text helpers shared by the query decoder and the XML encoders.
#pragma once

#include <string>
#include <string_view>

namespace minivpc::ec2api::internal {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Appends `text` as XML character data that is always well formed: & < > " '
// become entity references, CR becomes &#xD; (so parsers do not fold it into
// LF), and bytes XML 1.0 cannot carry (other C0 controls, malformed UTF-8)
// become U+FFFD. Plain ASCII is copied through in runs.
void AppendXmlEscaped(std::string_view text, std::string* out);

// `text` with its first character lower-cased ASCII ("MaxResults" ->
// "maxResults"), the style EC2 uses for parameter names in messages.
std::string LowerFirst(std::string_view text);

}  // namespace minivpc::ec2api::internal
