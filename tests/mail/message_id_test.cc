#include "sim/mail/message_id.h"

#include <catch2/catch.hpp>

#include "sim/mail/message.h"

using mailhop::mail::make_message_id;

TEST_CASE("make_message_id builds an RFC 5322 msg-id", "[mail][message_id]") {
  CHECK(make_message_id("20261122150405.4ZkQ2x", "gmail.example") ==
        "<20261122150405.4ZkQ2x@gmail.example>");
  CHECK(make_message_id("42", "[192.0.2.1]") == "<42@[192.0.2.1]>");

  SECTION("the unique part becomes a dot-atom-text") {
    CHECK(make_message_id("a b<c>@d", "x.example") == "<abcd@x.example>");
    CHECK(make_message_id("..a..b..", "x.example") == "<a.b@x.example>");
    CHECK(make_message_id("", "x.example") == "<0@x.example>");
    CHECK(make_message_id("()", "x.example") == "<0@x.example>");
    CHECK(make_message_id("q+1=2", "x.example") == "<q+1=2@x.example>");
  }
  SECTION("an invalid domain is replaced by the reserved name invalid") {
    CHECK(make_message_id("1", "bad domain") == "<1@invalid>");
    CHECK(make_message_id("1", "") == "<1@invalid>");
  }
  SECTION("the result works as a header field") {
    mailhop::mail::Message m;
    m.append("Message-ID", make_message_id("7.1", "mail.example"));
    const auto back = mailhop::mail::Message::parse(m.serialize());
    REQUIRE(back.has_value());
    CHECK(back->get("message-id") == "<7.1@mail.example>");
  }
}
