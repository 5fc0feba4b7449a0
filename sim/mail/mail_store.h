#pragma once
// One user's mail store on the server: the folders behind the POP3 and IMAP servers (and the
// webmail, which reads it directly). Pure data, no I/O and no clock: every date is given by
// the caller.
//
// - Folders INBOX, Sent and Junk exist from the start; more can be created. Folder names are
//   case-sensitive except INBOX (RFC 3501 section 5.1), and "/" separates levels.
// - Each folder has a UIDVALIDITY fixed at creation and a UIDNEXT; UIDs grow strictly and are
//   never reused while the UIDVALIDITY stays (RFC 3501 section 2.3.1.1).
// - Messages stay in UID order; sequence number n is the n-th message (1-based).
// - Every change bumps revision() and is told to the listeners, so several sessions on one
//   store (two IMAP devices, POP3, webmail) learn about new mail, flag changes and expunges.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::mail {

// The system flags of RFC 3501 section 2.3.2 (except \Recent, which belongs to a session).
enum class SystemFlag : std::uint8_t {
  kSeen = 1,
  kAnswered = 2,
  kFlagged = 4,
  kDeleted = 8,
  kDraft = 16,
};

// The flags of one message: system flags and keywords (atoms such as "$Forwarded").
class FlagSet {
 public:
  FlagSet() = default;

  bool has(SystemFlag flag) const { return (m_system & bit(flag)) != 0; }
  void set(SystemFlag flag) { m_system = static_cast<std::uint8_t>(m_system | bit(flag)); }
  void clear(SystemFlag flag) { m_system = static_cast<std::uint8_t>(m_system & ~bit(flag)); }

  // Keywords compare case-insensitively and keep the case they were first added with.
  bool has_keyword(std::string_view keyword) const;
  void add_keyword(std::string_view keyword);
  void remove_keyword(std::string_view keyword);
  const std::vector<std::string>& keywords() const { return m_keywords; }

  // A flag by its IMAP name: "\Seen" (any case) sets that system flag, another "\..." name is
  // refused (returns false), anything else is a keyword.
  bool add(std::string_view name);
  bool remove(std::string_view name);
  bool contains(std::string_view name) const;

  void add_all(const FlagSet& other);
  void remove_all(const FlagSet& other);
  bool empty() const { return m_system == 0 && m_keywords.empty(); }

  // IMAP names in a fixed order: \Seen \Answered \Flagged \Deleted \Draft, then keywords.
  std::vector<std::string> names() const;
  // "\Seen \Flagged $Label1" (names() joined with spaces).
  std::string str() const;

  // The IMAP name of a system flag, e.g. "\Seen".
  static std::string_view name_of(SystemFlag flag);
  // "\seen" -> kSeen (case-insensitive); nothing for keywords and unknown "\..." names.
  static std::optional<SystemFlag> parse_system(std::string_view name);

  friend bool operator==(const FlagSet& a, const FlagSet& b);

 private:
  static std::uint8_t bit(SystemFlag flag) { return static_cast<std::uint8_t>(flag); }
  std::uint8_t m_system = 0;
  std::vector<std::string> m_keywords;
};

struct StoredMessage {
  std::uint32_t uid = 0;
  std::string content;             // the message as delivered, CRLF line ends
  std::int64_t internal_date = 0;  // unix seconds, when it reached the store
  FlagSet flags;
  bool recent = false;  // not yet claimed by a session (RFC 3501 \Recent)
  std::size_t size() const { return content.size(); }
};

class MailStore;

class Folder {
 public:
  const std::string& name() const { return m_name; }
  std::uint32_t uidvalidity() const { return m_uidvalidity; }
  std::uint32_t uidnext() const { return m_uidnext; }
  // Bumped on every change of this folder (append, flags, expunge).
  std::uint64_t revision() const { return m_revision; }

  const std::vector<StoredMessage>& messages() const { return m_messages; }
  std::size_t count() const { return m_messages.size(); }
  // 1-based sequence number; nullptr when out of range.
  const StoredMessage* by_sequence(std::size_t seq) const;
  const StoredMessage* by_uid(std::uint32_t uid) const;
  // The sequence number of a UID, or nothing when absent.
  std::optional<std::size_t> sequence_of(std::uint32_t uid) const;

