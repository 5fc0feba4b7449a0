#include "sim/mail/mail_store.h"

#include <algorithm>
#include <array>
#include <utility>

#include "sim/mail/ascii.h"

namespace mailhop::mail {
namespace {

constexpr std::array<SystemFlag, 5> kSystemFlags = {SystemFlag::kSeen, SystemFlag::kAnswered,
                                                    SystemFlag::kFlagged, SystemFlag::kDeleted,
                                                    SystemFlag::kDraft};

bool is_inbox(std::string_view name) { return ascii_iequal(name, "INBOX"); }

bool valid_folder_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '*' || c == '%') return false;
  }
  return true;
}

}  // namespace

// ---- FlagSet

bool FlagSet::has_keyword(std::string_view keyword) const {
  return std::any_of(m_keywords.begin(), m_keywords.end(),
                     [&](const std::string& k) { return ascii_iequal(k, keyword); });
}

void FlagSet::add_keyword(std::string_view keyword) {
  if (keyword.empty() || has_keyword(keyword)) return;
  m_keywords.emplace_back(keyword);
}

void FlagSet::remove_keyword(std::string_view keyword) {
  std::erase_if(m_keywords, [&](const std::string& k) { return ascii_iequal(k, keyword); });
}

bool FlagSet::add(std::string_view name) {
  if (name.empty()) return false;
  if (name.front() == '\\') {
    const auto flag = parse_system(name);
    if (!flag) return false;
    set(*flag);
    return true;
  }
  add_keyword(name);
  return true;
}

bool FlagSet::remove(std::string_view name) {
  if (name.empty()) return false;
  if (name.front() == '\\') {
    const auto flag = parse_system(name);
    if (!flag) return false;
    clear(*flag);
    return true;
  }
  remove_keyword(name);
  return true;
}

bool FlagSet::contains(std::string_view name) const {
  if (!name.empty() && name.front() == '\\') {
    const auto flag = parse_system(name);
    return flag && has(*flag);
  }
  return has_keyword(name);
}

void FlagSet::add_all(const FlagSet& other) {
  m_system = static_cast<std::uint8_t>(m_system | other.m_system);
  for (const auto& k : other.m_keywords) add_keyword(k);
}

void FlagSet::remove_all(const FlagSet& other) {
  m_system = static_cast<std::uint8_t>(m_system & ~other.m_system);
  for (const auto& k : other.m_keywords) remove_keyword(k);
}

std::vector<std::string> FlagSet::names() const {
  std::vector<std::string> out;
  for (SystemFlag f : kSystemFlags) {
    if (has(f)) out.emplace_back(name_of(f));
  }
  for (const auto& k : m_keywords) out.push_back(k);
  return out;
}

std::string FlagSet::str() const {
  std::string out;
  for (const auto& n : names()) {
    if (!out.empty()) out += ' ';
    out += n;
  }
  return out;
}

std::string_view FlagSet::name_of(SystemFlag flag) {
  switch (flag) {
    case SystemFlag::kSeen: return "\\Seen";
    case SystemFlag::kAnswered: return "\\Answered";
    case SystemFlag::kFlagged: return "\\Flagged";
    case SystemFlag::kDeleted: return "\\Deleted";
    case SystemFlag::kDraft: return "\\Draft";
  }
  return "";
}

std::optional<SystemFlag> FlagSet::parse_system(std::string_view name) {
  for (SystemFlag f : kSystemFlags) {
    if (ascii_iequal(name, name_of(f))) return f;
  }
  return std::nullopt;
}

bool operator==(const FlagSet& a, const FlagSet& b) {
  if (a.m_system != b.m_system || a.m_keywords.size() != b.m_keywords.size()) return false;
  return std::all_of(a.m_keywords.begin(), a.m_keywords.end(),
                     [&](const std::string& k) { return b.has_keyword(k); });
}

// ---- Folder

