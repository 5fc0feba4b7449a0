#pragma once
// What the inspector shows, computed from the world without ImGui: a node's settings, queue and
// mailboxes, a mailbox's messages, and one message taken apart (envelope, header fields, the
// Received chain hop by hop, the body, the DSN of a bounce). Tested directly.
//
// Mailboxes are read in ONE place, read_mailbox(), so a change of the world's mail store only
// touches that function.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/text/catalog.h"
#include "sim/world/mail_queue.h"
#include "sim/world/world.h"

namespace mailhop::gui {

// ---- a node

struct SettingRow {
  std::string label_key;  // catalog key: "inspector.setting.roles"
  std::string value;      // in the catalog's current language
};
std::vector<SettingRow> node_settings(const world::NodeState& node, const text::Catalog& t);

struct QueueRow {
  std::string id;
  world::QueueState state = world::QueueState::kIncoming;
  std::string sender;                   // "<>" for a bounce
  std::vector<std::string> recipients;  // the pending ones first, then the rest
  std::size_t pending = 0;
  int attempts = 0;
  std::optional<core::SimTime> next_attempt;  // when deferred
  std::string diagnostic;                     // the last answer or reason, may be empty
  core::SimTime arrival;
  std::string subject;
};
std::vector<QueueRow> queue_rows(const world::NodeState& node);

// ---- mailboxes (the only reader of the world's mailboxes)

struct MailboxMessage {
  std::uint32_t uid = 0;
  std::string folder;
  std::string_view content;  // valid until the world changes (this frame)
  std::int64_t date = 0;     // unix seconds it arrived
};

struct MailboxView {
  std::string address;
  std::string host;
  std::size_t count = 0;
  std::uint64_t used = 0;
  std::uint64_t quota = 0;  // 0: unlimited
  std::vector<MailboxMessage> messages;  // when asked for
};

enum class WithMessages { kNo, kYes };
std::optional<MailboxView> read_mailbox(const world::World& world, const std::string& address,
                                        WithMessages with);
// The mailboxes held by `node` (by address).
std::vector<MailboxView> mailboxes_on(const world::World& world, const std::string& node);

// ---- one message

struct HeaderRow {
  std::string name;
  std::string value;  // unfolded
};

// One Received field taken apart (RFC 5321 4.4).
struct ReceivedHop {
  std::string from;  // the client: "laptop.example ([203.0.113.5])" (HELO, then host/address)
  std::string from_helo;
  std::string from_address;
  std::string by;
  std::string with;
  std::string id;
  std::string for_recipient;
  std::string date;  // as written after ";"
  std::string raw;   // the unfolded field value
  bool parsed = false;
};
ReceivedHop parse_received(std::string_view value);

struct DsnRecipientView {
  std::string final_recipient;
  std::string original_recipient;
  std::string action;
  std::string status;
  std::string remote_mta;
  std::string diagnostic;
};
struct DsnView {
  std::string reporting_mta;
  std::string arrival_date;
  std::vector<DsnRecipientView> recipients;
};
// The message/delivery-status part of a bounce (RFC 3464), when the message has one.
std::optional<DsnView> decode_dsn(std::string_view content);

enum class MessagePlace { kQueue, kMailbox };

struct MessageView {
  MessagePlace place = MessagePlace::kQueue;
  std::string node;     // where it is (the queue's node or the mailbox's host)
  std::string mailbox;  // for kMailbox
  std::string queue_id; // for kQueue
  std::uint32_t uid = 0;
  // The envelope: from the queue entry, or from Return-Path and Delivered-To once delivered.
  std::optional<std::string> envelope_from;  // "" for the null sender "<>"
  std::vector<std::string> envelope_to;
  std::vector<HeaderRow> headers;
  std::string header_from;  // the From: field, for the envelope-vs-header lesson
  std::vector<ReceivedHop> hops;  // in order from the sender (the bottom field first)
  std::string body;
  std::string raw;
  std::string parse_error;  // not empty when the content could not be parsed
  std::optional<DsnView> dsn;
};

// The key with which a mailbox message is selected (command::SelectMessage): its Message-ID,
// or "address#uid" when it has none.
std::string message_key(const std::string& mailbox, std::uint32_t uid, std::string_view content);

// Finds a message by queue id (in any queue, or in a mailbox through the ids of its Received
// fields), by Message-ID, or by message_key(); `mailbox_hint` is looked at first.
std::optional<MessageView> find_message(const world::World& world, const std::string& key,
                                        const std::string& mailbox_hint);

// A whole message taken apart (the envelope is left for the caller to fill).
MessageView view_of_content(std::string_view content);

// A header value for people: RFC 2047 encoded words decoded (the value itself when it has none
// or they are malformed).
std::string display_header(std::string_view value);

// The address inside "<...>" (or the text itself), for comparing envelope and From:.
std::string bare_address(std::string_view text);

}  // namespace mailhop::gui
