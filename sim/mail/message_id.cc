#include "sim/mail/message_id.h"

#include "sim/mail/address.h"

namespace mailhop::mail {

namespace {

// RFC 5322 3.2.3 atext.
bool is_atext(char c) {
  const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return alnum || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

}  // namespace

std::string make_message_id(std::string_view unique, std::string_view domain) {
  const std::string_view right = is_valid_domain(domain) ? domain : std::string_view("invalid");
  std::string out;
  out.reserve(unique.size() + right.size() + 3);
  out += '<';
  bool pending_dot = false;
  for (char c : unique) {
    if (c == '.') {
      pending_dot = out.size() > 1;  // a dot only between two atoms
    } else if (is_atext(c)) {
      if (pending_dot) out += '.';
      pending_dot = false;
      out += c;
    }
  }
  if (out.size() == 1) out += '0';
  out += '@';
  out += right;
  out += '>';
  return out;
}

}  // namespace mailhop::mail
