#include "model_check/xml.h"

namespace crosscheck::mc {

namespace {

// The length of the UTF-8 sequence at text[i] if it is one XML allows, else 0.
size_t utf8_length(std::string_view text, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = at(0);
  if (lead < 0x80) return lead >= 0x20 || lead == '\n' || lead == '\t' ? 1 : 0;
  const size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                        : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                       : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((at(k) & 0xC0) != 0x80) return 0;
  }
  const unsigned char second = at(1);
  if (lead == 0xE0 && second < 0xA0) return 0;                    // overlong
  if (lead == 0xED && second >= 0xA0) return 0;                   // a surrogate
  if (lead == 0xF0 && second < 0x90) return 0;                    // overlong
  if (lead == 0xF4 && second >= 0x90) return 0;                   // past U+10FFFF
  if (lead == 0xEF && second == 0xBF && at(2) >= 0xBE) return 0;  // U+FFFE, U+FFFF
  return length;
}

}  // namespace

std::vector<std::string> xml_characters(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const size_t length = utf8_length(text, i);
    out.push_back(length ? std::string(text.substr(i, length)) : "?");
    i += length ? length : 1;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (const std::string& c : xml_characters(text)) {
    if (c == "&")
      out += "&amp;";
    else if (c == "<")
      out += "&lt;";
    else if (c == ">")
      out += "&gt;";
    else if (c == "\"")
      out += "&quot;";
    else if (c == "'")
      out += "&apos;";
    else
      out += c;
  }
  return out;
}

}  // namespace crosscheck::mc
