// Text for SVG and other XML: split into the characters XML 1.0 allows,
// and escaped. Shared by the charts (message-sequence charts, audit
// timelines), whose text comes from models and recorded histories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crosscheck::mc {

// The text's characters, each a UTF-8 sequence XML 1.0 allows; a byte that
// starts none (invalid UTF-8, a control character other than tab and
// newline, U+FFFE, U+FFFF) becomes '?'.
std::vector<std::string> xml_characters(std::string_view text);

// The text as XML character data or an attribute value: the characters
// above, with & < > " ' escaped.
std::string xml_escape(std::string_view text);

}  // namespace crosscheck::mc