const StoredMessage* Folder::by_sequence(std::size_t seq) const {
  if (seq == 0 || seq > m_messages.size()) return nullptr;
  return &m_messages[seq - 1];
}

const StoredMessage* Folder::by_uid(std::uint32_t uid) const {
  const auto it = std::lower_bound(m_messages.begin(), m_messages.end(), uid,
                                   [](const StoredMessage& m, std::uint32_t u) { return m.uid < u; });
  return it != m_messages.end() && it->uid == uid ? &*it : nullptr;
}

StoredMessage* Folder::find(std::uint32_t uid) { return const_cast<StoredMessage*>(by_uid(uid)); }

std::optional<std::size_t> Folder::sequence_of(std::uint32_t uid) const {
  const StoredMessage* m = by_uid(uid);
  if (!m) return std::nullopt;
  return static_cast<std::size_t>(m - m_messages.data()) + 1;
}

std::size_t Folder::unseen_count() const {
  return static_cast<std::size_t>(std::count_if(m_messages.begin(), m_messages.end(), [](const StoredMessage& m) {
    return !m.flags.has(SystemFlag::kSeen);
  }));
}

std::size_t Folder::recent_count() const {
  return static_cast<std::size_t>(
      std::count_if(m_messages.begin(), m_messages.end(), [](const StoredMessage& m) { return m.recent; }));
}

std::optional<std::size_t> Folder::first_unseen() const {
  for (std::size_t i = 0; i < m_messages.size(); ++i) {
    if (!m_messages[i].flags.has(SystemFlag::kSeen)) return i + 1;
  }
  return std::nullopt;
}

std::size_t Folder::bytes() const {
  std::size_t n = 0;
  for (const auto& m : m_messages) n += m.size();
  return n;
}

// ---- MailStore

MailStore::MailStore(std::uint32_t first_uidvalidity) {
  const std::uint32_t base = first_uidvalidity == 0 ? 1 : first_uidvalidity;
  create_folder("INBOX", base);
  create_folder("Sent", base + 1);
  create_folder("Junk", base + 2);
}

bool MailStore::create_folder(std::string_view name, std::uint32_t uidvalidity) {
  if (uidvalidity == 0 || !valid_folder_name(name) || find(name)) return false;
  auto f = std::make_unique<Folder>();
  f->m_name = is_inbox(name) ? "INBOX" : std::string(name);
  f->m_uidvalidity = uidvalidity;
  m_folders.push_back(std::move(f));
  changed(*m_folders.back(), StoreChange::Kind::kFolderCreated, 0);
  return true;
}

Folder* MailStore::find(std::string_view name) {
  // (Whether it names the INBOX is the same for every folder: asked once.)
  const std::string_view wanted = is_inbox(name) ? std::string_view("INBOX") : name;
  for (auto& f : m_folders) {
    if (f->m_name == wanted) return f.get();
  }
  return nullptr;
}

Folder* MailStore::folder(std::string_view name) { return find(name); }

const Folder* MailStore::folder(std::string_view name) const {
  return const_cast<MailStore*>(this)->find(name);
}

std::vector<std::string> MailStore::folder_names() const {
  std::vector<std::string> out;
  for (const auto& f : m_folders) out.push_back(f->m_name);
  return out;
}

std::optional<std::uint32_t> MailStore::append(std::string_view folder_name, std::string content,
                                               std::int64_t internal_date, FlagSet flags) {
  Folder* f = find(folder_name);
  if (!f || !quota_allows(content.size())) return std::nullopt;
  // Made in its place at the end (not made aside and moved there).
  StoredMessage& m = f->m_messages.emplace_back();
  m.uid = f->m_uidnext++;
  m.content = std::move(content);
  m.internal_date = internal_date;
  m.flags = std::move(flags);
  m.recent = true;
  const std::uint32_t uid = m.uid;
  changed(*f, StoreChange::Kind::kAppended, uid);
  return uid;
}