  std::size_t unseen_count() const;
  std::size_t recent_count() const;
  // Sequence number of the first message without \Seen.
  std::optional<std::size_t> first_unseen() const;
  std::size_t bytes() const;

 private:
  friend class MailStore;
  std::string m_name;
  std::uint32_t m_uidvalidity = 1;
  std::uint32_t m_uidnext = 1;
  std::uint64_t m_revision = 0;
  std::vector<StoredMessage> m_messages;
  StoredMessage* find(std::uint32_t uid);
};

// What changed, as told to listeners.
struct StoreChange {
  enum class Kind { kAppended, kFlags, kExpunged, kFolderCreated };
  Kind kind = Kind::kAppended;
  std::string folder;
  std::uint32_t uid = 0;  // 0 for kFolderCreated
};

class MailStore {
 public:
  // INBOX, Sent and Junk get the UIDVALIDITYs first_uidvalidity, +1 and +2.
  explicit MailStore(std::uint32_t first_uidvalidity = 1);

  MailStore(const MailStore&) = delete;
  MailStore& operator=(const MailStore&) = delete;

  // ---- folders
  // False when the name is empty, invalid (control characters, starts or ends with "/", "//")
  // or already taken; the UIDVALIDITY must not be 0.
  bool create_folder(std::string_view name, std::uint32_t uidvalidity);
  // "inbox" finds INBOX; other names match exactly. The pointer stays valid as long as the
  // store.
  Folder* folder(std::string_view name);
  const Folder* folder(std::string_view name) const;
  // Folder names, INBOX first, then in creation order.
  std::vector<std::string> folder_names() const;

  // ---- messages
  // Appends at the end with the next UID; nothing when the folder does not exist or the
  // quota would be exceeded (quota_allows()). The message is \Recent.
  std::optional<std::uint32_t> append(std::string_view folder, std::string content,
                                      std::int64_t internal_date, FlagSet flags = {});
  // Replaces / adds to / removes from the flags of one message. False when it does not exist.
  // Listeners hear of it only when the flags really changed.
  bool set_flags(std::string_view folder, std::uint32_t uid, const FlagSet& flags);
  bool add_flags(std::string_view folder, std::uint32_t uid, const FlagSet& flags);
  bool remove_flags(std::string_view folder, std::uint32_t uid, const FlagSet& flags);
  // Removes every message with \Deleted; returns their UIDs in ascending order.
  std::vector<std::uint32_t> expunge(std::string_view folder);
  // Removes the given messages whatever their flags (POP3's UPDATE state); returns the UIDs
  // that existed and were removed, ascending.
  std::vector<std::uint32_t> remove(std::string_view folder, const std::vector<std::uint32_t>& uids);
  // Copies a message into another folder (new UID there, flags kept, \Recent set).
  std::optional<std::uint32_t> copy(std::string_view from, std::uint32_t uid, std::string_view to);
  // Clears \Recent on every message of the folder and returns the UIDs that had it: the
  // session that calls this is the one that reports them as \Recent.
  std::vector<std::uint32_t> claim_recent(std::string_view folder);

  // ---- quota (octets of message content, all folders)
  std::size_t bytes_used() const;
  std::optional<std::size_t> quota_limit() const { return m_quota; }
  void set_quota_limit(std::optional<std::size_t> limit) { m_quota = limit; }
  bool quota_allows(std::size_t extra_octets) const;

  // ---- changes
  // Bumped on every change of any folder.
  std::uint64_t revision() const { return m_revision; }
  using Listener = std::function<void(const StoreChange&)>;
  using ListenerId = std::uint64_t;
  ListenerId add_listener(Listener listener);
  void remove_listener(ListenerId id);

 private:
  Folder* find(std::string_view name);
  void changed(Folder& folder, StoreChange::Kind kind, std::uint32_t uid);

  std::vector<std::unique_ptr<Folder>> m_folders;  // stable addresses
  std::optional<std::size_t> m_quota;
  std::uint64_t m_revision = 0;
  std::map<ListenerId, Listener> m_listeners;
  ListenerId m_next_listener = 1;
};

}  // namespace mailhop::mail
