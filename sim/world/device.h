#pragma once
// What a mail program shows for one account: the messages it fetched and still keeps, with
// the read marks as it knows them. A POP3 device's copy is its own (the server forgets it with
// "download and delete"); an IMAP device mirrors the server's mailbox as of its last sync; a
// webmail shows the mailbox on the server as it was when the page was last loaded.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace mailhop::world {

struct DeviceMessage {
  std::string pop3_uid;    // POP3: the server's unique-id (UIDL), when it gave one
  std::uint32_t uid = 0;   // IMAP and webmail: the UID in the server's INBOX
  std::string subject;     // decoded
  std::string content;
  bool seen = false;       // shown as read
};

enum class DeviceAccess { kPop3, kImap, kWebmail };

struct DeviceMailbox {
  std::string node;        // the device
  std::string account;     // the account's address, lower case
  DeviceAccess access = DeviceAccess::kPop3;
  std::vector<DeviceMessage> messages;  // oldest first
  // POP3: every unique-id ever downloaded, also of messages deleted on the device since, so
  // that "leave a copy on the server" does not download them again.
  std::set<std::string> known_pop3_uids;
  std::uint32_t uidvalidity = 0;  // IMAP: of the INBOX the UIDs belong to
  std::string last_error;         // of the last attempt; empty when it worked
  std::uint64_t attempts = 0;

  std::size_t seen_count() const {
    std::size_t n = 0;
    for (const DeviceMessage& m : messages) n += m.seen ? 1 : 0;
    return n;
  }
};

}  // namespace mailhop::world