bool MailStore::set_flags(std::string_view folder_name, std::uint32_t uid, const FlagSet& flags) {
  Folder* f = find(folder_name);
  StoredMessage* m = f ? f->find(uid) : nullptr;
  if (!m) return false;
  if (!(m->flags == flags)) {
    m->flags = flags;
    changed(*f, StoreChange::Kind::kFlags, uid);
  }
  return true;
}

bool MailStore::add_flags(std::string_view folder_name, std::uint32_t uid, const FlagSet& flags) {
  Folder* f = find(folder_name);
  StoredMessage* m = f ? f->find(uid) : nullptr;
  if (!m) return false;
  FlagSet next = m->flags;
  next.add_all(flags);
  return set_flags(folder_name, uid, next);
}

bool MailStore::remove_flags(std::string_view folder_name, std::uint32_t uid, const FlagSet& flags) {
  Folder* f = find(folder_name);
  StoredMessage* m = f ? f->find(uid) : nullptr;
  if (!m) return false;
  FlagSet next = m->flags;
  next.remove_all(flags);
  return set_flags(folder_name, uid, next);
}

std::vector<std::uint32_t> MailStore::expunge(std::string_view folder_name) {
  Folder* f = find(folder_name);
  if (!f) return {};
  std::vector<std::uint32_t> uids;
  for (const auto& m : f->m_messages) {
    if (m.flags.has(SystemFlag::kDeleted)) uids.push_back(m.uid);
  }
  return remove(folder_name, uids);
}

std::vector<std::uint32_t> MailStore::remove(std::string_view folder_name,
                                             const std::vector<std::uint32_t>& uids) {
  Folder* f = find(folder_name);
  if (!f) return {};
  std::vector<std::uint32_t> removed;
  std::erase_if(f->m_messages, [&](const StoredMessage& m) {
    if (std::find(uids.begin(), uids.end(), m.uid) == uids.end()) return false;
    removed.push_back(m.uid);
    return true;
  });
  for (std::uint32_t uid : removed) changed(*f, StoreChange::Kind::kExpunged, uid);
  return removed;
}

std::optional<std::uint32_t> MailStore::copy(std::string_view from, std::uint32_t uid,
                                             std::string_view to) {
  Folder* src = find(from);
  const StoredMessage* m = src ? src->find(uid) : nullptr;
  if (!m || !find(to)) return std::nullopt;
  return append(to, m->content, m->internal_date, m->flags);
}

std::vector<std::uint32_t> MailStore::claim_recent(std::string_view folder_name) {
  Folder* f = find(folder_name);
  std::vector<std::uint32_t> out;
  if (!f) return out;
  for (auto& m : f->m_messages) {
    if (m.recent) {
      m.recent = false;
      out.push_back(m.uid);
    }
  }
  return out;
}

std::size_t MailStore::bytes_used() const {
  std::size_t n = 0;
  for (const auto& f : m_folders) n += f->bytes();
  return n;
}

bool MailStore::quota_allows(std::size_t extra_octets) const {
  return !m_quota || bytes_used() + extra_octets <= *m_quota;
}

MailStore::ListenerId MailStore::add_listener(Listener listener) {
  const ListenerId id = m_next_listener++;
  m_listeners.emplace(id, std::move(listener));
  return id;
}

void MailStore::remove_listener(ListenerId id) { m_listeners.erase(id); }

void MailStore::changed(Folder& f, StoreChange::Kind kind, std::uint32_t uid) {
  ++f.m_revision;
  ++m_revision;
  if (m_listeners.empty()) return;
  const StoreChange change{kind, f.m_name, uid};
  // A listener may add or remove listeners: iterate over a snapshot of the ids.
  std::vector<ListenerId> ids;
  for (const auto& [id, l] : m_listeners) ids.push_back(id);
  for (ListenerId id : ids) {
    const auto it = m_listeners.find(id);
    if (it != m_listeners.end()) it->second(change);
  }
}

}  // namespace mailhop::mail
